// Drives Debian's chromium (never a downloaded browser) with playwright-core against code-server's
// workbench. playwright-core lives in .cache/vscode-e2e/node_modules, installed by install.sh only, so it
// is loaded at run time and typed here by the few calls the test makes: the project's typecheck
// passes on a machine that never ran the heavy install.

import { createRequire } from 'node:module';
import path from 'node:path';
import { E2E_MODULES } from './code-server-session';

export const CHROMIUM = '/usr/bin/chromium';
/** The flags that work on these machines (see docs: oracles). */
const CHROMIUM_FLAGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

export interface Box { x: number; y: number; width: number; height: number }
interface WaitOptions { timeout?: number }
export interface Locator {
  first(): Locator;
  nth(index: number): Locator;
  filter(o: { hasText?: string | RegExp }): Locator;
  locator(selector: string, o?: { hasText?: string | RegExp }): Locator;
  click(o?: WaitOptions): Promise<void>;
  waitFor(o?: { state?: 'attached' | 'detached' | 'visible' | 'hidden' } & WaitOptions): Promise<void>;
  innerText(o?: WaitOptions): Promise<string>;
  count(): Promise<number>;
  isVisible(): Promise<boolean>;
}
export interface Page {
  goto(url: string, o?: WaitOptions & { waitUntil?: 'load' | 'domcontentloaded' }): Promise<unknown>;
  locator(selector: string, o?: { hasText?: string | RegExp }): Locator;
  screenshot(o: { path: string }): Promise<unknown>;
  evaluate<R>(expression: string): Promise<R>;
  setDefaultTimeout(ms: number): void;
  keyboard: { press(key: string): Promise<void>; type(text: string): Promise<void> };
  mouse: { move(x: number, y: number, o?: { steps?: number }): Promise<void> };
  waitForTimeout(ms: number): Promise<void>;
}
export interface Browser {
  newPage(o: { viewport: { width: number; height: number } }): Promise<Page>;
  close(): Promise<void>;
}
interface PlaywrightCore {
  chromium: { launch(o: { executablePath: string; headless: boolean; args: string[]; timeout: number }): Promise<Browser> };
}

export function loadPlaywright(): PlaywrightCore {
  const requireHere = createRequire(path.join(E2E_MODULES, '..', 'package.json'));
  return requireHere('playwright-core') as PlaywrightCore;
}

export async function launchChromium(timeoutMs: number): Promise<Browser> {
  // playwright-core gives every launch a fresh temporary --user-data-dir.
  return loadPlaywright().chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS, timeout: timeoutMs });
}

/** Closes the browser, or gives up after timeoutMs (playwright then kills it when this process exits). */
export async function closeWithin(browser: Browser, timeoutMs: number): Promise<void> {
  await Promise.race([browser.close(), new Promise((r) => setTimeout(r, timeoutMs))]);
}

/**
 * The screen rectangle of the first occurrence of `word` on the editor line whose text (spaces
 * normalised) starts with `lineStart`. Monaco renders each visible line as a .view-line; a DOM Range
 * over the word's characters gives its exact place whatever the tokenization split it into.
 */
export async function editorWordBox(page: Page, lineStart: string, word: string): Promise<Box | null> {
  const expr = `(() => {
    const lineStart = ${JSON.stringify(lineStart)}, word = ${JSON.stringify(word)};
    const norm = (s) => s.replace(/[\\u00a0\\s]+/g, ' ').trim();
    for (const line of document.querySelectorAll('.monaco-editor .view-lines .view-line')) {
      if (!norm(line.textContent || '').startsWith(lineStart)) continue;
      const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const i = n.textContent.indexOf(word);
        if (i < 0) continue;
        const r = document.createRange();
        r.setStart(n, i);
        r.setEnd(n, i + word.length);
        const b = r.getBoundingClientRect();
        return { x: b.x, y: b.y, width: b.width, height: b.height };
      }
    }
    return null;
  })()`;
  return page.evaluate<Box | null>(expr);
}

/** Moves the mouse onto a word of a line and returns the hover widget's text once it contains `expect`. */
export async function hoverEditorWord(page: Page, lineStart: string, word: string, expect: RegExp, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    // An earlier hover may cover the target line, and a pointer resting on a hover keeps it open:
    // dismiss it and park the pointer away from the editor first.
    await page.keyboard.press('Escape');
    await page.mouse.move(5, 5, { steps: 2 });
    await page.locator('.monaco-hover:not(.hidden)').first().waitFor({ state: 'hidden', timeout: 3000 }).catch(() => undefined);
    const box = await editorWordBox(page, lineStart, word);
    if (box) {
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 4 });
      const hover = page.locator('.monaco-hover:not(.hidden)', { hasText: expect }).first();
      try {
        await hover.waitFor({ state: 'visible', timeout: Math.min(5000, Math.max(1, deadline - Date.now())) });
        return await hover.innerText({ timeout: 2000 });
      } catch {
        last = await page.locator('.monaco-hover:not(.hidden)').first().innerText({ timeout: 500 }).catch(() => '');
      }
    } else {
      await page.waitForTimeout(250);
    }
  }
  throw new Error(`no hover matching ${expect} over '${word}' of '${lineStart}'; last hover text: ${last || '(none)'}`);
}

/** A page on code-server's workbench at `url`, with the tests' default timeout. */
export async function openWorkbench(browser: Browser, url: string, viewport: { width: number; height: number }): Promise<Page> {
  const page = await browser.newPage({ viewport });
  page.setDefaultTimeout(30_000);
  await page.goto(url, { timeout: 60_000, waitUntil: 'domcontentloaded' });
  return page;
}

/**
 * Opens a workspace file the way a user does, by clicking it in the explorer, and waits for its
 * tab and for an editor line containing `shownText` (only the visible lines are rendered).
 */
export async function openFromExplorer(page: Page, name: string, shownText: string): Promise<void> {
  const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: name }).first();
  await row.waitFor({ state: 'visible', timeout: 90_000 });
  await row.click();
  await page.locator('.tabs-container .tab', { hasText: name }).first().waitFor({ state: 'visible', timeout: 30_000 });
  await page.locator('.monaco-editor .view-line', { hasText: shownText }).first().waitFor({ state: 'visible', timeout: 30_000 });
}
