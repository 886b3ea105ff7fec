// The browser app with several capture files as one capture (issue 23), in Debian's Chromium:
// two files chosen at once in the file input, and three dropped at once, load as one capture —
// the packets of all of them, in the CLI's order, a File column naming each packet's file and
// the record's `file`, the `file` field in the filter — and a damaged one says which file and
// where. `tracecap app FILE FILE` serves them as one capture too. Needs `npm run build`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveApp, type AppServer } from '../../../runtimes/node/app.js';
import { applyFilter, filterSettled, haveChromium, launch, shown } from './app-page.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const APP = join(ROOT, 'build', 'app');
const CORPUS = join(ROOT, '..', 'shared', 'corpus', 'http');
const A = join(CORPUS, 'h1-resets-mtu1500.pcap'), B = join(CORPUS, 'h2c-any-sll2.pcap'), C = join(CORPUS, 'dns-udp.pcap');
if (!existsSync(join(APP, 'index.html'))) throw new Error(`${APP}/index.html is missing: run \`npm run build\` first`);

type Rec = Record<string, any>;
/** The CLI's records of the files as one capture (DEBUG, as the app). */
const cli = (...files: string[]): Rec[] => {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'tracecap.js'), ...files], { maxBuffer: 1 << 30, encoding: 'utf8' });
  return r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Rec);
};

let server: AppServer;
let browser: Browser;
let dir: string;
const errors: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tracecap-app-merge-'));
  server = await serveApp({ root: APP, port: 0 });
  if (haveChromium) browser = await launch();
}, 60_000);
afterAll(async () => {
  await browser?.close(); await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function newPage(url: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const p = await context.newPage();
  p.on('pageerror', (e) => errors.push(e.message));
  await p.goto(url);
  return p;
}
/** Waits until the load started by `act` ended (body's data-loads counts ended loads). */
async function loads(p: Page, act: () => Promise<unknown>): Promise<void> {
  const before = Number(await p.evaluate(() => document.body.dataset.loads ?? '0'));
  await act();
  await p.waitForFunction((n) => Number(document.body.dataset.loads) > n, before, { timeout: 60_000 });
  await filterSettled(p);
}
/** The packet table's rows on screen: number, File column and message. */
const rows = (p: Page) => p.$$eval('[data-testid=packet-row]', (rs) => rs.map((r) => [...r.children].map((c) => c.textContent ?? '')));
const headers = (p: Page) => p.$$eval('[data-testid=packets] [role=columnheader]', (hs) => hs.map((h) => h.textContent ?? ''));

describe.skipIf(!haveChromium)('the app: several files as one capture', () => {
  it('two files chosen at once: every packet of both, in the CLI\'s order, with a File column and the record\'s file', async () => {
    const want = cli(A, B);
    expect(want).toHaveLength(96 + 33);
    const p = await newPage(server.url);
    await loads(p, () => p.setInputFiles('input[type=file]', [A, B]));
    expect(await p.evaluate(() => document.body.dataset.state)).toBe('ready');
    expect(await shown(p)).toBe(96 + 33);
    expect(await p.textContent('[data-testid=source-name]')).toBe(`${basename(A)} + 1 more`);
    const hs = await headers(p);
    expect(hs).toContain('File');
    const fileCol = hs.indexOf('File');
    const first = await rows(p);
    expect(first.length).toBeGreaterThan(10);
    // The rows are the CLI's packets, in its order, with its files.
    for (const r of first) {
      const num = Number(r[0]);
      expect(r[fileCol]).toBe(want[num]!.file);
      expect(r[hs.indexOf('Message')]).toBe(want[num]!.message);
    }
    // A packet of the second file: its record (as the CLI's) and where its bytes come from.
    const num = want.findIndex((r) => r.file === basename(B));
    expect(num).toBeGreaterThan(0);
    await applyFilter(p, `pcap.num == "${num}"`);
    await p.click('[data-testid=packet-row]');
    await p.waitForSelector('[data-testid=detail]');
    expect(JSON.parse((await p.textContent('[data-testid=record-text]'))!)).toEqual(want[num]);
    expect(await p.textContent('.detail')).toContain(`from ${basename(B)}, at offset`);
    // The file field: in the filter, as every field.
    expect(await applyFilter(p, `file == "${basename(B)}"`)).toMatchObject({ ok: true, count: 33 });
    expect(await applyFilter(p, `file == "${basename(A)}"`)).toMatchObject({ ok: true, count: 96 });
    await p.context().close();
  }, 120_000);

  it('three files dropped at once, and one file alone (no File column)', async () => {
    const want = cli(A, B, C);
    const p = await newPage(server.url);
    const payload = [A, B, C].map((f) => ({ name: basename(f), bytes: [...readFileSync(f)] }));
    await loads(p, () => p.evaluate((files) => {
      const dt = new DataTransfer();
      for (const f of files) dt.items.add(new File([Uint8Array.from(f.bytes)], f.name));
      window.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, cancelable: true }));
    }, payload));
    expect(await shown(p)).toBe(want.length);
    expect(want).toHaveLength(96 + 33 + 30);
    expect(await applyFilter(p, `file == "${basename(C)}"`)).toMatchObject({ ok: true, count: 30 });
    // One file alone: its records have no `file`, so the filter kept from before selects none.
    await loads(p, () => p.setInputFiles('input[type=file]', [C]));
    expect(await shown(p)).toBe(0);
    expect(await applyFilter(p, '')).toMatchObject({ ok: true, count: 30 });
    expect(await headers(p)).not.toContain('File');
    await p.context().close();
  }, 120_000);

  it('a damaged file among them: the banner names it, with its offset and packet; the other file is whole', async () => {
    const cut = join(dir, 'cut.pcap');
    const bytes = readFileSync(B);
    writeFileSync(cut, bytes.subarray(0, bytes.length - 10));
    const alone = spawnSync(process.execPath, [join(ROOT, 'bin', 'tracecap.js'), cut], { encoding: 'utf8' });
    const where = /at byte offset (\d+) \(packet (\d+)\)/.exec(alone.stderr)!;
    expect(where).not.toBeNull();
    const p = await newPage(server.url);
    await loads(p, () => p.setInputFiles('input[type=file]', [A, cut]));
    expect(await p.evaluate(() => document.body.dataset.state)).toBe('error');
    expect(await shown(p)).toBe(96 + Number(where[2]) - 1);
    expect(await p.textContent('[data-testid=error]')).toBe(
      `cut.pcap: capture is truncated: it ends inside a record at byte offset ${Number(where[1]).toLocaleString('en-US')}, after its packet #${Number(where[2]) - 2}. Its packets before it and every other file's are shown.`);
    await p.context().close();
  }, 120_000);

  it('tracecap app FILE FILE: the URL opens them as one capture', async () => {
    const both = await serveApp({ root: APP, port: 0, files: [A, B] });
    try {
      expect(new URL(both.url).searchParams.getAll('url')).toEqual([`/capture/0/${basename(A)}`, `/capture/1/${basename(B)}`]);
      const p = await newPage(both.url);
      await p.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 60_000 });
      await filterSettled(p);
      expect(await shown(p)).toBe(96 + 33);
      expect(await headers(p)).toContain('File');
      await p.context().close();
    } finally { await both.close(); }
  }, 120_000);

  it('threw nothing on the page', () => { expect(errors).toEqual([]); });
});
