import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { inCi } from '../src/sandbox/testing.ts';

export const ARTIFACTS = join(import.meta.dirname, '..', 'test-artifacts');

/** Debian's chromium: `CHROMIUM_PATH`, else `chromium` on the PATH (never a browser Playwright downloads). */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const configured = env.CHROMIUM_PATH?.trim();
  if (configured) return existsSync(configured) ? configured : undefined;
  try {
    return (
      execFileSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], {
        encoding: 'utf8',
      }).trim() || undefined
    );
  } catch {
    return undefined;
  }
}

/**
 * `describe` for tests that drive a real browser: they run where chromium is installed; locally
 * without it they are skipped with the reason printed; in CI (`CI` set) they FAIL instead, so a
 * runner without chromium cannot pass green with none of them run (as describeWithSandbox does).
 */
export function describeWithChromium(title: string, body: () => void): void {
  const path = chromiumPath();
  if (path) {
    describe(title, body);
    return;
  }
  const reason = `no chromium (set CHROMIUM_PATH, or \`apt-get install chromium\`)`;
  if (inCi()) {
    describe(title, () => {
      it('needs chromium in CI', () => {
        throw new Error(
          `CI is set and the browser tests cannot run: ${reason}. In CI they must run, not skip.`,
        );
      });
    });
    return;
  }
  console.warn(`SKIPPING the browser tests "${title}": ${reason}`);
  describe.skip(`${title} (SKIPPED: ${reason})`, body);
}

/** One browser for the whole file: launched before its first test, closed after its last, pass or fail. */
export function useBrowser(): { readonly browser: Browser } {
  const state: { browser?: Browser } = {};
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    state.browser = await launchChromium();
  });
  afterAll(async () => {
    await state.browser?.close();
  });
  return {
    get browser() {
      if (!state.browser) throw new Error('the browser is not launched yet');
      return state.browser;
    },
  };
}

export function launchChromium(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error('chromium not found: set CHROMIUM_PATH');
  // --no-sandbox: chromium's own sandbox needs user namespaces a container may not give it.
  return chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu'] });
}

/**
 * A new browser context logged in to the dashboard the way a person is: the one-time link
 * (`loginLink()`, what `codex-task ui` opens) — its page trades the code for a session secret
 * kept in the origin's localStorage — and lands on /ui/. `beforeLogin` runs in the fresh context.
 */
export async function openDashboard(
  browser: Browser,
  server: { loginLink(): { url: string } },
  options: {
    colorScheme?: 'light' | 'dark';
    hash?: string;
    beforeLogin?: (context: BrowserContext) => Promise<void>;
  } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: { width: 1440, height: 900 },
    colorScheme: options.colorScheme ?? 'light',
  });
  await options.beforeLogin?.(context);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  (page as Page & { errors: string[] }).errors = errors;
  await page.goto(server.loginLink().url);
  await page.waitForSelector('[data-connection="live"]');
  if (options.hash) await page.evaluate(`location.hash = ${JSON.stringify(options.hash)}`);
  return { context, page };
}

/**
 * Runs `source` (a function expression) in the page with `arg`: test code is type-checked without
 * the DOM's types (they would clash with Node's), so code for the page is written as text.
 */
export function inPage<T>(page: Page, source: string, arg?: unknown): Promise<T> {
  return page.evaluate(`(${source})(${JSON.stringify(arg ?? null)})`) as Promise<T>;
}

/** Waits for `selector`; a timeout says what went wrong in the page too (a script error, a CSP refusal). */
export async function shown(page: Page, selector: string): Promise<void> {
  try {
    await page.waitForSelector(selector, { timeout: 10_000 });
  } catch (error) {
    throw new Error(`${(error as Error).message}\npage errors: ${JSON.stringify(pageErrors(page))}`);
  }
}

/** The page's script errors and console errors so far (a CSP violation is one). */
export const pageErrors = (page: Page): string[] => (page as Page & { errors: string[] }).errors;
