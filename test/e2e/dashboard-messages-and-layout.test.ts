/**
 * The dashboard's words and fit, in headless Chromium against the real service (as in
 * dashboard.test.ts):
 * - its errors are in the dashboard's words: a person who clicked a button is not told to pass a
 *   command-line option (`--token`), and the connect form's refusal does not point at a token
 *   "stored on the repository connection" that it has not stored;
 * - an issue title with nowhere to break a line (a class or method name) wraps inside its row, and
 *   the issues page does not scroll sideways on a phone;
 * - a click on "Sync now" that meets a sync already running (started from another tab, by a webhook's
 *   backfill, by someone else) opens the progress of that other sync and keeps saying so after the
 *   polls of the operation answer, so the dialog does not look like the sync just asked for.
 */
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureScreenshots, launchChromium, newDashboardContext, sidewaysOverflowAtPhoneWidth } from '../support/browser.js';
import { githubFaults } from '../support/github-simulator.js';
import { startDashboardService, type DashboardService } from './dashboard-service.js';

let env: DashboardService;
let browser: Browser;

beforeAll(async () => {
  const [service, chromium] = await Promise.allSettled([startDashboardService(), launchChromium()]);
  if (service.status === 'fulfilled') env = service.value;
  if (chromium.status === 'fulfilled') browser = chromium.value;
  if (chromium.status === 'rejected') throw chromium.reason;
  if (service.status === 'rejected') throw service.reason;
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await env?.close();
}, 120_000);

/** Command-line speak: an option such as `--token`. */
const CLI_WORDS = /(^|\s)--[a-z][\w-]*/;

async function signedIn(fn: (page: Page) => Promise<void>): Promise<void> {
  const context = await newDashboardContext(browser);
  try {
    const page = await context.newPage();
    await page.goto(`${env.url}/`);
    await page.getByLabel('API token').fill(env.tokens.admin);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor({ state: 'visible', timeout: 30_000 });
    await fn(page);
  } finally {
    await context.close();
  }
}

async function textWhenSet(locator: Locator): Promise<string> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const text = ((await locator.textContent()) ?? '').replace(/\s+/g, ' ').trim();
    if (text || Date.now() > deadline) return text;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("the dashboard's errors", () => {
  it('a sync the host refuses says what to do in the dashboard, not on the command line', async () => {
    env.github.fault({ ...githubFaults.badCredentials(), path: '/repos/octo/broken/issues', times: 10 });
    await signedIn(async (page) => {
      const row = page.locator(`tr[data-repository-id="${env.repositories.broken.id}"]`);
      await row.getByRole('button', { name: /^Sync/ }).click();
      const error = await textWhenSet(page.locator('dialog#sync-progress').getByTestId('sync-error'));
      expect(error).toMatch(/token/i);
      expect(error).not.toMatch(CLI_WORDS);
    });
  }, 120_000);

  it('the connect form refuses a wrong token without pointing at the command line or at a token it did not store', async () => {
    await signedIn(async (page) => {
      await page.getByLabel('Host').selectOption({ label: 'GitHub' });
      await page.getByLabel('Repository', { exact: true }).fill('octo/fresh');
      await page.getByLabel('API URL (optional)').fill(env.github.url);
      await page.getByLabel('Access token').fill('ghp_wrong');
      await page.getByRole('button', { name: 'Connect repository' }).click();
      const refusal = await textWhenSet(page.locator('#connect-error'));
      expect(refusal).toMatch(/token/i);
      expect(refusal).not.toMatch(CLI_WORDS);
      expect(refusal).not.toMatch(/stored on the repository connection/i);
    });
  }, 120_000);
});

describe('the issues page on a phone', () => {
  it('keeps a title with nowhere to break a line inside its row, with no sideways scrolling at 360 px', async () => {
    const title = 'Crash in AbstractSingletonProxyFactoryBeanConfigurationProviderImplementation.handleRequestWithRetriesAndBackoff()';
    await env.database.db.prisma.issue.create({ data: { projectId: env.project.id, title } });
    await signedIn(async (page) => {
      await page.getByRole('link', { name: 'Issues' }).click();
      await page.getByLabel('Title contains').fill('AbstractSingletonProxy');
      await page.getByRole('button', { name: 'Filter' }).click();
      await page.locator('tr[data-issue-id]').first().waitFor({ state: 'visible' });
      await captureScreenshots(page, 'issues-long-title');
      expect(await sidewaysOverflowAtPhoneWidth(page), 'pixels the page scrolls sideways at 360 px').toBeLessThanOrEqual(1);
    });
  }, 120_000);
});

describe('a click that meets a sync already running', () => {
  it('keeps saying that the progress shown is of the sync that was already running', async () => {
    const { slow } = env.repositories;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let listed = 0;
    env.github.onRequest(async ({ url }) => {
      if (url.pathname === '/repos/octo/slow/issues' && ++listed === 2) await held;
    });
    try {
      await signedIn(async (page) => {
        const row = page.locator(`tr[data-repository-id="${slow.id}"]`);
        await row.waitFor({ state: 'visible' });
        // Someone else's sync of the repository starts after this page was loaded.
        await env.service.jobs.start({
          projectId: env.project.id, repositoryId: slow.id, syncType: 'issues', includeClosed: true, trigger: 'manual',
        });
        const deadline = Date.now() + 60_000;
        while (listed < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
        expect(listed, 'the other sync is held on its second listing request').toBeGreaterThanOrEqual(2);

        await row.getByRole('button', { name: /^Sync/ }).click();
        const dialog = page.locator('dialog#sync-progress');
        await dialog.waitFor({ state: 'visible' });
        // Once the dialog shows the running sync's progress (a poll has answered)...
        const bar = dialog.locator('progress');
        for (;;) {
          const fraction = await bar.evaluate((element: { position: number }) => element.position);
          if (fraction > 0 || Date.now() > deadline) break;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        // ...it still says that this is the sync that was already running, not one just started.
        expect(((await dialog.textContent()) ?? '').replace(/\s+/g, ' ')).toMatch(/already running/i);
      });
    } finally {
      env.github.onRequest(null);
      release();
    }
  }, 120_000);
});
