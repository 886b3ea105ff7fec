// The browser parallel translator (runtimes/browser/parallel.ts) in Debian's Chromium, through
// the bundles a page would use: build/runtimes/browser.js and build/runtimes/browser-shard.js
// (module Web Workers). For threads 2 and 3, the bench captures at INFO and DEBUG give the same
// NDJSON and the same index entries as one Translator in the page and in Node, each piece's
// entries just before its bytes; translateFileParallel() streams the same bytes; a damaged
// capture gives the records before the damage and the same CaptureError; a wrong workerUrl
// rejects. All of it twice: on a page that is not cross-origin isolated (each thread gets its own
// copy of the input) and on one that is (COOP + COEP, as `tracecap app` serves: the input goes
// through shared slots every thread reads, and with tracecap-shared.wasm given, the threads'
// records are read where their core wrote them). Needs `npm run build` (build/runtimes/, build/*.wasm).
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTranslator, ENTRY_BYTES, type CaptureError } from '../../../src/index.js';
import type { ParRequest, ParResult } from './parallel-page.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const BENCH = join(ROOT, '..', 'shared', 'corpus', 'bench');
const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`[parallel] Chromium not found at ${CHROMIUM}: the browser parallel tests are skipped`);
const BUILT = ['build/tracecap.wasm', 'build/runtimes/browser.js', 'build/runtimes/browser-shard.js', 'build/tracecap-shared.wasm'].map((p) => join(ROOT, p));
for (const p of BUILT) if (!existsSync(p)) throw new Error(`${p} is missing: run \`npm run build\` first`);
const [wasm, browserJs, shardJs, sharedWasm] = BUILT.map((p) => readFileSync(p));

const captures = readdirSync(BENCH).filter((f) => f.endsWith('.pcap')).sort();
const inputs = new Map(captures.map((n) => [n, new Uint8Array(readFileSync(join(BENCH, n)))]));

/** The first capture with the record header of its middle packet damaged (a length no snaplen allows). */
const DAMAGED = (() => {
  const bytes = inputs.get(captures[0]!)!.slice();
  const dv = new DataView(bytes.buffer);
  const offsets: number[] = [];
  for (let off = 24; off + 16 <= bytes.length; off += 16 + dv.getUint32(off + 8, true)) offsets.push(off);
  const at = offsets[Math.floor(offsets.length / 2)]!;
  dv.setUint32(at + 8, 0x7fff_0000, true);
  return bytes;
})();
inputs.set('damaged.pcap', DAMAGED);

const sha256 = (parts: Uint8Array[]) => { const h = createHash('sha256'); for (const p of parts) h.update(p); return h.digest('hex'); };

interface Reference { bytes: number; sha256: string; entries: number; entriesSha256: string; records: number; error: CaptureError | null }
/** One Translator in Node, the whole capture at once. */
async function reference(input: Uint8Array, verbosity: 'info' | 'debug'): Promise<Reference> {
  const t = await createTranslator(wasm!, { verbosity });
  const out: Uint8Array[] = [], ents: Uint8Array[] = [];
  t.setIndexSink((e) => ents.push(e.slice()));
  t.setSink((v) => out.push(v.slice()));
  t.push(input);
  if (!t.error) t.finish();
  const n = (a: Uint8Array[]) => a.reduce((s, p) => s + p.length, 0);
  return { bytes: n(out), sha256: sha256(out), entries: n(ents) / ENTRY_BYTES, entriesSha256: sha256(ents), records: t.records, error: t.error };
}
const refs = new Map<string, Reference>();
async function ref(name: string, verbosity: 'info' | 'debug'): Promise<Reference> {
  const key = `${name} ${verbosity}`;
  let r = refs.get(key);
  if (!r) { r = await reference(inputs.get(name)!, verbosity); refs.set(key, r); }
  return r;
}

const servers: Server[] = [];
let browser: Browser;
/** The test page, not isolated [0] and cross-origin isolated [1]. */
const pages: Page[] = [];
const pageErrors: string[] = [];
/** Headers that make a page cross-origin isolated (SharedArrayBuffer). */
const ISOLATION = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };

beforeAll(async () => {
  if (!haveChromium) return;
  const pageJs = (await build({
    entryPoints: [join(import.meta.dirname, 'parallel-page.ts')],
    bundle: true, write: false, format: 'esm', platform: 'browser', target: 'es2022', logLevel: 'warning', external: ['/runtimes/*'],
  })).outputFiles[0]!.contents;
  const files = new Map<string, { type: string; body: Uint8Array | string }>([
    ['/', { type: 'text/html; charset=utf-8', body: '<!doctype html><meta charset="utf-8"><title>tracecap parallel</title><script type="module" src="/page.js"></script>\n' }],
    ['/page.js', { type: 'text/javascript; charset=utf-8', body: pageJs }],
    ['/runtimes/browser.js', { type: 'text/javascript; charset=utf-8', body: browserJs! }],
    ['/runtimes/browser-shard.js', { type: 'text/javascript; charset=utf-8', body: shardJs! }],
    ['/tracecap.wasm', { type: 'application/wasm', body: wasm! }],
    ['/tracecap-shared.wasm', { type: 'application/wasm', body: sharedWasm! }],
    ['/favicon.ico', { type: 'image/x-icon', body: '' }],
  ]);
  for (const [n, b] of inputs) files.set(`/capture/${n}`, { type: 'application/octet-stream', body: b });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  for (const isolated of [false, true]) {
    const server = createServer((req, res) => {
      const f = files.get(new URL(req.url ?? '/', 'http://x').pathname);
      if (!f) { res.writeHead(404).end(); return; }
      res.writeHead(200, { 'content-type': f.type, 'cache-control': 'no-store', ...(isolated ? ISOLATION : {}) }).end(f.body);
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const page = await browser.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await page.waitForFunction(() => 'parRun' in globalThis, null, { timeout: 60_000 }).catch((e: Error) => {
      throw new Error(`test page did not load: ${pageErrors.join('; ') || e.message}`);
    });
    pages.push(page);
  }
}, 120_000);
afterAll(async () => {
  await browser?.close();
  for (const server of servers) await new Promise((resolve) => server.close(resolve));
});

let page: Page; // the page of the describe block running

function expectSame(got: ParResult, want: Reference, what: string): void {
  expect(got.rejected, what).toBeUndefined();
  expect({ bytes: got.bytes, sha256: got.sha256 }, `${what}: NDJSON`).toEqual({ bytes: want.bytes, sha256: want.sha256 });
}

const run = (req: ParRequest): Promise<ParResult> => page.evaluate((r) => (globalThis as unknown as { parRun(r: ParRequest): Promise<ParResult> }).parRun(r), req);

for (const isolated of [false, true]) describe.skipIf(!haveChromium)(`browser parallel translator (build/runtimes/browser.js, browser-shard.js), ${isolated ? 'cross-origin isolated: shared input slots' : 'not isolated: input copied to each thread'}`, () => {
  beforeAll(() => { page = pages[Number(isolated)]!; });

  it(`the page is ${isolated ? '' : 'not '}cross-origin isolated`, async () => {
    expect(await page.evaluate(() => ({ isolated: crossOriginIsolated, shared: typeof SharedArrayBuffer === 'function' }))).toEqual(isolated ? { isolated: true, shared: true } : { isolated: false, shared: false });
  });

  for (const name of captures) {
    for (const verbosity of ['info', 'debug'] as const) {
      it(`${name} at ${verbosity.toUpperCase()}: threads 2 and 3 give one Translator's NDJSON and index entries`, async () => {
        const want = await ref(name, verbosity);
        expect(want.error).toBeNull();
        expect(want.records).toBeGreaterThan(1000);
        expect(want.entries).toBe(want.records);
        const single = await run({ capture: `/capture/${name}`, verbosity, threads: 0, mode: 'sink' });
        expectSame(single, want, 'one translator in the page');
        expect(single.entriesSha256).toBe(want.entriesSha256);
        // Each thread's own core copying its records out, and (in place where isolated) the shared-memory core.
        for (const [threads, sharedCore] of [[2, false], [2, true], [3, true]] as const) {
          const got = await run({ capture: `/capture/${name}`, verbosity, threads, mode: 'sink', sharedCore });
          const what = `${threads} threads${sharedCore ? ', tracecap-shared.wasm given' : ''}`;
          expectSame(got, want, what);
          expect(got.threads, what).toBe(threads);
          expect({ entries: got.entries, entriesSha256: got.entriesSha256 }, `${what}: index entries`).toEqual({ entries: want.entries, entriesSha256: want.entriesSha256 });
          expect(got.records, what).toBe(want.records);
          // Every piece's entries came just before it, one per record.
          expect(got.mismatched, what).toBe(0);
          expect(got.pieces, what).toBeGreaterThan(1);
          expect(got.error, what).toBeUndefined();
          // Records read in place reach the sink as views of shared memory (long runs; at DEBUG on these captures).
          if (!(isolated && sharedCore)) expect(got.sharedPieces, what).toBe(0);
          else if (verbosity === 'debug') expect(got.sharedPieces, what).toBeGreaterThan(0);
        }
      }, 300_000);
    }
  }

  it(`translateFileParallel(): the same stream of bytes as translateFile()'s translator`, async () => {
    const name = captures[captures.length - 1]!;
    const want = await ref(name, 'debug');
    const got = await run({ capture: `/capture/${name}`, verbosity: 'debug', threads: 3, mode: 'stream', sharedCore: true });
    expectSame(got, want, 'translateFileParallel, 3 threads');
    expect(got.error).toBeUndefined();
    // Default threads: navigator.hardwareConcurrency (at most 8).
    expectSame(await run({ capture: `/capture/${name}`, verbosity: 'debug', threads: 0, mode: 'stream' }), want, 'translateFileParallel, default threads');
  }, 300_000);

  it('a damaged capture: the records before the damage, then the same CaptureError (offset, packet)', async () => {
    const want = await ref('damaged.pcap', 'debug');
    expect(want.error).not.toBeNull();
    expect(want.records).toBeGreaterThan(1000);
    for (const mode of ['sink', 'stream'] as const) {
      for (const threads of [2, 3]) {
        const got = await run({ capture: '/capture/damaged.pcap', verbosity: 'debug', threads, mode, sharedCore: threads === 3 });
        const what = `${mode}, ${threads} threads`;
        expectSame(got, want, what);
        expect(got.error, what).toEqual({ name: 'CaptureError', message: want.error!.message, codeName: want.error!.codeName, offset: want.error!.offset, packets: want.error!.packets });
        if (mode === 'sink') expect({ entries: got.entries, entriesSha256: got.entriesSha256, mismatched: got.mismatched }).toEqual({ entries: want.entries, entriesSha256: want.entriesSha256, mismatched: 0 });
      }
    }
  }, 300_000);

  it('bad threads or a workerUrl that serves no script: rejects, no stream', async () => {
    const name = captures[0]!;
    const bad = await run({ capture: `/capture/${name}`, verbosity: 'info', threads: 9, mode: 'sink' });
    expect(bad.rejected?.name).toBe('RangeError');
    const missing = await run({ capture: `/capture/${name}`, verbosity: 'info', threads: 2, mode: 'stream', workerUrl: '/runtimes/no-such-shard.js' });
    expect(missing.rejected?.message).toMatch(/thread/);
    expect(missing.bytes).toBe(0);
  }, 120_000);

  it('no uncaught error in the page', () => { expect(pageErrors).toEqual([]); });
});
