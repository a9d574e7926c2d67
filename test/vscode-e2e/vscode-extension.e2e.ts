// Real VS Code end to end: the built extension in code-server, driven by headless Debian chromium.
// Checks what a user sees: the profile in the status bar, the function's code lens, kboost diagnostics
// in the Problems panel and in hovers, the verdict table on the `je` line, a profile switch, and the
// gutter marks at the end of a long file (the client paints the lines around the visible ones).
// Not a *.test.ts file (npm test skips it): `npm run test:vscode` runs it after install and build.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { E2E_DIR, REPO_ROOT, startCodeServer, type CodeServerSession } from './code-server-session';
import { closeWithin, hoverEditorWord, launchChromium, openFromExplorer, openWorkbench, type Browser, type Page } from './headless-chromium-workbench';

const FIXTURE_NAME = 'verdicts-linux-2.6.18.S';
const FIXTURE = path.join(REPO_ROOT, 'test', 'fixtures', 'lsp', FIXTURE_NAME);
const SCREENSHOTS = path.join(E2E_DIR, 'screenshots');
// Under linux-2.6.18 the fixture has 8 boosted (hint), 3 single-stepped and 1 depends (information).
const INFO_COUNT = 4;
// A long file (`.inc`: assembly to the editor, not searched by `kboost check`), far longer than the
// lines the client paints around the visible ones.
const LONG_NAME = 'long-function.inc';
const LONG_LINES = 3000;

function longFile(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kboost-e2e-long-'));
  const body = Array.from({ length: LONG_LINES }, (_, i) => `\taddl $${i}, %eax`);
  const file = path.join(dir, LONG_NAME);
  writeFileSync(file, ['\t.text', '\t.globl long_one', '\t.type long_one, @function', 'long_one:', ...body, 'last_line:', '\tret', ''].join('\n'));
  return file;
}

let server: CodeServerSession | undefined;
let browser: Browser | undefined;
let page: Page;

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) }).catch(() => undefined);
}

/** The Problems panel's text, once it contains `expect`. */
async function problemsText(expect: RegExp, timeoutMs: number): Promise<string> {
  const panel = page.locator('.markers-panel', { hasText: expect }).first();
  await panel.waitFor({ state: 'visible', timeout: timeoutMs });
  return panel.innerText({ timeout: 2000 });
}

describe('kboost in code-server (real VS Code workbench)', { timeout: 300_000 }, () => {
  before(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    server = await startCodeServer({
      workspaceFiles: { [FIXTURE_NAME]: FIXTURE, [LONG_NAME]: longFile() },
      userSettings: { 'security.workspace.trust.enabled': false, 'workbench.startupEditor': 'none', 'kboost.profile': 'linux-2.6.18' },
      startTimeoutMs: 60_000,
    });
    browser = await launchChromium(30_000);
    page = await openWorkbench(browser, server.url, { width: 1400, height: 900 });
    await openFromExplorer(page, FIXTURE_NAME, 'probe_me:');
    await shot('01-workbench-loaded');
  });

  after(async () => {
    if (browser) await closeWithin(browser, 15_000);
    await server?.stop();
  });

  it('shows the selected profile in the status bar', async () => {
    const item = page.locator('.statusbar-item', { hasText: /kboost: linux-2\.6\.18/ }).first();
    await item.waitFor({ state: 'visible', timeout: 60_000 });
    await shot('02-file-open-status-bar');
    assert.match(await item.innerText(), /kboost: linux-2\.6\.18/);
  });

  it('shows the function code lens with its counts', async () => {
    const lens = page.locator('.codelens-decoration', { hasText: 'boostable' }).first();
    await lens.waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal((await lens.innerText()).replace(/\s+/g, ' ').trim(), '8/10 boostable · 0 optimizable · 0 refused (linux-2.6.18)');
  });

  it('paints a gutter dot per instruction verdict', async () => {
    // VS Code draws gutter icons as .cgmr elements in the editor's glyph margin.
    const dots = page.locator('.monaco-editor .cgmr');
    const deadline = Date.now() + 30_000;
    while ((await dots.count()) < 10 && Date.now() < deadline) await page.waitForTimeout(500);
    await shot('02b-gutter-verdicts');
    assert.ok((await dots.count()) >= 10, `only ${await dots.count()} gutter decorations`);
  });

  it('lists the kboost diagnostics in the Problems panel', async () => {
    await page.keyboard.press('Control+Shift+M');
    const text = await problemsText(/kprobe \(linux-2\.6\.18\): single-stepped/, 60_000);
    await shot('03-problems-panel');
    assert.match(text, /kprobe \(linux-2\.6\.18\): depends/);
    assert.match(text, /kboost/);
    // The file row counts its problems: hints are not listed in the Problems panel, information is.
    const fileRow = page.locator('.markers-panel .monaco-list-row', { hasText: FIXTURE_NAME }).first();
    const count = await fileRow.locator('.monaco-count-badge').first().innerText({ timeout: 5000 });
    assert.equal(Number(count.trim()), INFO_COUNT, `Problems panel count for ${FIXTURE_NAME}`);
  });

  it('shows a boosted diagnostic when hovering a boosted instruction', async () => {
    const text = await hoverEditorWord(page, 'pushl %ebp', 'pushl', /kprobe \(linux-2\.6\.18\): boosted[^]*push\s+%ebp/, 30_000);
    await shot('04-hover-boosted-pushl');
    assert.match(text, /kprobe \(linux-2\.6\.18\): boosted/);
  });

  it('shows the verdict table when hovering the je line', async () => {
    // The hover's code block names the instruction (`je 0x...`): a stale hover of another line cannot match.
    const text = await hoverEditorWord(page, 'je 1f', 'je', /\bje\s+0x[0-9a-f]+/, 30_000);
    await shot('05-hover-je-verdict-table');
    assert.match(text, /kprobe \(linux-2\.6\.18\): single-stepped/);
    assert.match(text, /profile\s+hit\s+can_boost\s+boostable/);
    assert.match(text, /rfc-2\.6\.15\s+single-stepped/);
    assert.match(text, /linux-2\.6\.18 \(selected\)\s+single-stepped/);
    assert.match(text, /linux-6\.1\s+emulated/);
  });

  it('switches the profile from the status bar and the diagnostics follow', async () => {
    await page.keyboard.press('Escape');
    await page.locator('.statusbar-item', { hasText: /kboost: linux-2\.6\.18/ }).first().click();
    const pick = page.locator('.quick-input-widget .monaco-list-row', { hasText: 'linux-6.1' }).first();
    await pick.waitFor({ state: 'visible', timeout: 15_000 });
    await shot('06-profile-quick-pick');
    await pick.click();
    await page.locator('.statusbar-item', { hasText: /kboost: linux-6\.1/ }).first().waitFor({ state: 'visible', timeout: 30_000 });
    const text = await problemsText(/kprobe \(linux-6\.1\)/, 60_000);
    await shot('07-problems-after-switch-to-linux-6.1');
    assert.doesNotMatch(text, /kprobe \(linux-2\.6\.18\)/);
    assert.match(text, /kprobe \(linux-6\.1\): emulated/);
  });

  async function runCommand(title: string): Promise<void> {
    await page.keyboard.press('Escape');
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input').first();
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    await page.keyboard.type(`>${title}`);
    const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first();
    await row.waitFor({ state: 'visible', timeout: 15_000 });
    await row.click();
  }

  it('shows the verdict table of the current function (command)', async () => {
    await page.locator('.view-line', { hasText: 'pushl' }).first().click();
    await runCommand('Show the verdict table of the current function');
    const heading = page.locator('.view-line', { hasText: '# probe_me under linux-6.1' }).first();
    await heading.waitFor({ state: 'visible', timeout: 30_000 });
    await shot('09-function-verdict-table');
  });

  it('runs kboost check on the workspace (command)', async () => {
    await runCommand('Run kboost check on the workspace');
    // The editor renders spaces as no-break spaces: match them with \s.
    const summary = page.locator('.output-view .view-line, .monaco-editor .view-line', { hasText: /kboost\scheck\s\(linux-6\.1\):\s1\sfile,\s12\sinstructions,\s1\sproblem/ }).first();
    try {
      await summary.waitFor({ state: 'visible', timeout: 60_000 });
    } finally {
      await shot('10-check-workspace-output');
    }
  });

  // The server asks the client to refresh code lenses (workspace/codeLens/refresh) after a
  // configuration change, so the lens names the new profile.
  it('code lens follows the profile switch', async () => {
    const lens = page.locator('.codelens-decoration', { hasText: '(linux-6.1)' }).first();
    await lens.waitFor({ state: 'visible', timeout: 10_000 });
  });

  it('paints the gutter marks at the end of a long file', async () => {
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+P');
    await page.keyboard.type(LONG_NAME);
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: LONG_NAME }).first().waitFor({ state: 'visible', timeout: 15_000 });
    await page.keyboard.press('Enter');
    await page.locator('.monaco-editor .view-line', { hasText: 'long_one:' }).first().waitFor({ state: 'visible', timeout: 30_000 });
    // The long file's editor is in the active group (another group shows the verdict table).
    const dots = page.locator('.editor-group-container.active .monaco-editor .cgmr');
    const atLeastTenDots = async (): Promise<void> => {
      const deadline = Date.now() + 30_000;
      while ((await dots.count()) < 10 && Date.now() < deadline) await page.waitForTimeout(500);
    };
    // The top painted first, and the repaints after opening done: only scrolling can paint the end.
    await atLeastTenDots();
    assert.ok((await dots.count()) >= 10, `only ${await dots.count()} gutter decorations at the top of ${LONG_NAME}`);
    await page.waitForTimeout(1500);
    await page.locator('.monaco-editor .view-line', { hasText: 'long_one:' }).first().click();
    await page.keyboard.press('Control+End');
    await page.locator('.monaco-editor .view-line', { hasText: 'last_line:' }).first().waitFor({ state: 'visible', timeout: 15_000 });
    // Only the visible lines are rendered: marks here mean the end of the file was painted.
    await atLeastTenDots();
    await shot('11-gutter-at-the-end-of-a-long-file');
    assert.ok((await dots.count()) >= 10, `only ${await dots.count()} gutter decorations at the end of ${LONG_NAME}`);
  });
});
