import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { IN_CI } from './databases.js';
import { startListeningApp, type ListeningApp } from './listening.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Debian's Chromium; browser tests never download a browser. */
export const CHROMIUM_PATH = process.env.LECTERN_CHROMIUM_PATH ?? '/usr/bin/chromium';

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'];

/**
 * Why browser tests cannot run here, or null when they can. Without Chromium they are skipped
 * locally with a loud warning; in CI this is always null, so the launch fails and the run fails.
 */
export function browserSkipReason(): string | null {
  if (fs.existsSync(CHROMIUM_PATH) || IN_CI) return null;
  const reason = `Chromium is not installed at ${CHROMIUM_PATH} (apt-get install -y chromium); browser tests are SKIPPED locally`;
  console.warn(`\n!!! ${reason} !!!\n`);
  return reason;
}

/** Launches headless Debian Chromium (with `extraArgs` after the usual flags), failing with a clear message when it is missing. */
export async function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium is required for the browser tests but ${CHROMIUM_PATH} does not exist. Install it with: apt-get install -y chromium`);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: [...CHROMIUM_ARGS, ...extraArgs] });
}

/** The real server on a real port, with a fresh SQLite database, for a browser to talk to. */
/** A desktop-sized page with the timeout every browser test uses. */
export async function newConsolePage(browser: Browser): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(10_000);
  return page;
}

/** The console server: the real app listening on loopback (see startListeningApp). */
export type ConsoleServer = ListeningApp;

/** Starts the server as `lectern serve` would (migrations, bootstrap admin, built console) on SQLite. */
export async function startConsoleServer(env: Record<string, string> = {}): Promise<ConsoleServer> {
  const index = path.join(repoRoot, 'web/dist/index.html');
  if (!fs.existsSync(index)) {
    throw new Error(`The console is not built (${index} is missing). Run \`npm run build\` before the browser tests; \`npm test\` and scripts/run-tests.mjs do this.`);
  }
  return startListeningApp('sqlite', env);
}

/**
 * Where screenshots go (git-ignored). README images are copied to docs/screenshots only when
 * LECTERN_DOCS_SCREENSHOTS=1, so an ordinary test run leaves the work tree clean.
 */
export const SCREENSHOT_DIR = path.join(repoRoot, 'test-output/screenshots');
const DOCS_SCREENSHOT_DIR = path.join(repoRoot, 'docs/screenshots');

/** Saves a screenshot of `page` as test-output/screenshots/<name>.png, optionally also for the docs. */
export async function screenshot(page: Page, name: string, opts: { fullPage?: boolean; docsName?: string } = {}): Promise<string> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  if (opts.fullPage) {
    // Playwright's fullPage capture leaves sticky bars where the viewport was; a viewport as tall
    // as the page renders them where a person scrolling would see them.
    const viewport = page.viewportSize() ?? { width: 1280, height: 900 };
    const height = Number(await page.evaluate('document.documentElement.scrollHeight'));
    await page.setViewportSize({ width: viewport.width, height: Math.max(height, viewport.height) });
    await page.screenshot({ path: file, animations: 'disabled', caret: 'hide' });
    await page.setViewportSize(viewport);
  } else {
    await page.screenshot({ path: file, animations: 'disabled', caret: 'hide' });
  }
  if (opts.docsName && process.env.LECTERN_DOCS_SCREENSHOTS === '1') {
    fs.mkdirSync(DOCS_SCREENSHOT_DIR, { recursive: true });
    fs.copyFileSync(file, path.join(DOCS_SCREENSHOT_DIR, opts.docsName));
  }
  return file;
}

/** Signs in at the console's sign-in page and waits to land at `landing` (by default anywhere past /login). */
export async function signInToConsole(page: Page, serverUrl: string, login: string, password: string, landing?: string): Promise<void> {
  await page.goto(`${serverUrl}/login`);
  await page.getByLabel('Login or email').fill(login);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(landing ?? ((u) => !u.pathname.startsWith('/login')));
}
