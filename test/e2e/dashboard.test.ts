/**
 * The dashboard end to end, as a person uses it: headless Chromium (the Debian package, through
 * playwright-core) against the real service (`startService`: pg-boss jobs, the HTTP app) on the test
 * run's embedded PostgreSQL, with the loopback GitHub simulator as the host (dashboard-service.ts
 * says what is seeded).
 *
 * Every page met on the way is scanned with axe-core in light and dark (no serious or critical
 * violation allowed; the summary is printed at the end) and photographed at 1280×800 and 360×740 in
 * light and dark under test-results/screenshots/. Chromium missing fails the file, saying how to
 * install it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  blockingViolations,
  captureScreenshots,
  launchChromium,
  newDashboardContext,
  scanAccessibility,
  SCREENSHOT_DIR,
  sidewaysOverflowAtPhoneWidth,
  summarizeScans,
  type AccessibilityScan,
} from '../support/browser.js';
import { githubFaults } from '../support/github-simulator.js';
import { GITHUB_TOKEN, startDashboardService, type DashboardService } from './dashboard-service.js';

/** A loaded 2-core machine: conditions are awaited for this long before a test gives up. */
const WAIT_MS = 30_000;
const TEST_MS = 120_000;

let env: DashboardService;
let browser: Browser;
const scans: AccessibilityScan[] = [];
const screenshots: string[] = [];
const overflows = new Map<string, number>();
/** Requests the pages made to anything but the service. */
const foreignRequests = new Set<string>();
const timings: string[] = [];
const fileStarted = Date.now();

beforeAll(async () => {
  const started = Date.now();
  const [service, chromium] = await Promise.allSettled([startDashboardService(), launchChromium()]);
  if (service.status === 'fulfilled') env = service.value;
  if (chromium.status === 'fulfilled') browser = chromium.value;
  if (chromium.status === 'rejected') throw chromium.reason;
  if (service.status === 'rejected') throw service.reason;
  timings.push(`  start (service, simulator, database, chromium): ${Date.now() - started} ms`);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await env?.close();
  if (scans.length > 0) console.log(summarizeScans(scans));
  if (screenshots.length > 0) console.log(`${screenshots.length} screenshots in ${SCREENSHOT_DIR}`);
  console.log(['dashboard e2e timings:', ...timings, `  whole file: ${Date.now() - fileStarted} ms`].join('\n'));
}, 120_000);

/** A test with its time recorded for the summary. */
function timed(name: string, fn: () => Promise<void>): void {
  it(
    name,
    async () => {
      const started = Date.now();
      try {
        await fn();
      } finally {
        timings.push(`  ${name}: ${Date.now() - started} ms`);
      }
    },
    TEST_MS,
  );
}

/**
 * A page in a fresh context (no cookies). Script errors on the page fail the test; requests to any
 * other origin than the service's are recorded.
 */
async function withPage(fn: (page: Page) => Promise<void>, options: { timezoneId?: string } = {}): Promise<void> {
  const context = await newDashboardContext(browser, options);
  const errors: string[] = [];
  const origin = new URL(env.url).origin;
  try {
    const page = await context.newPage();
    page.on('pageerror', (error) => errors.push(String(error)));
    page.on('request', (request) => {
      const url = request.url();
      if (!url.startsWith(`${origin}/`) && !url.startsWith('data:') && !url.startsWith('blob:')) foreignRequests.add(url);
    });
    await fn(page);
    expect(errors, 'script errors on the page').toEqual([]);
  } finally {
    await context.close();
  }
}

/**
 * axe in light and dark, the four screenshots (of the viewport only while a modal dialog is open), and
 * how far the page scrolls sideways at 360 px.
 */
async function inspect(page: Page, name: string, options: { dialog?: boolean } = {}): Promise<void> {
  for (const scheme of ['light', 'dark'] as const) scans.push(await scanAccessibility(page, name, scheme));
  overflows.set(name, await sidewaysOverflowAtPhoneWidth(page));
  screenshots.push(...(await captureScreenshots(page, name, { fullPage: !options.dialog })));
}

async function visible(locator: Locator, timeout = WAIT_MS): Promise<Locator> {
  await locator.waitFor({ state: 'visible', timeout });
  return locator;
}

/** Polls `read` until `accept` holds; the last value is in the failure message. */
async function until<T>(what: string, read: () => Promise<T>, accept: (value: T) => boolean, timeout = WAIT_MS): Promise<T> {
  const deadline = Date.now() + timeout;
  let last: T | undefined;
  for (;;) {
    let failure: unknown = null;
    try {
      last = await read();
      if (accept(last)) return last;
    } catch (error) {
      failure = error;
    }
    if (Date.now() > deadline) {
      const seen = failure ? `the last read failed: ${String(failure)}` : `last seen: ${JSON.stringify(last)}`;
      throw new Error(`Timed out after ${timeout} ms waiting for ${what}; ${seen}`);
    }
    await sleep(100);
  }
}

async function openSignIn(page: Page): Promise<void> {
  await page.goto(`${env.url}/`);
  await visible(page.getByLabel('API token'));
}

/** Signs in from `/` and waits for the signed-in page (the project picker when `picker`). */
async function signIn(page: Page, token: string): Promise<void> {
  await openSignIn(page);
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await visible(page.getByRole('button', { name: 'Sign out' }));
}

function repositoryRow(page: Page, repositoryId: string): Locator {
  return page.locator(`tr[data-repository-id="${repositoryId}"]`);
}

function syncButton(row: Locator): Locator {
  return row.getByRole('button', { name: /^Sync/ });
}

function progressDialog(page: Page): Locator {
  return page.locator('dialog#sync-progress');
}

/** The confirmation dialog (the one with "Confirm sync"). */
function confirmationDialog(page: Page): Locator {
  return page.getByRole('dialog').filter({ has: page.getByRole('button', { name: 'Confirm sync' }) });
}

/** The progress bar's fill, 0..1 (-1 while it is indeterminate). */
async function progressFraction(dialog: Locator): Promise<number> {
  return dialog.locator('progress').evaluate((bar: { position: number }) => bar.position);
}

/** The accessible text of the element that has the keyboard focus. */
async function focusedText(page: Page): Promise<string> {
  return ((await page.evaluate('document.activeElement ? document.activeElement.textContent : ""')) as string).replace(/\s+/g, ' ').trim();
}

async function textOf(locator: Locator): Promise<string> {
  return ((await locator.textContent()) ?? '').replace(/\s+/g, ' ').trim();
}

async function operationsOf(repositoryId: string) {
  return env.database.db.prisma.syncOperation.findMany({ where: { repositoryId }, orderBy: { createdAt: 'asc' } });
}

describe('the dashboard in headless Chromium', () => {
  timed('signs in with an API token into a cookie the page scripts cannot read, and lists the repositories', async () => {
    await withPage(async (page) => {
      await openSignIn(page);
      await inspect(page, 'sign-in');
      const field = page.getByLabel('API token');
      expect(await field.getAttribute('type')).toBe('password');

      // A wrong token: an alert says what to do, the field is marked and empty, nobody is signed in.
      await field.fill('isk_not-a-token-anyone-has');
      await page.getByRole('button', { name: 'Sign in' }).click();
      const alert = await visible(page.getByRole('alert').filter({ hasText: /token/i }));
      expect(await textOf(alert)).toMatch(/unknown|revoked/i);
      expect(await page.getByLabel('API token').getAttribute('aria-invalid')).toBe('true');
      expect(await page.getByLabel('API token').inputValue()).toBe('');
      expect((await page.context().cookies()).filter((cookie) => cookie.httpOnly)).toEqual([]);
      await inspect(page, 'sign-in-error');

      await signIn(page, env.tokens.admin);
      // The first Tab reaches the skip link, which leads to the page's content.
      await page.keyboard.press('Tab');
      expect(await focusedText(page)).toBe('Skip to content');
      const { hello, limited, slow, linkable, broken } = env.repositories;
      for (const repository of [hello, limited, slow, linkable, broken]) await visible(repositoryRow(page, repository.id));
      expect(await textOf(repositoryRow(page, hello.id))).toContain('octo/hello');
      expect(await textOf(repositoryRow(page, hello.id))).toMatch(/active/i);
      const stale = await textOf(repositoryRow(page, slow.id));
      expect(stale).toMatch(/stale/i);
      expect(stale).toContain('No delivery for 3 days');

      const cookies = await page.context().cookies();
      const session = cookies.filter((cookie) => cookie.httpOnly);
      expect(session.length, 'an HttpOnly session cookie').toBeGreaterThan(0);
      for (const cookie of session) expect(cookie.sameSite).toBe('Strict');
      expect(page.url()).not.toContain(env.tokens.admin);
      expect(await page.evaluate('document.cookie')).not.toContain(env.tokens.admin);
      expect(await page.content()).not.toContain(env.tokens.admin);
      await inspect(page, 'repositories');
    });
  });

  timed('a user of several projects picks one', async () => {
    await withPage(async (page) => {
      await signIn(page, env.tokens.multi);
      const demo = await visible(page.getByRole('link', { name: 'demo', exact: true }));
      await visible(page.getByRole('link', { name: 'side', exact: true }));
      await inspect(page, 'project-picker');
      await demo.click();
      await visible(repositoryRow(page, env.repositories.hello.id));
      // The navigation leads back to the picker.
      await page.getByRole('link', { name: 'Projects' }).click();
      await visible(page.getByRole('link', { name: 'side', exact: true }));
    });
    // The server's ADMIN_TOKEN sees every project.
    await withPage(async (page) => {
      await signIn(page, env.tokens.serverAdmin);
      await visible(page.getByRole('link', { name: 'demo', exact: true }));
      await visible(page.getByRole('link', { name: 'side', exact: true }));
    });
  });

  timed('syncs a repository whose webhook is active after a confirmation, and follows it to 100% and its counts', async () => {
    const { hello } = env.repositories;
    await withPage(async (page) => {
      await signIn(page, env.tokens.admin);
      const row = await visible(repositoryRow(page, hello.id));
      await row.getByLabel('Sync type').selectOption('issues');

      // By keyboard: Enter on the button asks first, giving both reasons when both apply; the dialog
      // takes the focus on its safe choice, Escape starts nothing and gives the focus back.
      await row.getByLabel('Include closed issues').check();
      await syncButton(row).focus();
      await page.keyboard.press('Enter');
      const confirmation = await visible(confirmationDialog(page));
      expect(await textOf(confirmation)).toMatch(/webhook/i);
      expect(await textOf(confirmation)).toMatch(/closed issues/i);
      expect(await focusedText(page)).toBe('Cancel');
      await inspect(page, 'sync-confirmation', { dialog: true });
      await page.keyboard.press('Escape');
      await confirmation.waitFor({ state: 'hidden' });
      expect(await focusedText(page)).toMatch(/^Sync/);
      await until('the page to say nothing started', () => textOf(page.locator('#page-status')), (text) => /not started/i.test(text));
      expect(await operationsOf(hello.id)).toEqual([]);

      await row.getByLabel('Include closed issues').uncheck();
      await syncButton(row).click();
      await visible(confirmation);
      expect(await textOf(confirmation)).not.toMatch(/closed issues/i);
      await confirmation.getByRole('button', { name: 'Confirm sync' }).click();

      const dialog = await visible(progressDialog(page));
      await until('the progress bar to reach 100%', () => progressFraction(dialog), (fraction) => fraction === 1, 60_000);
      const counts = await until(
        'the counts of the finished sync',
        () => textOf(dialog.getByTestId('sync-counts')),
        (text) => /120/.test(text),
      );
      for (const word of ['created', 'updated', 'skipped', 'failed']) expect(counts.toLowerCase()).toContain(word);
      // Screen readers hear the stage and the counts as they change.
      const live = dialog.locator('[aria-live="polite"], [aria-live="assertive"], [role="status"]');
      expect(await live.locator('[data-testid="sync-stage"]').count()).toBe(1);
      expect(await live.locator('[data-testid="sync-counts"]').count()).toBe(1);
      expect(counts).toMatch(/120\s*created|created\D{0,3}120/i);
      expect(await textOf(dialog)).toContain('100%');
      await inspect(page, 'sync-progress', { dialog: true });
      await dialog.getByRole('button', { name: 'Close' }).click();
      await dialog.waitFor({ state: 'hidden' });
      expect(await focusedText(page), 'the focus goes back to the button that opened the dialog').toMatch(/^Sync/);
      const lastSync = await textOf(row);
      expect(lastSync).toMatch(/completed/i);
      expect(lastSync).toMatch(/120 created/);
    });
    const operations = await operationsOf(hello.id);
    expect(operations.map((operation) => [operation.status, operation.trigger])).toEqual([['completed', 'manual']]);
    expect(await env.database.db.prisma.issue.count({ where: { repositoryId: hello.id } })).toBe(120);
  });

  timed('a viewer sees the sync button disabled, with the reason', async () => {
    await withPage(async (page) => {
      await signIn(page, env.tokens.viewer);
      const row = await visible(repositoryRow(page, env.repositories.hello.id));
      expect(await syncButton(row).isDisabled()).toBe(true);
      const reason = await visible(row.getByTestId('sync-disabled-reason'));
      expect(await textOf(reason)).toMatch(/viewer|role|permission|member/i);
      expect(await syncButton(row).getAttribute('aria-describedby')).toBe(await reason.getAttribute('id'));
      expect(await page.getByRole('button', { name: 'Back-fill every stale repository' }).count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Connect repository' }).count()).toBe(0);
      await inspect(page, 'repositories-viewer');

      // Nor can a viewer link issues; the page says why.
      await page.getByRole('link', { name: 'Issues' }).click();
      await page.getByLabel('Title contains').fill('Printer on fire');
      await page.getByRole('button', { name: 'Filter' }).click();
      const issue = await visible(page.locator(`tr[data-issue-id="${env.localIssue.id}"]`));
      expect(await issue.getByRole('button', { name: 'Link', exact: true }).isDisabled()).toBe(true);
      expect(await issue.getByLabel('Link to URL').isDisabled()).toBe(true);
      expect(await textOf(page.locator('#link-disabled-reason'))).toMatch(/viewer/i);
    });
  });

  timed('a sync that meets an exhausted rate limit says until when it waits, in the reader\'s time zone', async () => {
    const { limited } = env.repositories;
    const resetAt = new Date(Math.ceil((Date.now() + 45 * 60_000) / 60_000) * 60_000);
    env.github.fault({ ...githubFaults.primaryRateLimit(resetAt), path: '/repos/octo/limited/issues' });
    const timeZone = 'Asia/Kolkata';
    const expected = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone }).format(resetAt);
    await withPage(
      async (page) => {
        await signIn(page, env.tokens.admin);
        const row = await visible(repositoryRow(page, limited.id));
        await syncButton(row).click();
        const dialog = await visible(progressDialog(page));
        const waiting = await until(
          'the rate-limit notice',
          () => textOf(dialog.getByTestId('sync-rate-limit')),
          (text) => /rate limit/i.test(text),
          60_000,
        );
        expect(waiting).toContain(`Waiting for the rate limit until ${expected}`);
        await inspect(page, 'sync-progress-rate-limit', { dialog: true });

        // A waiting sync can be cancelled too.
        await dialog.getByRole('button', { name: 'Cancel sync' }).click();
        await until('the waiting sync to end cancelled', () => textOf(dialog), (text) => /cancel+ed/i.test(text));
      },
      { timezoneId: timeZone },
    );
    expect((await operationsOf(limited.id)).map((operation) => operation.status)).toEqual(['cancelled']);
  });

  timed('cancels a running sync (closed issues included, after a confirmation)', async () => {
    const { slow } = env.repositories;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let reachedSecondPage!: () => void;
    const secondPage = new Promise<void>((resolve) => (reachedSecondPage = resolve));
    env.github.onRequest(async ({ url }) => {
      if (url.pathname === '/repos/octo/slow/issues' && url.searchParams.get('page') === '2') {
        reachedSecondPage();
        await held;
      }
    });
    try {
      await withPage(async (page) => {
        await signIn(page, env.tokens.admin);
        const row = await visible(repositoryRow(page, slow.id));
        await row.getByLabel('Include closed issues').check();
        await syncButton(row).click();
        const confirmation = await visible(confirmationDialog(page));
        expect(await textOf(confirmation)).toMatch(/closed/i);
        await confirmation.getByRole('button', { name: 'Confirm sync' }).click();

        let dialog = await visible(progressDialog(page));
        await secondPage;
        // The first page is stored while the second is held: the sync runs.
        await until('the running sync to show progress', () => progressFraction(dialog), (fraction) => fraction > 0 && fraction < 1);

        // Opened again (another tab, a reload), the page shows the running sync in its row instead of the controls.
        await page.reload();
        const again = await visible(repositoryRow(page, slow.id));
        expect(await again.getByRole('button', { name: /^Sync/ }).isVisible()).toBe(false);
        expect(await textOf(again)).toMatch(/running/i);
        await again.getByRole('button', { name: 'Show progress' }).click();
        dialog = await visible(progressDialog(page));
        await until('the reopened dialog to follow the sync', () => progressFraction(dialog), (fraction) => fraction > 0 && fraction < 1);
        const cancelled = page.waitForResponse((response) => /\/cancel\b/.test(response.url()) && response.request().method() === 'POST');
        await dialog.getByRole('button', { name: 'Cancel sync' }).click();
        expect((await cancelled).status()).toBeLessThan(300);
        release();
        await until('the sync to end cancelled', () => textOf(dialog), (text) => /cancel+ed/i.test(text));
        await dialog.getByRole('button', { name: 'Close' }).click();
        await dialog.waitFor({ state: 'hidden' });
      });
    } finally {
      env.github.onRequest(null);
      release();
    }
    const operations = await operationsOf(slow.id);
    expect(operations.map((operation) => [operation.status, operation.includeClosed])).toEqual([['cancelled', true]]);
  });

  timed('a second tab that asks for the same sync follows the running one, and both rows update when it ends', async () => {
    const { slow } = env.repositories;
    const before = (await operationsOf(slow.id)).length;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let listed = 0;
    env.github.onRequest(async ({ url }) => {
      if (url.pathname === '/repos/octo/slow/issues' && ++listed === 2) await held;
    });
    const context = await newDashboardContext(browser);
    try {
      const first = await context.newPage();
      await signIn(first, env.tokens.admin);
      const second = await context.newPage();
      await second.goto(first.url());
      const secondRow = await visible(repositoryRow(second, slow.id));

      const firstRow = repositoryRow(first, slow.id);
      await firstRow.getByLabel('Include closed issues').check();
      await syncButton(firstRow).click();
      await visible(confirmationDialog(first));
      await confirmationDialog(first).getByRole('button', { name: 'Confirm sync' }).click();
      const firstDialog = await visible(progressDialog(first));
      await until('the sync to be held on its second page', async () => listed, (count) => count >= 2);

      // The second tab still shows the button (open issues only: no confirmation); its click meets the
      // running sync and follows it.
      await syncButton(secondRow).click();
      const secondDialog = await visible(progressDialog(second));
      await until('the second tab to follow its progress', () => progressFraction(secondDialog), (fraction) => fraction > 0 && fraction < 1);

      // Both close their dialogs; the rows show the running sync until it ends, then its result.
      await secondDialog.getByRole('button', { name: 'Close' }).click();
      await firstDialog.getByRole('button', { name: 'Close' }).click();
      await until('the second row to show the running sync', () => textOf(secondRow), (text) => /running/i.test(text));
      release();
      for (const row of [firstRow, secondRow]) {
        await until('the row to show the finished sync', () => textOf(row), (text) => /completed/i.test(text), 60_000);
        await visible(syncButton(row));
      }
    } finally {
      env.github.onRequest(null);
      release();
      await context.close();
    }
    const operations = await operationsOf(slow.id);
    expect(operations).toHaveLength(before + 1);
    expect(operations.at(-1)).toMatchObject({ status: 'completed', includeClosed: true });
  });

  timed('links a local issue to a GitHub issue by its URL and unlinks it on the issues page', async () => {
    const { localIssue } = env;
    const { prisma } = env.database.db;
    await withPage(async (page) => {
      await signIn(page, env.tokens.admin);
      await page.getByRole('link', { name: 'Issues' }).click();
      await visible(page.getByRole('heading', { name: /issues/i, level: 1 }));
      await inspect(page, 'issues');
      await page.getByLabel('Title contains').fill('Printer on fire');
      await page.getByRole('button', { name: 'Filter' }).click();
      const row = await visible(page.locator(`tr[data-issue-id="${localIssue.id}"]`));
      expect(await page.locator('tr[data-issue-id]').count()).toBe(1);

      await row.getByLabel('Link to URL').fill('https://github.com/octo/linkable/issues/3');
      await row.getByRole('button', { name: 'Link', exact: true }).click();
      await visible(row.getByRole('button', { name: 'Unlink' }));
      expect((await prisma.issue.findUniqueOrThrow({ where: { id: localIssue.id } })).externalId).toBe(
        'github:https://github.com/octo/linkable:3',
      );

      await row.getByRole('button', { name: 'Unlink' }).click();
      await visible(row.getByLabel('Link to URL'));
      expect(await prisma.issue.findUniqueOrThrow({ where: { id: localIssue.id } })).toMatchObject({ externalId: null, unlinked: true });
    });
  });

  timed('a sync the host refuses ends failed, said in plain words', async () => {
    const { broken } = env.repositories;
    env.github.fault({ ...githubFaults.badCredentials(), path: '/repos/octo/broken/issues', times: 10 });
    await withPage(async (page) => {
      await signIn(page, env.tokens.admin);
      const row = await visible(repositoryRow(page, broken.id));
      await syncButton(row).click();
      const dialog = await visible(progressDialog(page));
      const error = await until('the failure', () => textOf(dialog.getByTestId('sync-error')), (text) => text.length > 0, 60_000);
      expect(error).toMatch(/failed/i);
      expect(error).not.toMatch(/\bat \w+ \(|Error:|undefined|null/);
      expect(await textOf(dialog.getByTestId('sync-stage'))).toMatch(/failed/i);
      expect(await dialog.getByRole('button', { name: 'Cancel sync' }).isDisabled()).toBe(true);
      await inspect(page, 'sync-progress-failed', { dialog: true });
      await dialog.getByRole('button', { name: 'Close' }).click();
      expect(await textOf(row)).toMatch(/failed/i);
    });
    expect((await operationsOf(broken.id)).map((operation) => operation.status)).toEqual(['failed']);
  });

  timed('pages through the issues with the cursor, filters them, and links each to its host', async () => {
    await withPage(async (page) => {
      await signIn(page, env.tokens.admin);
      await page.getByRole('link', { name: 'Issues' }).click();
      const rows = page.locator('tr[data-issue-id]');
      await visible(rows.first());
      const seen = new Set<string>();
      let pages = 0;
      for (;;) {
        pages += 1;
        const ids = await rows.evaluateAll((elements: { getAttribute(name: string): string | null }[]) =>
          elements.map((element) => element.getAttribute('data-issue-id') ?? ''),
        );
        expect(ids.length).toBeLessThanOrEqual(50);
        for (const id of ids) {
          expect(seen.has(id), `issue ${id} listed twice`).toBe(false);
          seen.add(id);
        }
        const next = page.getByRole('link', { name: 'Next page' });
        if ((await next.count()) === 0) break;
        await next.click();
        await page.waitForLoadState('load');
        expect(pages).toBeLessThan(10);
      }
      const stored = await env.database.db.prisma.issue.count({ where: { projectId: env.project.id } });
      expect(seen.size).toBe(stored);
      expect(pages).toBe(Math.ceil(stored / 50));

      // Filtered by repository and kind: the synced repository's issues only, each linking to GitHub.
      await page.getByRole('link', { name: 'Issues' }).click();
      await page.getByLabel('Repository').selectOption({ label: 'octo/hello' });
      await page.getByLabel('Kind').selectOption({ label: 'Issues' });
      await page.getByLabel('State').selectOption({ label: 'Open' });
      await page.getByRole('button', { name: 'Filter' }).click();
      await visible(page.getByRole('link', { name: 'Clear filters' }));
      const hrefs = await rows.locator('a[href]').evaluateAll((links: { getAttribute(name: string): string | null }[]) =>
        links.map((link) => link.getAttribute('href') ?? ''),
      );
      expect(hrefs).toHaveLength(50);
      for (const href of hrefs) expect(href).toMatch(/^https:\/\/github\.com\/octo\/hello\/issues\/\d+$/);

      await page.getByLabel('Kind').selectOption({ label: 'Security alerts' });
      await page.getByRole('button', { name: 'Filter' }).click();
      await visible(page.getByText('No stored issue matches these filters.'));
      expect(await rows.count()).toBe(0);
    });
  });

  timed('syncs issues and security alerts together, counting what was already stored as skipped', async () => {
    const { hello } = env.repositories;
    await withPage(async (page) => {
      await signIn(page, env.tokens.admin);
      const row = await visible(repositoryRow(page, hello.id));
      await row.getByLabel('Sync type').selectOption({ label: 'All' });
      await syncButton(row).click();
      const confirmation = await visible(confirmationDialog(page));
      await confirmation.getByRole('button', { name: 'Confirm sync' }).click();
      const dialog = await visible(progressDialog(page));
      const counts = await until('the finished counts', () => textOf(dialog.getByTestId('sync-counts')), (text) => /failed$/.test(text), 60_000);
      expect(counts).toBe('2 created, 0 updated, 120 skipped, 0 failed');
      expect(await textOf(dialog)).toMatch(/120 issues and 2 security alerts/);
      await dialog.getByRole('button', { name: 'Close' }).click();

      await page.getByRole('link', { name: 'Issues' }).click();
      await page.getByLabel('Kind').selectOption({ label: 'Security alerts' });
      await page.getByRole('button', { name: 'Filter' }).click();
      await visible(page.locator('tr[data-issue-id]').first());
      expect(await page.locator('tr[data-issue-id]').count()).toBe(2);
      expect(await textOf(page.locator('tbody'))).toMatch(/Security alert/);
    });
  });

  timed('shows titles and labels from the host as text, never as markup', async () => {
    const title = '<img src=x onerror="document.title=\'pwned\'"><script>document.title=\'pwned\'</script> Crash';
    await env.database.db.prisma.issue.create({
      data: { projectId: env.project.id, title, labels: ['<b>bold</b>', '"><svg onload=alert(1)>'] },
    });
    await withPage(async (page) => {
      await signIn(page, env.tokens.admin);
      await page.getByRole('link', { name: 'Issues' }).click();
      await page.getByLabel('Title contains').fill('Crash');
      await page.getByRole('button', { name: 'Filter' }).click();
      const row = await visible(page.locator('tr[data-issue-id]').filter({ hasText: 'onerror' }));
      expect(await textOf(row)).toContain(title);
      expect(await textOf(row)).toContain('"><svg onload=alert(1)>');
      expect(await row.locator('img, script, svg, b').count()).toBe(0);
      expect(await page.title()).not.toBe('pwned');
    });
  });

  timed('says in plain words why a link cannot be made', async () => {
    const { localIssue } = env;
    await withPage(async (page) => {
      await signIn(page, env.tokens.admin);
      await page.getByRole('link', { name: 'Issues' }).click();
      await page.getByLabel('Title contains').fill('Printer on fire');
      await page.getByRole('button', { name: 'Filter' }).click();
      const row = await visible(page.locator(`tr[data-issue-id="${localIssue.id}"]`));
      const attempts: [string, RegExp][] = [
        // No such issue on the host.
        ['https://github.com/octo/linkable/issues/999', /no such|has no|not found|does not exist/i],
        // Already held by a synced issue of the project.
        ['https://github.com/octo/hello/issues/7', /already/i],
        // A repository the project does not have.
        ['https://github.com/someone/else/issues/1', /repositor/i],
      ];
      for (const [url, expected] of attempts) {
        await row.getByLabel('Link to URL').fill(url);
        await row.getByRole('button', { name: 'Link', exact: true }).click();
        const message = await until(`the error for ${url}`, () => textOf(row.getByRole('alert')), (text) => text.length > 0);
        expect(message, url).toMatch(expected);
        expect(message, url).not.toMatch(/Error:|undefined|\bat \w+ \(/);
        expect(await row.getAttribute('data-linked')).toBe('false');
      }
    });
    expect((await env.database.db.prisma.issue.findUniqueOrThrow({ where: { id: localIssue.id } })).externalId).toBeNull();
  });

  timed('an admin back-fills the stale repositories and connects one more', async () => {
    const { slow } = env.repositories;
    await withPage(async (page) => {
      await signIn(page, env.tokens.admin);
      await page.getByRole('button', { name: 'Back-fill every stale repository' }).click();
      await until('the back-fill to be announced', () => textOf(page.locator('#page-status')), (text) => /back-fill/i.test(text));
      expect(await textOf(page.locator('#page-status'))).toMatch(/1 stale repository/);
      const row = repositoryRow(page, slow.id);
      await until('the back-fill to finish in its row', () => textOf(row), (text) => /completed/i.test(text), 60_000);

      await page.getByLabel('Host').selectOption({ label: 'GitHub' });
      await page.getByLabel('Repository', { exact: true }).fill('octo/fresh');
      await page.getByLabel('API URL (optional)').fill(env.github.url);
      // A wrong token is refused with the host's reason and nothing is stored.
      await page.getByLabel('Access token').fill('ghp_wrong');
      await page.getByRole('button', { name: 'Connect repository' }).click();
      const refusal = await until('the refusal', () => textOf(page.locator('#connect-error')), (text) => text.length > 0);
      expect(refusal).toMatch(/token|credential/i);
      expect(await env.database.db.prisma.repositoryConnection.count({ where: { fullPath: 'octo/fresh' } })).toBe(0);

      await page.getByLabel('Access token').fill(GITHUB_TOKEN);
      await page.getByRole('button', { name: 'Connect repository' }).click();
      await until('the connected repository', () => textOf(page.locator('#page-status')), (text) => /Connected octo\/fresh/.test(text));
      const fresh = await env.database.db.prisma.repositoryConnection.findFirstOrThrow({ where: { fullPath: 'octo/fresh' } });
      await visible(repositoryRow(page, fresh.id));
    });
    const backfills = await operationsOf(slow.id);
    expect(backfills.at(-1)).toMatchObject({ status: 'completed', trigger: 'admin' });
  });

  timed('a session whose token is revoked ends at the next page, saying so', async () => {
    const token = await env.addUser('rita', 'member');
    await withPage(async (page) => {
      await signIn(page, token);
      await visible(repositoryRow(page, env.repositories.hello.id));
      await env.database.db.prisma.apiToken.updateMany({ where: { user: { name: 'rita' } }, data: { revokedAt: new Date() } });
      await page.reload();
      await visible(page.getByLabel('API token'));
      expect(await textOf(page.locator('main'))).toMatch(/session has ended/i);
      expect(await page.locator('tr[data-repository-id]').count()).toBe(0);
    });
  });

  timed('refuses a state-changing request that carries the session cookie but comes from another site', async () => {
    const { limited } = env.repositories;
    const before = (await operationsOf(limited.id)).length;
    await withPage(async (page) => {
      await signIn(page, env.tokens.admin);
      const syncUrl = `${env.url}/api/projects/${env.project.slug}/repositories/${limited.id}/sync`;
      const foreign: Record<string, string>[] = [{ origin: 'http://evil.example' }, { referer: 'http://evil.example/page' }, {}];
      for (const headers of foreign) {
        const answer = await page.request.post(syncUrl, { headers, data: { syncType: 'issues', confirm: true } });
        expect(answer.status(), `sync with ${JSON.stringify(headers)}`).toBe(403);
        expect(((await answer.json()) as { error: string }).error).toBe('cross_site_request');
      }
      // From the dashboard's own origin the same cookie passes that check (and meets a 404 here).
      const own = await page.request.post(`${env.url}/api/sync-operations/00000000-0000-4000-8000-000000000000/cancel`, {
        headers: { origin: new URL(env.url).origin },
      });
      expect(own.status()).toBe(404);
      // Another site's form cannot sign a browser in with a token of its choosing either.
      const foreignSignIn = await page.request.post(`${env.url}/dashboard/sign-in`, {
        headers: { origin: 'http://evil.example' },
        form: { token: env.tokens.viewer },
        maxRedirects: 0,
      });
      expect(foreignSignIn.status()).toBe(403);
    });
    expect(await operationsOf(limited.id)).toHaveLength(before);
  });

  timed('the sign-in page and the repositories page each weigh under 100 KB with everything they load', async () => {
    const weight = async (page: Page) =>
      (await page.evaluate(`performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))
        .reduce((sum, entry) => sum + entry.decodedBodySize, 0)`)) as number;
    await withPage(async (page) => {
      await openSignIn(page);
      await page.waitForLoadState('load');
      const signInBytes = await weight(page);
      await signIn(page, env.tokens.admin);
      await page.waitForLoadState('load');
      const repositoriesBytes = await weight(page);
      timings.push(`  page weights: sign-in ${signInBytes} B, repositories ${repositoriesBytes} B`);
      expect(signInBytes).toBeGreaterThan(0);
      expect(signInBytes).toBeLessThan(100 * 1024);
      expect(repositoriesBytes).toBeLessThan(100 * 1024);
    });
  });

  timed('signs out: the cookie is gone and the pages ask for a token again', async () => {
    await withPage(async (page) => {
      await signIn(page, env.tokens.admin);
      const signedInUrl = page.url();
      await page.getByRole('button', { name: 'Sign out' }).click();
      await visible(page.getByLabel('API token'));
      expect((await page.context().cookies()).filter((cookie) => cookie.httpOnly)).toEqual([]);
      await page.goto(signedInUrl);
      await visible(page.getByLabel('API token'));
      expect(await page.locator('tr[data-repository-id]').count()).toBe(0);
    });
  });

  timed('the pages load nothing from another origin and fit 360 px without scrolling sideways', async () => {
    expect([...foreignRequests]).toEqual([]);
    const wide = [...overflows].filter(([, overflow]) => overflow > 1);
    expect(wide, 'pages wider than the phone screen (page, extra px)').toEqual([]);
  });

  timed('axe-core finds no serious or critical violation on any page, light or dark', async () => {
    const pages = new Set(scans.map((scan) => scan.page));
    for (const expected of ['sign-in', 'sign-in-error', 'sync-progress-failed', 'project-picker', 'repositories', 'repositories-viewer', 'sync-confirmation', 'sync-progress', 'sync-progress-rate-limit', 'issues']) {
      expect(pages, `scanned ${expected}`).toContain(expected);
    }
    const blocking = scans.flatMap((scan) =>
      blockingViolations(scan).map((violation) => `${scan.page} (${scan.colorScheme}): ${violation.impact} ${violation.id} — ${violation.help} at ${violation.targets.join(', ')}`),
    );
    expect(blocking).toEqual([]);
  });
});
