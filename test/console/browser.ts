// The console's browser tests: Debian's Chromium driven by playwright-core against the real stack (API with
// its built console, a worker, the Temporal dev server, PostgreSQL). Each page a test visits is checked with
// axe-core; a test's screenshots go to test/console/output/.
import AxeBuilder from '@axe-core/playwright';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { findChromium } from '../../scripts/lib/browser';
import { OFFICE_TOKEN, type ApiUnderTest } from '../api/harness';
import { slowly } from '../support/eventually';

export const OUTPUT_DIR = path.join(__dirname, 'output');

/** The flags Chromium needs as root on this closed network (no sandbox, no GPU, no background connections). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** Chromium, headless, with a new empty profile (Playwright makes one per launch). */
/** Closes the browser, saying on stderr while it has not (a teardown that hangs names itself). */
export async function closeBrowser(browser: Browser | undefined): Promise<void> {
  if (browser) await slowly('Chromium closing', () => browser.close());
}

export async function launchBrowser(): Promise<Browser> {
  fs.rmSync(path.join(OUTPUT_DIR, 'axe.jsonl'), { force: true });
  const executablePath = process.env.CHROMIUM_PATH || findChromium();
  if (!executablePath)
    throw new Error("no Chromium found: install Debian's chromium package or set CHROMIUM_PATH (npm test installs it when it can)");
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
}

/**
 * A fresh context (its own storage: a person in their own browser), by default in China's time zone at 1280×900;
 * `timezoneId` and `viewport` set another machine (a browser set to UTC, a phone of 390×844).
 */
export async function newPerson(
  browser: Browser,
  baseURL: string,
  locale = 'zh-CN',
  o: { timezoneId?: string; viewport?: { width: number; height: number }; isMobile?: boolean } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  // Reduced motion: the console then draws without animations, so what axe and screenshots see is settled.
  const context = await browser.newContext({
    baseURL,
    locale,
    timezoneId: o.timezoneId ?? 'Asia/Shanghai',
    viewport: o.viewport ?? { width: 1280, height: 900 },
    ...(o.isMobile ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
    reducedMotion: 'reduce',
  });
  const page = await context.newPage();
  page.setDefaultTimeout(90_000);
  page.on('pageerror', (e) => console.error(`[browser] ${e.stack ?? e.message}`));
  return { context, page };
}

export interface AxeFinding {
  page: string;
  id: string;
  impact: string;
  help: string;
  nodes: string[];
}

/** Every serious or critical axe-core violation (WCAG 2.x A and AA rules) on the page as it is now. */
export async function seriousViolations(page: Page, name: string): Promise<AxeFinding[]> {
  // Nothing still loading (spinners fade what is under them).
  await page
    .locator('.ant-spin-spinning')
    .first()
    .waitFor({ state: 'detached', timeout: 30_000 })
    .catch(() => undefined);
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const findings = result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ page: name, id: v.id, impact: v.impact!, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) }));
  fs.mkdirSync(OUTPUT_DIR, { recursive: true });
  fs.appendFileSync(
    path.join(OUTPUT_DIR, 'axe.jsonl'),
    `${JSON.stringify({ page: name, url: page.url(), passes: result.passes.length, violations: result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 8).map((n) => `${n.target.join(' ')} ${n.failureSummary ?? ''}`.slice(0, 300)) })) })}\n`,
  );
  return findings;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(OUTPUT_DIR, { recursive: true });
  const file = path.join(OUTPUT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Types a date (`YYYY-MM-DD`) or a date-time (`YYYY-MM-DD HH:mm`) into an Ant Design picker and commits it. */
export async function pick(input: Locator, value: string): Promise<void> {
  await input.click();
  await input.fill(value);
  // Tab, not Enter: Enter in a form's field submits the form.
  await input.press('Tab');
  // The picker's panel closes once the value is taken.
  await input
    .page()
    .locator('.ant-picker-dropdown:not(.ant-picker-dropdown-hidden)')
    .first()
    .waitFor({ state: 'hidden', timeout: 10_000 })
    .catch(() => undefined);
}

/** The confirmation an irreversible action asks for: checks what it says, then confirms (or cancels). */
export async function answerConfirmation(page: Page, answer: 'ok' | 'cancel', says?: RegExp | string): Promise<string> {
  // The whole dialog: its title (what) and its summary (what will happen).
  await page.getByTestId('confirm-summary').last().waitFor();
  const summary = page
    .getByRole('dialog')
    .filter({ has: page.getByTestId('confirm-summary') })
    .last();
  const text = await summary.innerText();
  if (says && !(typeof says === 'string' ? text.includes(says) : says.test(text))) {
    throw new Error(`the confirmation does not say ${String(says)}: ${JSON.stringify(text)}`);
  }
  await page
    .getByTestId(answer === 'ok' ? 'confirm-ok' : 'confirm-cancel')
    .last()
    .click();
  await summary.waitFor({ state: 'detached' });
  return text;
}

/**
 * The pages a test visited, each checked with axe-core as it is seen (`audit`); `expectNone` asserts, per test,
 * that none had a serious or critical violation.
 */
export function axeAudits(): { audit: (page: Page, name: string) => Promise<void>; expectNone: () => void } {
  const findings: AxeFinding[] = [];
  return {
    audit: async (page, name) => {
      await page.waitForLoadState('networkidle');
      findings.push(...(await seriousViolations(page, name)));
    },
    expectNone: () => {
      expect(findings.splice(0)).toEqual([]);
    },
  };
}

/** Signs in on the sign-in page with a token, as a person pastes one. */
export async function signInWithToken(page: Page, token: string): Promise<void> {
  await page.goto('/sign-in');
  await page.getByTestId('token-input').fill(token);
  await page.getByRole('button', { name: '登录' }).last().click();
  await page.getByTestId('signed-in-as').waitFor();
}

/** Signs in by a one-time link the office made for the principal; the code never stays in the address bar. */
export async function signInWithLink(page: Page, api: ApiUnderTest, principalId: string): Promise<void> {
  const link = await api.call('POST', `/api/principals/${principalId}/sign-in-links`, { token: OFFICE_TOKEN });
  expect(link.status).toBe(201);
  await page.goto(link.body.path);
  await page.getByTestId('signed-in-as').waitFor();
  expect(page.url()).not.toContain('code=');
}
