/**
 * The baseline the product spec sketches: collect every page of the listing in memory, then for
 * each issue one lookup by externalId (a JSON path filter on customFields) and one create or update
 * through Prisma. It writes the same columns the real issue store writes.
 */
import type { Prisma, PrismaClient } from '../src/generated/prisma/client.js';
import type { ExternalIssue, Provider } from '../src/providers/provider.js';
import { externalIdOf } from '../src/sync/external-id.js';

export interface NaiveResult {
  created: number;
  updated: number;
  listed: number;
}

export async function naiveSync(
  prisma: PrismaClient,
  provider: Provider,
  scope: { projectId: string; repositoryId: string | null },
  signal?: AbortSignal,
): Promise<NaiveResult> {
  const all: ExternalIssue[] = [];
  for await (const page of provider.listIssues({ state: 'all', ...(signal ? { signal } : {}) })) all.push(...page.items);

  let created = 0;
  let updated = 0;
  for (const item of all) {
    signal?.throwIfAborted();
    const externalId = externalIdOf(item);
    const existing = await prisma.issue.findFirst({
      where: { projectId: scope.projectId, customFields: { path: ['externalId'], equals: externalId } },
    });
    const data = {
      repositoryUrl: item.repositoryUrl,
      kind: item.kind,
      title: item.title,
      body: item.body,
      state: item.state,
      url: item.url,
      labels: item.labels,
      author: item.author,
      customFields: {
        ...item.extra,
        provider: item.provider,
        issueId: item.issueId,
        externalId,
      } as Prisma.InputJsonValue,
      externalCreatedAt: item.createdAt,
      externalUpdatedAt: item.updatedAt,
      externalClosedAt: item.closedAt,
    };
    if (existing) {
      await prisma.issue.update({ where: { id: existing.id }, data });
      updated += 1;
    } else {
      await prisma.issue.create({ data: { projectId: scope.projectId, repositoryId: scope.repositoryId, ...data } });
      created += 1;
    }
  }
  return { created, updated, listed: all.length };
}
