/**
 * Headless Chromium for the dashboard's end-to-end tests: the Debian `chromium` package driven by
 * playwright-core (no browser is downloaded), an axe-core accessibility scan injected into the page,
 * and screenshots at desktop and phone width in light and dark under `test-results/screenshots/`.
 *
 *   const browser = await launchChromium();            // fails, saying how to install it, when missing
 *   const page = await (await newDashboardContext(browser)).newPage();
 *   const scan = await scanAccessibility(page, 'repositories');
 *   await captureScreenshots(page, 'repositories');
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';

/** Where the Debian package puts it; `CHROMIUM_PATH` points elsewhere. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const SCREENSHOT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../test-results/screenshots');

export const VIEWPORTS = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 360, height: 740 },
} as const;

export type ViewportName = keyof typeof VIEWPORTS;
export type ColorScheme = 'light' | 'dark';

/** Launches the system Chromium headless; a missing browser is an error that says how to install it. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `The dashboard's browser tests need Chromium at ${CHROMIUM_PATH} and it is not there. Install it with ` +
        '`apt-get update && apt-get install -y --no-install-recommends chromium` (.ci/run does this), ' +
        'or set CHROMIUM_PATH to a Chromium binary.',
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'],
    // A loaded machine can take a while to start a browser.
    timeout: 60_000,
  });
}

/**
 * A fresh context (its own cookies) on the desktop viewport in light mode, with generous timeouts
 * for a loaded machine. `timezoneId` fixes the clock times the pages show.
 */
export async function newDashboardContext(browser: Browser, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  const context = await browser.newContext({
    viewport: VIEWPORTS.desktop,
    colorScheme: 'light',
    locale: 'en-GB',
    timezoneId: 'UTC',
    ...options,
  });
  context.setDefaultTimeout(20_000);
  context.setDefaultNavigationTimeout(30_000);
  return context;
}

export interface AxeViolation {
  id: string;
  impact: 'minor' | 'moderate' | 'serious' | 'critical' | null;
  help: string;
  /** CSS selectors of the first few nodes that violate the rule. */
  targets: string[];
  nodes: number;
}

export interface AccessibilityScan {
  page: string;
  colorScheme: ColorScheme;
  url: string;
  violations: AxeViolation[];
  passes: number;
}

const require = createRequire(import.meta.url);
let axeSource: Promise<string> | null = null;

/**
 * Runs axe-core (every rule but the experimental ones) on the page as it is now, in the given colour
 * scheme (light by default; the scheme is left as it was found). The script is evaluated through the
 * DevTools protocol, so a Content-Security-Policy without inline scripts does not stop it.
 */
export async function scanAccessibility(page: Page, name: string, colorScheme: ColorScheme = 'light'): Promise<AccessibilityScan> {
  axeSource ??= readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  const source = await axeSource;
  await page.emulateMedia({ colorScheme });
  try {
    const injected = await page.evaluate('typeof window.axe === "object"');
    if (!injected) await page.evaluate(source);
    const result = (await page.evaluate(`(async () => {
      const results = await window.axe.run(document, { resultTypes: ['violations'] });
      return {
        passes: results.passes.length,
        violations: results.violations.map((violation) => ({
          id: violation.id,
          impact: violation.impact ?? null,
          help: violation.help,
          nodes: violation.nodes.length,
          targets: violation.nodes.slice(0, 5).map((node) => node.target.join(' ')),
        })),
      };
    })()`)) as { passes: number; violations: AxeViolation[] };
    return { page: name, colorScheme, url: page.url(), ...result };
  } finally {
    await page.emulateMedia({ colorScheme: 'light' });
  }
}

/** Violations that fail the tests: serious and critical ones. */
export function blockingViolations(scan: AccessibilityScan): AxeViolation[] {
  return scan.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
}

/** One line per scan: the page, the scheme, and its violations by impact with their rule ids. */
export function summarizeScans(scans: readonly AccessibilityScan[]): string {
  const lines = scans.map((scan) => {
    const byImpact = new Map<string, string[]>();
    for (const violation of scan.violations) {
      const impact = violation.impact ?? 'unknown';
      byImpact.set(impact, [...(byImpact.get(impact) ?? []), `${violation.id}×${violation.nodes}`]);
    }
    const found = [...byImpact].map(([impact, ids]) => `${impact}: ${ids.join(', ')}`).join('; ');
    return `  ${`${scan.page} (${scan.colorScheme})`.padEnd(34)} ${scan.passes} rules pass, ${
      scan.violations.length === 0 ? 'no violation' : `${scan.violations.length} violated (${found})`
    }`;
  });
  return [`axe-core: ${scans.length} scans`, ...lines].join('\n');
}

/**
 * Screenshots of the page as it is now at desktop and phone width, light and dark:
 * `test-results/screenshots/<name>-<desktop|phone>-<light|dark>.png`; the whole page, or only the
 * viewport with `fullPage: false` (a modal dialog's backdrop covers the viewport only). The viewport
 * and scheme are put back afterwards. Returns the files written.
 */
export async function captureScreenshots(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<string[]> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const before = page.viewportSize() ?? VIEWPORTS.desktop;
  const files: string[] = [];
  try {
    for (const viewport of Object.keys(VIEWPORTS) as ViewportName[]) {
      await page.setViewportSize(VIEWPORTS[viewport]);
      for (const colorScheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme });
        const file = path.join(SCREENSHOT_DIR, `${name}-${viewport}-${colorScheme}.png`);
        await page.screenshot({ path: file, fullPage: options.fullPage ?? true, animations: 'disabled', caret: 'hide' });
        files.push(file);
      }
    }
  } finally {
    await page.setViewportSize(before);
    await page.emulateMedia({ colorScheme: 'light' });
  }
  return files;
}

/**
 * How far the page scrolls sideways at the phone width (0: it fits). Measured on the document, so
 * a wide table inside its own scrolling box does not count. The viewport is put back afterwards.
 */
export async function sidewaysOverflowAtPhoneWidth(page: Page): Promise<number> {
  const before = page.viewportSize() ?? VIEWPORTS.desktop;
  await page.setViewportSize(VIEWPORTS.phone);
  try {
    // The renderer takes the new size a frame or two later: measure once it has laid the page out at it.
    await page.waitForFunction(`window.innerWidth === ${VIEWPORTS.phone.width}`);
    await page.evaluate('new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))');
    return (await page.evaluate(
      'Math.max(document.documentElement.scrollWidth, document.body ? document.body.scrollWidth : 0) - document.documentElement.clientWidth',
    )) as number;
  } finally {
    await page.setViewportSize(before);
  }
}
