/**
 * What the provider tests share: reading a listing whole, its items, and the ProviderError a
 * promise ends in.
 */
import { expect } from 'vitest';
import type { ExternalIssue } from '../../src/domain/items.js';
import { ProviderError } from '../../src/errors.js';
import type { Page } from '../../src/providers/provider.js';

export async function collect(pages: AsyncIterable<Page>): Promise<Page[]> {
  const all: Page[] = [];
  for await (const page of pages) all.push(page);
  return all;
}

export const itemsOf = (pages: Page[]): ExternalIssue[] => pages.flatMap((page) => page.items);

/** The error the promise is rejected with, which must be a ProviderError. */
export async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}
