// The browser app on a capture of at least PARALLEL_MIN_BYTES (runtimes/browser/app/threads.ts),
// which its worker translates on shard-worker.js threads: a capture made by bench/gen.js in a
// temporary directory shows capinfos' packet count, exports the CLI's NDJSON byte for byte
// (DEBUG, the app's default) and reports its threads (body[data-threads], shardThreads() of
// the page's navigator.hardwareConcurrency); a small capture stays on one thread; the same
// capture damaged in the middle shows the error banner (offset, packet) and every record before
// it. Needs `npm run build` (build/app/) and Debian's Chromium.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { closeSync, cpSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveApp, type AppServer } from '../../../runtimes/node/app.js';
import { createTranslator } from '../../../src/index.js';
import type { CaptureError } from '../../../src/errors.js';
import { PARALLEL_MIN_BYTES, shardThreads } from '../../../runtimes/browser/app/threads.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const APP = join(ROOT, 'build', 'app');
const CHROMIUM = '/usr/bin/chromium';
const CLI = join(ROOT, 'bin', 'tracecap.js');
const SMALL = join(ROOT, '..', 'shared', 'corpus', 'http', 'h1-keepalive-mtu1500.pcap');
for (const f of ['index.html', 'worker.js', 'shard-worker.js']) if (!existsSync(join(APP, f))) throw new Error(`${join(APP, f)} is missing: run \`npm run build\` first`);
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`[app-parallel] Chromium not found at ${CHROMIUM}: skipped`);

let dir: string;
let big: string;
let server: AppServer;
let browser: Browser;
const errors: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tracecap-app-parallel-'));
  big = join(dir, 'large-http.pcap');
  const g = spawnSync(process.execPath, [join(ROOT, 'bench', 'gen.js'), 'http', big, String(PARALLEL_MIN_BYTES + (1 << 20))], { encoding: 'utf8' });
  expect(g.status, g.stderr).toBe(0);
  expect(statSync(big).size).toBeGreaterThanOrEqual(PARALLEL_MIN_BYTES);
  server = await serveApp({ root: APP, port: 0 });
  if (haveChromium) browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const sha256File = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

function capinfosCount(file: string): number {
  const r = spawnSync('capinfos', ['-M', '-c', '-T', '-r', file], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return Number(r.stdout.trim().split('\t').pop());
}

/** The CLI's NDJSON (default options: DEBUG, as the app) written to a file; its path. */
function cliTo(file: string, out: string): string {
  const fd = openSync(out, 'w');
  try {
    const r = spawnSync(process.execPath, [CLI, file], { stdio: ['ignore', fd, 'pipe'], encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  } finally { closeSync(fd); }
  return out;
}

// `threads=2` asks for two threads whatever the machine (the default needs PARALLEL_MIN_CORES).
async function freshPage(query = '?threads=2'): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, acceptDownloads: true });
  const p = await context.newPage();
  p.on('pageerror', (e) => errors.push(e.message));
  await p.goto(`${server.url}${query}`);
  return p;
}
async function openFile(p: Page, file: string): Promise<void> {
  const before = Number(await p.evaluate(() => document.body.dataset.loads ?? '0'));
  await p.setInputFiles('input[type=file]', file);
  await p.waitForFunction((n) => Number(document.body.dataset.loads) > n, before, { timeout: 240_000, polling: 250 });
  // The filter is applied again once loading ended: the count shown is final when it answered.
  await p.waitForFunction(() => document.querySelector<HTMLElement>('.filterbar')?.dataset.filterState !== 'pending', null, { timeout: 120_000 });
}
const shown = async (p: Page) => { const t = (await p.textContent('[data-testid=packet-count]')) ?? ''; expect(t).toMatch(/^\d{1,3}(,\d{3})*$/); return Number(t.replace(/,/g, '')); };
const body = (p: Page) => p.evaluate(() => ({ state: document.body.dataset.state, threads: Number(document.body.dataset.threads), timings: JSON.parse(document.body.dataset.timings ?? 'null'), cores: navigator.hardwareConcurrency, isolated: crossOriginIsolated, sharedCore: document.body.dataset.sharedCore === 'true' }));

/** The record text of packet `num` (through the filter and the detail pane). */
async function recordOf(p: Page, num: number): Promise<string> {
  await p.fill('[data-testid=filter]', `pcap.num == ${num}`);
  await p.waitForFunction((q) => { const bar = document.querySelector<HTMLElement>('.filterbar')!; return bar.dataset.filterText === q && bar.dataset.filterState === 'ok'; }, `pcap.num == ${num}`, { timeout: 120_000 });
  expect(await shown(p)).toBe(1);
  await p.click('[data-testid=packet-row]');
  await p.waitForSelector(`[data-testid=detail][data-num="${num}"]`);
  return (await p.textContent('[data-testid=record-text]')) ?? '';
}

/** The stage timings are there and add up (no assertion on how long anything took). */
function expectTimings(t: Record<string, number>): void {
  for (const k of ['read', 'core', 'index', 'http', 'store', 'total']) { expect(Number.isFinite(t[k]), k).toBe(true); expect(t[k], k).toBeGreaterThanOrEqual(0); }
  expect(t.read! + t.core! + t.index! + t.http! + t.store!).toBeLessThanOrEqual(t.total! * 1.01 + 1);
}

describe.skipIf(!haveChromium)('browser app, a large capture on threads', () => {
  it('by default a small capture stays on one thread, and a large one gets shardThreads(cores) threads', async () => {
    const p = await freshPage('');
    await openFile(p, big);
    const d = await body(p);
    expect(d.state).toBe('ready');
    expect(d.threads).toBe(shardThreads(d.cores));
    expect(await shown(p)).toBe(capinfosCount(big));
    await p.context().close();
  }, 300_000);

  it('a small capture stays on one thread', async () => {
    const p = await freshPage('');
    await openFile(p, SMALL);
    const b = await body(p);
    expect(b.state).toBe('ready');
    expect(b.threads).toBe(1);
    await p.context().close();
  }, 120_000);

  it(`a capture of ${PARALLEL_MIN_BYTES >> 20} MiB or more: capinfos' count, the CLI's NDJSON export byte for byte, the threads reported`, async () => {
    const p = await freshPage();
    await openFile(p, big);
    const b = await body(p);
    expect(b.state).toBe('ready');
    expect(b.threads).toBe(2); // ?threads=2
    // `tracecap app` serves COOP + COEP: the threads read the input from shared slots (src/parallel.ts).
    expect(b.isolated).toBe(true);
    expect(b.sharedCore).toBe(true);
    expect(await p.getAttribute('header .name', 'title')).toBe(`translated on ${b.threads} threads`);
    expectTimings(b.timings);
    expect(await shown(p)).toBe(capinfosCount(big));
    const want = cliTo(big, join(dir, 'cli.ndjson'));
    const [d] = await Promise.all([p.waitForEvent('download', { timeout: 240_000 }), p.click('text=Export NDJSON')]);
    const got = join(dir, 'app.ndjson');
    await d.saveAs(got);
    expect(statSync(got).size).toBe(statSync(want).size);
    expect(sha256File(got)).toBe(sha256File(want));
    // A record from the middle, through the index, the store and the detail pane.
    const lines = readFileSync(want, 'utf8').split('\n');
    const mid = lines[Math.floor(lines.length / 2)]!;
    expect(await recordOf(p, Number(JSON.parse(mid).pcap.num))).toBe(mid);
    rmSync(got); rmSync(want);
    await p.context().close();
  }, 600_000);

  it('the large capture damaged in the middle: the error banner with the offset and packet, every record before it', async () => {
    const bytes = new Uint8Array(readFileSync(big));
    const dv = new DataView(bytes.buffer);
    let off = 24;
    while (off < bytes.length * 0.6) off += 16 + dv.getUint32(off + 8, true);
    dv.setUint32(off + 8, 0x7fff_0000, true); // a record length no snaplen allows
    const file = join(dir, 'large-damaged.pcap');
    writeFileSync(file, bytes);
    const t = await createTranslator(readFileSync(join(ROOT, 'build', 'tracecap.wasm')));
    const parts: Uint8Array[] = [];
    t.setSink((v) => parts.push(v.slice()));
    t.push(bytes);
    if (!t.error) t.finish();
    expect(t.error).not.toBeNull();
    expect(t.records).toBeGreaterThan(1000);
    const p = await freshPage();
    await openFile(p, file);
    const b = await body(p);
    expect(b.state).toBe('error');
    expect(b.threads).toBeGreaterThanOrEqual(2);
    expect(await shown(p)).toBe(t.records);
    const banner = (await p.textContent('[data-testid=error]')) ?? '';
    // The core's reason and the place said once, the last good packet numbered from 0 as in the table.
    expect(banner).toContain((t.error as CaptureError).reason);
    expect(banner.split('byte offset').length - 1).toBe(1);
    expect(banner).toContain(`byte offset ${t.error!.offset.toLocaleString('en')}`);
    expect(banner).toContain(`after packet #${(t.error!.packets - 1).toLocaleString('en')}.`);
    expect(await p.locator('[data-testid=error]').count()).toBe(1);
    // The last record before the damage, and the export: exactly the records before it.
    const tail = Buffer.concat(parts.slice(-4)).toString('utf8').split('\n').filter(Boolean);
    const last = tail[tail.length - 1]!;
    expect(await recordOf(p, Number(JSON.parse(last).pcap.num))).toBe(last);
    const [d] = await Promise.all([p.waitForEvent('download', { timeout: 240_000 }), p.click('text=Export NDJSON')]);
    const got = join(dir, 'damaged.ndjson');
    await d.saveAs(got);
    const h = createHash('sha256'); for (const x of parts) h.update(x);
    expect(sha256File(got)).toBe(h.digest('hex'));
    rmSync(got);
    await p.context().close();
  }, 600_000);

  it('another capture opened while the large one loads on threads: the new one is shown, whole', async () => {
    const p = await freshPage();
    const before = Number(await p.evaluate(() => document.body.dataset.loads ?? '0'));
    await p.setInputFiles('input[type=file]', big);
    await p.waitForSelector('[data-testid=progress]', { timeout: 120_000 });
    await openFile(p, SMALL);
    // The large load was given up (it never counted as a load of its own, or counted before the small one).
    const b = await body(p);
    expect(b.state).toBe('ready');
    expect(b.threads).toBe(2); // ?threads=2 applies to any size
    expect(Number(await p.evaluate(() => document.body.dataset.loads))).toBeLessThanOrEqual(before + 2);
    expect(await shown(p)).toBe(capinfosCount(SMALL));
    await p.context().close();
  }, 300_000);

  it('when the shard worker cannot start, the large capture is translated on one thread', async () => {
    const root = join(dir, 'app-without-shard');
    cpSync(APP, root, { recursive: true });
    rmSync(join(root, 'shard-worker.js'));
    const one = await serveApp({ root, port: 0 });
    try {
      const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      const p = await context.newPage();
      p.on('pageerror', (e) => errors.push(e.message));
      await p.goto(`${one.url}?threads=2`);
      await openFile(p, big);
      const b = await body(p);
      expect(b.state).toBe('ready');
      expect(b.threads).toBe(1);
      expect(await shown(p)).toBe(capinfosCount(big));
      await context.close();
    } finally { await one.close(); }
  }, 300_000);

  it('no uncaught error in any page', () => { expect(errors).toEqual([]); });
});
