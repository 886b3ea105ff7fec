// The browser app (runtimes/browser/app/) in Debian's Chromium, driven through its stable test
// hooks: every corpus HTTP capture opened through the file input, counted against capinfos;
// record details equal to the CLI's records byte for byte; filter counts equal to the same
// predicates over the CLI's NDJSON; trace waterfalls equal to the packets carrying the trace;
// the HAR export valid and equal to the HTTP records; damaged and non-capture files. Saves a
// screenshot of each view to build/test-artifacts/app/. Needs `npm run build` (build/app/).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import validator from 'har-validator';
import { serveApp, type AppServer } from '../../../runtimes/node/app.js';
import { createTranslator } from '../../../src/index.js';
import * as B from '../../helpers/build.js';
import { Conversation, request } from '../../helpers/conversation.js';
import { applyFilter, filterSettled, haveChromium, launch, openFile, shown, CHROMIUM } from './app-page.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const CORPUS = join(ROOT, '..', 'shared', 'corpus', 'http');
const ARTIFACTS = join(ROOT, 'build', 'test-artifacts', 'app');
const TRACE_KEY = 'logging.googleapis.com/trace';
const APP = join(ROOT, 'build', 'app');
if (!existsSync(join(APP, 'index.html'))) throw new Error(`${APP}/index.html is missing: run \`npm run build\` first`);
if (!haveChromium) console.warn(`[app] Chromium not found at ${CHROMIUM}: the browser app tests are skipped`);

const captures = readdirSync(CORPUS).filter((f) => /\.(pcap|pcapng)$/.test(f)).sort();
type Rec = Record<string, any>;

/** The CLI's NDJSON for a capture (DEBUG, the app's default): lines and parsed records. */
function cli(file: string): { lines: string[]; records: Rec[] } {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'tracecap.js'), file], { maxBuffer: 1 << 30, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  const lines = r.stdout.split('\n').filter((l) => l !== '');
  return { lines, records: lines.map((l) => JSON.parse(l)) };
}
const cliCache = new Map<string, ReturnType<typeof cli>>();
const cliOf = (name: string) => { let c = cliCache.get(name); if (!c) { c = cli(join(CORPUS, name)); cliCache.set(name, c); } return c; };

function capinfosCount(file: string): number {
  const r = spawnSync('capinfos', ['-M', '-c', '-T', '-r', file], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return Number(r.stdout.trim().split('\t').pop());
}

/** Every trace a record carries: top-level or inside HTTP/2 frames. */
function tracesOf(r: Rec): Set<string> {
  const out = new Set<string>();
  const walk = (v: unknown, depth: number) => {
    if (depth > 10 || v === null || typeof v !== 'object') return;
    for (const [k, x] of Object.entries(v as Rec)) { if (k === TRACE_KEY && typeof x === 'string') out.add(x); else walk(x, depth + 1); }
  };
  walk(r, 0);
  return out;
}

let server: AppServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  server = await serveApp({ root: APP, port: 0 });
  if (haveChromium) {
    browser = await launch();
  }
}, 60_000);
afterAll(async () => { await browser?.close(); await server?.close(); });

const errors: string[] = [];
async function freshPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, acceptDownloads: true });
  const p = await context.newPage();
  p.on('pageerror', (e) => errors.push(e.message));
  await p.goto(server.url);
  return p;
}
const state = (p: Page) => p.evaluate(() => document.body.dataset.state);

/** The record text of the single packet `num` (through the filter and the detail pane). */
async function recordOf(p: Page, num: number): Promise<string> {
  const r = await applyFilter(p, `pcap.num == ${num}`);
  expect(r.count).toBe(1);
  await p.click('[data-testid=packet-row]');
  // The packet opened before stays open across filters: wait for this one.
  await p.waitForSelector(`[data-testid=detail][data-num="${num}"]`);
  return (await p.textContent('[data-testid=record-text]')) ?? '';
}

describe.skipIf(!haveChromium)('browser app', () => {
  it('serves a self-contained page: no request leaves the origin, CSP in force', async () => {
    const p = await freshPage();
    const foreign: string[] = [];
    p.on('request', (r) => { if (!r.url().startsWith(server.url.replace(/\/$/, '')) && !/^(data|blob):/.test(r.url())) foreign.push(r.url()); });
    await openFile(p, join(CORPUS, 'h1-keepalive-lo.pcap'));
    expect(await state(p)).toBe('ready');
    const csp = await p.evaluate(() => document.querySelector('meta[http-equiv=Content-Security-Policy]')?.getAttribute('content'));
    expect(csp).toContain("default-src 'none'");
    expect(foreign).toEqual([]);
    await p.context().close();
  }, 60_000);

  for (const name of captures) {
    it(`${name}: the count equals capinfos', sampled records equal the CLI's byte for byte`, async () => {
      const p = await freshPage();
      const file = join(CORPUS, name);
      await openFile(p, file);
      expect(await state(p)).toBe('ready');
      const { lines, records } = cliOf(name);
      expect(await shown(p)).toBe(capinfosCount(file));
      expect(await shown(p)).toBe(lines.length);
      const picks = [...new Set([0, 1, Math.floor(lines.length / 3), Math.floor(lines.length / 2), lines.length - 1])];
      // HTTP-bearing packets too, where the record is richest.
      const http = records.findIndex((r) => r.HTTP);
      if (http >= 0) picks.push(http);
      for (const i of picks) expect(await recordOf(p, Number(records[i]!.pcap.num))).toBe(lines[i]);
      // Keyboard: End selects the last packet.
      await applyFilter(p, '');
      await p.click('[data-testid=packet-row]');
      await p.keyboard.press('End');
      await p.waitForFunction((n) => document.querySelector('[data-testid=detail]')?.getAttribute('data-pos') === String(n), lines.length - 1);
      expect(await p.textContent('[data-testid=record-text]')).toBe(lines[lines.length - 1]);
      const hex = (await p.textContent('[data-testid=hex]')) ?? '';
      expect(hex.split('\n').length).toBe(Math.ceil(Number(records[lines.length - 1]!.meta?.cap_len ?? 0) / 16) || hex.split('\n').length);
      await p.context().close();
    }, 120_000);
  }

  // Each expression with the same predicate written by hand over the CLI's records.
  const num = (v: unknown) => (v === undefined || v === null || v === '' ? NaN : Number(v));
  // HTTP/2 records keep statuses, methods and traces in their frames: the filter's HTTP fields
  // read both (README, app filters), and so do these predicates, written over the CLI's records.
  const frames = (r: Rec): Rec[] => (r.HTTP?.streams ? Object.values(r.HTTP.streams as Record<string, Rec>).flatMap((st) => (st.frames ?? []) as Rec[]) : []);
  const statuses = (r: Rec): number[] => [...(r.HTTP?.code !== undefined ? [num(r.HTTP.code)] : []), ...frames(r).flatMap((f) => (f.headers?.[':status'] ?? []).map(num))];
  const methods = (r: Rec): string[] => [...(r.HTTP?.method !== undefined ? [r.HTTP.method] : []), ...frames(r).flatMap((f) => f.headers?.[':method'] ?? [])];
  const traces = (r: Rec): string[] => [...(r[TRACE_KEY] !== undefined ? [r[TRACE_KEY]] : []), ...frames(r).flatMap((f) => (f[TRACE_KEY] !== undefined ? [f[TRACE_KEY]] : []))];
  const v4in = (a: unknown, net: string, bits: number) => { const p = String(a ?? '').split('.').map(Number); if (p.length !== 4) return false; const x = ((p[0]! << 24) | (p[1]! << 16) | (p[2]! << 8) | p[3]!) >>> 0; const n = net.split('.').map(Number); const y = ((n[0]! << 24) | (n[1]! << 16) | (n[2]! << 8) | n[3]!) >>> 0; const m = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0; return ((x & m) >>> 0) === ((y & m) >>> 0); };
  const FILTERS = (PORT: number): Array<[string, (r: Rec) => boolean]> => [
    ['HTTP.code >= 200', (r) => statuses(r).some((c) => c >= 200)],
    ['HTTP.code == 404 or HTTP.code >= 500', (r) => statuses(r).some((c) => c === 404 || c >= 500)],
    [`L4.dst == ${PORT}`, (r) => num(r.L4?.dst) === PORT],
    [`L4.src == ${PORT} and not HTTP`, (r) => num(r.L4?.src) === PORT && r.HTTP === undefined],
    ['L3.src == 127.0.0.1 and L4.flags.str ~ fin', (r) => r.L3?.src === '127.0.0.1' && String(r.L4?.flags?.str ?? '').toLowerCase().includes('fin')],
    ['L3.src == 127.0.0.0/8', (r) => v4in(r.L3?.src, '127.0.0.0', 8)],
    ['L3.dst != 10.0.0.0/8', (r) => r.L3?.dst !== undefined && !v4in(r.L3?.dst, '10.0.0.0', 8)],
    ['L4.flags ~ FIN', (r) => r.L4?.flags?.map?.FIN === true],
    ['not (L4.flags.str ~ ack)', (r) => !(r.L4?.flags?.str !== undefined && String(r.L4.flags.str).toLowerCase().includes('ack'))],
    ['logging.googleapis.com/trace', (r) => traces(r).length > 0],
    ['logging.googleapis.com/trace ~ 6b322b9a', (r) => traces(r).some((t) => t.includes('6b322b9a'))],
    ['HTTP.method == GET or HTTP.method == POST', (r) => methods(r).some((m) => m === 'GET' || m === 'POST')],
    ['severity == ERROR', (r) => r.severity === 'ERROR'],
    ['severity != ERROR and L4.len > 0', (r) => r.severity !== 'ERROR' && num(r.L4?.len) > 0],
    ['"keep-alive"', (r) => JSON.stringify(r).toLowerCase().includes('keep-alive')],
    [`(L4.dst == ${PORT} or L4.src == ${PORT}) and meta.len > 1000`, (r) => (num(r.L4?.dst) === PORT || num(r.L4?.src) === PORT) && num(r.meta?.len) > 1000],
    ['pcap.num < 10 or pcap.num >= 100 and pcap.num < 110', (r) => num(r.pcap.num) < 10 || (num(r.pcap.num) >= 100 && num(r.pcap.num) < 110)],
    ['message ~ "[SYN]"', (r) => String(r.message ?? '').toLowerCase().includes('[syn]')],
    ['HTTP.url =~ "^/(v1/)?item"', (r) => [...(r.HTTP?.url !== undefined ? [r.HTTP.url] : []), ...frames(r).flatMap((f) => f.headers?.[':path'] ?? [])].some((u) => /^\/(v1\/)?item/.test(String(u)))],
    [`HTTP.proto == h2c and L4.src == ${PORT}`, (r) => r.HTTP?.proto === 'h2c' && num(r.L4?.src) === PORT],
    ['L4.flags.str == SYN or L4.flags.str == "SYN|ACK"', (r) => r.L4?.flags?.str === 'SYN' || r.L4?.flags?.str === 'SYN|ACK'],
  ];
  for (const name of ['h1-keepalive-mtu1500.pcap', 'h2c-mtu1500.pcap', 'h2c-any-sll2.pcap']) {
    it(`${name}: filter counts equal the same predicates over the CLI's NDJSON`, async () => {
      const p = await freshPage();
      await openFile(p, join(CORPUS, name));
      const { records } = cliOf(name);
      // The server's port: the destination of the first SYN.
      const PORT = Number(records.find((r) => r.L4?.flags?.str === 'SYN')!.L4.dst);
      let nonzero = 0;
      for (const [q, pred] of FILTERS(PORT)) {
        const want = records.filter(pred).length;
        const got = await applyFilter(p, q);
        expect(got.ok, `${q}: ${got.error}`).toBe(true);
        expect(got.count, q).toBe(want);
        if (want > 0) nonzero++;
      }
      expect(nonzero).toBeGreaterThanOrEqual(8);
      // A bad expression: an inline error naming the place, the count left as it was.
      const before = await shown(p);
      const bad = await applyFilter(p, 'HTTP.code >= ');
      expect(bad.ok).toBe(false);
      expect(bad.error).toMatch(/expected a value/);
      expect(bad.error).toMatch(/13/);
      expect(await shown(p)).toBe(before);
      // An unknown field is an error that names it (it matched nothing before).
      const unknown = await applyFilter(p, 'tcp.port == 80');
      expect(unknown.ok).toBe(false);
      expect(unknown.error).toMatch(/unknown field "tcp.port".*L4/);
      expect(await shown(p)).toBe(before);
      // The filter is kept in the URL.
      await applyFilter(p, `L4.dst == ${PORT}`);
      expect(new URLSearchParams(new URL(p.url()).hash.slice(1)).get('q')).toBe(`L4.dst == ${PORT}`);
      await p.context().close();
    }, 120_000);
  }

  for (const name of ['h1-keepalive-mtu1500.pcap', 'h2c-mtu1500.pcap', 'h2c-any-sll2.pcap']) {
    it(`${name}: #trace= opens a waterfall of exactly the packets carrying the trace`, async () => {
      const { records } = cliOf(name);
      const carriers = new Map<string, number[]>();
      for (const r of records) for (const t of tracesOf(r)) { const l = carriers.get(t) ?? []; l.push(Number(r.pcap.num)); carriers.set(t, l); }
      expect(carriers.size).toBeGreaterThan(0);
      const ids = [...carriers.keys()];
      const sample = [ids[0]!, ids[Math.floor(ids.length / 2)]!, ids[ids.length - 1]!];
      const p = await freshPage();
      await openFile(p, join(CORPUS, name));
      for (const full of sample) {
        const hex = full.slice(full.lastIndexOf('/') + 1);
        await p.evaluate((h) => { location.hash = `trace=${h}`; }, hex);
        await p.waitForFunction((t) => document.querySelector('[data-testid=waterfall]')?.getAttribute('data-trace') === t, full);
        const nums = await p.$$eval('[data-testid=trace-row]', (rows) => rows.map((r) => Number(r.getAttribute('data-num'))));
        expect(nums).toEqual(carriers.get(full));
      }
      // The Traces tab lists every trace, HTTP/2's (in frames) as HTTP/1's, with its packets.
      await p.evaluate(() => { location.hash = 'view=traces'; });
      await p.waitForFunction((n) => document.querySelectorAll('[data-testid=traces-row]').length >= n, Math.min(carriers.size, 5), { timeout: 20_000 });
      const rows = await p.$$eval('[data-testid=traces-row]', (rs) => rs.map((r) => r.textContent ?? ''));
      for (const row of rows) expect([...carriers.keys()].some((t) => row.includes(t.slice(t.lastIndexOf('/') + 1))), row).toBe(true);
      await p.context().close();
    }, 120_000);
  }

  for (const name of ['h1-keepalive-mtu1500.pcap', 'h1-resets-mtu1500.pcap', 'h2c-mtu1500.pcap']) {
    it(`${name}: the HAR export is valid HAR 1.2 and its exchanges equal the HTTP records`, async () => {
      const { records } = cliOf(name);
      const p = await freshPage();
      await openFile(p, join(CORPUS, name));
      const [download] = await Promise.all([p.waitForEvent('download'), p.click('[data-testid=export-har]')]);
      const path = join(mkdtempSync(join(tmpdir(), 'tracecap-har-')), 'x.har');
      await download.saveAs(path);
      const har = JSON.parse(readFileSync(path, 'utf8'));
      await expect(validator.har(har)).resolves.toBeTruthy();
      await expect(validator.har({ log: { ...har.log, version: undefined } })).rejects.toThrow();
      // Requests and responses as the records show them: HTTP/1 heads, and HTTP/2 HEADERS frames.
      const reqs: Array<{ num: number; method: string; path: string }> = [];
      const resps: Array<{ num: number; status: number }> = [];
      for (const r of records) {
        const h = r.HTTP;
        if (!h) continue;
        const n = Number(r.pcap.num);
        if (h.kind === 'request' && h.method) reqs.push({ num: n, method: h.method, path: h.url });
        if (h.kind === 'response' && h.code) resps.push({ num: n, status: h.code });
        for (const s of Object.values<Rec>(h.streams ?? {})) for (const f of s.frames ?? []) {
          if (f.kind === 'request' && f.headers?.[':method']) reqs.push({ num: n, method: f.headers[':method'][0], path: f.headers[':path']?.[0] });
          if (f.kind === 'response' && f.headers?.[':status']) resps.push({ num: n, status: Number(f.headers[':status'][0]) });
        }
      }
      const entries = har.log.entries as Rec[];
      const asReq = entries.filter((e) => e._packets[0] !== null).map((e) => ({ num: e._packets[0], method: e.request.method, path: new URL(e.request.url).pathname + new URL(e.request.url).search }));
      const key = (x: { num: number }) => x.num;
      expect(asReq.map(key).sort((a, b) => a - b)).toEqual(reqs.map(key).sort((a, b) => a - b));
      for (const want of reqs) {
        const got = asReq.filter((e) => e.num === want.num && e.method === want.method && e.path === want.path);
        expect(got.length, `request at packet ${want.num}`).toBeGreaterThan(0);
      }
      const asResp = entries.filter((e) => e._packets[1] !== null).map((e) => ({ num: e._packets[1], status: e.response.status }));
      expect(asResp.map(key).sort((a, b) => a - b)).toEqual(resps.map(key).sort((a, b) => a - b));
      for (const want of resps) expect(asResp.some((e) => e.num === want.num && e.status === want.status), `response at packet ${want.num}`).toBe(true);
      await p.context().close();
    }, 120_000);
  }

  it('a damaged capture: the error state, one message with the offset and packet, every record before the damage', async () => {
    const pcapng = new Uint8Array(readFileSync(join(CORPUS, 'h1-keepalive-mtu1500.pcapng')));
    const corrupt = pcapng.slice();
    const dv = new DataView(corrupt.buffer);
    let off = 0;
    for (let i = 0; i < 300; i++) off += dv.getUint32(off + 4, true);
    dv.setUint32(off + 4, 7, true);
    const dir = mkdtempSync(join(tmpdir(), 'tracecap-app-'));
    const file = join(dir, 'corrupt.pcapng');
    writeFileSync(file, corrupt);
    const t = await createTranslator(readFileSync(join(ROOT, 'build', 'tracecap.wasm')));
    const want = new TextDecoder().decode(t.push(corrupt)) + new TextDecoder().decode(t.finish());
    const wantLines = want.split('\n').filter((l) => l !== '');
    expect(t.error).not.toBeNull();
    const p = await freshPage();
    await openFile(p, file);
    expect(await state(p)).toBe('error');
    expect(await shown(p)).toBe(wantLines.length);
    // Said once, the last good packet numbered from 0 as in the table (the core's message counts from 1).
    const banner = (await p.textContent('[data-testid=error]')) ?? '';
    expect(banner.split('byte offset').length - 1).toBe(1);
    expect(banner).toContain(`byte offset ${t.error!.offset.toLocaleString('en')}`);
    expect(banner).toContain(`after packet #${(t.error!.packets - 1).toLocaleString('en')}.`);
    expect(banner).not.toContain(`(packet ${t.error!.packets + 1})`);
    expect(await p.locator('[data-testid=error]').count()).toBe(1);
    expect(await recordOf(p, Number(JSON.parse(wantLines[wantLines.length - 1]!).pcap.num))).toBe(wantLines[wantLines.length - 1]);
    // And a file that is no capture at all.
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'GET / HTTP/1.1\r\nHost: example.com\r\n\r\n'.repeat(4));
    await openFile(p, text);
    expect(await state(p)).toBe('error');
    expect(await shown(p)).toBe(0);
    expect((await p.textContent('[data-testid=error]')) ?? '').toMatch(/not a pcap|capture/i);
    await p.context().close();
  }, 120_000);

  it('what the analysis gave up is shown once loaded, in the words of the CLI\'s line', async () => {
    // Two responses with heads over the 16 KiB limit on one keep-alive connection.
    const pk: B.PcapPacket[] = [];
    const c = new Conversation(pk);
    c.handshake(100);
    for (let k = 0; k < 2; k++) {
      c.send(request(`/k${k}`), 100 + k);
      c.reply(`HTTP/1.1 200 OK\r\nSet-Cookie: ${'s'.repeat(20000)}\r\nContent-Length: 2\r\n\r\nok`, 100.5 + k);
    }
    const dir = mkdtempSync(join(tmpdir(), 'tracecap-app-'));
    const file = join(dir, 'big-heads.pcap');
    writeFileSync(file, B.pcap(pk, { nano: true }));
    const p = await freshPage();
    await openFile(p, file);
    const cliLine = spawnSync(process.execPath, [join(ROOT, 'bin', 'tracecap.js'), file], { encoding: 'utf8' }).stderr.trim();
    expect(cliLine).toBe(`tracecap: ${file}: the analysis gave up: 2 HTTP/1 heads over the head limit (lines beyond it not shown)`);
    expect((await p.textContent('[data-testid=skipped]')) ?? '').toContain('The analysis gave up: 2 HTTP/1 heads over the head limit (lines beyond it not shown).');
    // A capture with nothing given up shows no such notice.
    await openFile(p, join(CORPUS, 'h1-keepalive-lo.pcap'));
    expect(await p.locator('[data-testid=skipped]').count()).toBe(0);
    await p.context().close();
  }, 120_000);

  it('?url= opens a capture on the same origin; every view renders (screenshots saved)', async () => {
    const one = await serveApp({ root: APP, port: 0, file: join(ROOT, 'examples', 'http-keepalive.pcap') });
    try {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const p = await context.newPage();
      p.on('pageerror', (e) => errors.push(e.message));
      await p.goto(one.url);
      await p.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 60_000 }); await filterSettled(p);
      expect(await shown(p)).toBe(readFileSync(join(ROOT, 'examples', 'http-keepalive.ndjson'), 'utf8').split('\n').filter(Boolean).length);
      await p.click('[data-testid=packet-row] >> nth=3');
      await p.waitForSelector('[data-testid=detail]');
      await p.screenshot({ path: join(ARTIFACTS, 'packets.png') });
      for (const [tab, testid] of [['conns', 'conn-row'], ['http', 'http-row'], ['traces', 'traces-row'], ['timeline', 'timeline-packets']] as const) {
        await p.click(`[data-testid=tab-${tab}]`);
        await p.waitForSelector(`[data-testid=${testid}]`);
        if (tab === 'http') await p.waitForSelector('[data-testid=latency-histogram] canvas');
        await p.screenshot({ path: join(ARTIFACTS, `${tab}.png`) });
      }
      await p.click('[data-testid=tab-traces]');
      await p.click('[data-testid=traces-row]');
      await p.waitForSelector('[data-testid=trace-row]');
      await p.screenshot({ path: join(ARTIFACTS, 'waterfall.png') });
      // A connection selected filters the packets to it.
      await p.click('[data-testid=tab-conns]');
      await p.click('[data-testid=conn-row]');
      await p.waitForFunction(() => document.querySelector<HTMLElement>('.filterbar')!.dataset.applied!.startsWith('flow == '));
      expect(await shown(p)).toBeGreaterThan(0);
      // A dragged time range narrows every view.
      await applyFilter(p, '');
      const all = await shown(p);
      await p.click('[data-testid=tab-timeline]');
      const box = (await p.locator('[data-testid=timeline-packets] .u-over').boundingBox())!;
      await p.mouse.move(box.x + box.width * 0.1, box.y + box.height / 2);
      await p.mouse.down();
      await p.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2, { steps: 5 });
      await p.mouse.up();
      await p.waitForFunction((all) => Number(document.querySelector('[data-testid=packet-count]')!.textContent) < all, all);
      expect(new URL(p.url()).hash).toMatch(/t=\d/);
      await p.screenshot({ path: join(ARTIFACTS, 'timeline-range.png') });
      await context.close();
    } finally { await one.close(); }
  }, 120_000);

  it('settings from the URL (verbosity, project, interface) give the CLI records for the same options; the panel keeps them in the URL', async () => {
    const example = join(ROOT, 'examples', 'http-keepalive.pcap');
    const one = await serveApp({ root: APP, port: 0, file: example });
    try {
      const want = spawnSync(process.execPath, [join(ROOT, 'bin', 'tracecap.js'), '--verbosity', 'info', '--project', 'p-1', '--iface', 'eth7', '--iface-index', '3', '--iface-addr', '127.0.0.1', example], { encoding: 'utf8' });
      expect(want.status, want.stderr).toBe(0);
      const lines = want.stdout.split('\n').filter(Boolean);
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const p = await context.newPage();
      p.on('pageerror', (e) => errors.push(e.message));
      await p.goto(`${one.url}&verbosity=info&project=p-1&iface=eth7&ifindex=3&addrs=127.0.0.1`);
      await p.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 60_000 }); await filterSettled(p);
      expect(await shown(p)).toBe(lines.length);
      for (const i of [0, 7, lines.length - 1]) expect(await recordOf(p, Number(JSON.parse(lines[i]!).pcap.num))).toBe(lines[i]);
      // Changing a setting in the panel reopens the capture and writes it to the URL.
      await p.click('text=Settings');
      await p.fill('[data-testid=settings] input[placeholder=my-project]', 'p-2');
      const before = Number(await p.evaluate(() => document.body.dataset.loads));
      await p.click('text=Apply and reopen');
      await p.waitForFunction((n) => Number(document.body.dataset.loads) > n, before);
      expect(new URL(p.url()).searchParams.get('project')).toBe('p-2');
      expect(new URL(p.url()).searchParams.get('verbosity')).toBe('info');
      await applyFilter(p, '');
      expect(JSON.parse(await recordOf(p, 0))['logging.googleapis.com/labels']).toBeDefined();
      await context.close();
    } finally { await one.close(); }
  }, 120_000);

  it('exports: NDJSON equals the CLI bytes, the filtered export the matching lines; copy puts the exact line on the clipboard; a dropped file opens', async () => {
    const name = 'h1-keepalive-mtu1500.pcap';
    const { lines, records } = cliOf(name);
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, acceptDownloads: true, permissions: ['clipboard-read', 'clipboard-write'] });
    const p = await context.newPage();
    p.on('pageerror', (e) => errors.push(e.message));
    await p.goto(server.url);
    // Drag and drop: a File dropped on the page opens like one picked.
    const bytes = readFileSync(join(CORPUS, name)).toString('base64');
    const before = Number(await p.evaluate(() => document.body.dataset.loads ?? '0'));
    await p.evaluate(({ b64, name }) => {
      const bin = atob(b64); const u = new Uint8Array(bin.length); for (let i = 0; i < bin.length; i++) u[i] = bin.charCodeAt(i);
      const dt = new DataTransfer(); dt.items.add(new File([u], name));
      window.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
      window.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, { b64: bytes, name });
    await p.waitForFunction((n) => Number(document.body.dataset.loads) > n, before, { timeout: 60_000 });
    await filterSettled(p);
    expect(await state(p)).toBe('ready');
    expect(await shown(p)).toBe(lines.length);
    const save = async (testid: string) => {
      const [d] = await Promise.all([p.waitForEvent('download'), p.click(testid)]);
      const path = join(mkdtempSync(join(tmpdir(), 'tracecap-export-')), d.suggestedFilename());
      await d.saveAs(path);
      return readFileSync(path, 'utf8');
    };
    expect(await save('text=Export NDJSON')).toBe(lines.join('\n') + '\n');
    const q = 'HTTP.code >= 200 or L4.flags.str ~ FIN';
    const f = await applyFilter(p, q);
    const want = lines.filter((_l, i) => Number(records[i]!.HTTP?.code) >= 200 || String(records[i]!.L4?.flags?.str ?? '').toLowerCase().includes('fin'));
    expect(f.count).toBe(want.length);
    expect(await save('text=Export filtered')).toBe(want.join('\n') + '\n');
    // Copy record: the exact NDJSON line.
    await p.click('[data-testid=packet-row] >> nth=1');
    await p.waitForSelector('[data-testid=detail]');
    await p.click('[data-testid=copy-record]');
    await p.waitForSelector('text=Copied');
    expect(await p.evaluate(() => navigator.clipboard.readText())).toBe(await p.textContent('[data-testid=record-text]'));
    expect(want).toContain(await p.evaluate(() => navigator.clipboard.readText()));
    await context.close();
  }, 120_000);

  it('no uncaught error in any page', () => { expect(errors).toEqual([]); });
});
