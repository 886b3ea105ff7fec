// What the browser app's tests share: Debian's Chromium, opening a file through the page's file
// input, and reading the filter bar through its stable hooks (.filterbar's data-*, data-testid).
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';

export const CHROMIUM = '/usr/bin/chromium';
export const haveChromium = existsSync(CHROMIUM);

/** Chromium headless, without the network chatter of a first run. */
export function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
}

/** Waits until the filter applied at the end of loading has answered (the count shown is then the final one). */
export const filterSettled = (p: Page) => p.waitForFunction(() => document.querySelector<HTMLElement>('.filterbar')?.dataset.filterState !== 'pending', null, { timeout: 60_000 });

/** Opens a file through the file input and waits until that load ended (body's data-loads counts ended loads). */
export async function openFile(p: Page, file: string): Promise<void> {
  const before = Number(await p.evaluate(() => document.body.dataset.loads ?? '0'));
  await p.setInputFiles('input[type=file]', file);
  await p.waitForFunction((n) => Number(document.body.dataset.loads) > n, before, { timeout: 60_000 });
  expect(['ready', 'error']).toContain(await p.evaluate(() => document.body.dataset.state));
  await filterSettled(p);
}

/** The packet count the filter bar shows, written with thousands separators as every count in the page ("1,031,916"). */
export async function shown(p: Page): Promise<number> {
  const t = (await p.textContent('[data-testid=packet-count]')) ?? '';
  expect(t).toMatch(/^\d{1,3}(,\d{3})*$/);
  return Number(t.replace(/,/g, ''));
}

/** Types a filter and waits until the app applied it (or rejected it). */
export async function applyFilter(p: Page, q: string): Promise<{ ok: boolean; count: number; error: string }> {
  // Typed and applied with Enter, as a user does: Enter also closes the proposals, which would
  // otherwise cover the tabs the test clicks next.
  await p.fill('[data-testid=filter]', q);
  await p.press('[data-testid=filter]', 'Enter');
  await p.waitForFunction((q) => {
    const bar = document.querySelector<HTMLElement>('.filterbar')!;
    return bar.dataset.filterText === q && bar.dataset.filterState !== 'pending';
  }, q, { timeout: 60_000 });
  const ok = (await p.getAttribute('.filterbar', 'data-filter-state')) === 'ok';
  return { ok, count: await shown(p), error: ok ? '' : ((await p.textContent('[data-testid=filter-error]')) ?? '') };
}
