// The page script of parallel.test.ts (bundled by it with esbuild). It loads the bundled browser
// adapter, build/runtimes/browser.js (served at /runtimes/browser.js, not bundled in here), and
// translates a capture with one Translator and with createBrowserParallelTranslator() on
// /runtimes/browser-shard.js threads, handing back digests of the NDJSON and the index entries.
type Api = typeof import('../../../runtimes/browser/index.js');

export interface ParRequest {
  capture: string;
  verbosity: 'info' | 'debug';
  /** 0: one Translator. */
  threads: number;
  /** 'sink': setSink + setIndexSink, awaiting push() per chunk of the file's stream; 'stream': translateFileParallel(). */
  mode: 'sink' | 'stream';
  workerUrl?: string;
  /** Also give the threads tracecap-shared.wasm (used only when the page is cross-origin isolated). */
  sharedCore?: boolean;
}

export interface ParResult {
  bytes: number; sha256: string;
  entries: number; entriesSha256: string;
  records: number; packets: number;
  /** Sink calls whose index entries did not arrive just before them, or not one per record. */
  mismatched: number;
  pieces: number;
  /** Pieces the sink got as views of shared memory (records read in place). */
  sharedPieces: number;
  threads: number;
  error?: { name: string; message: string; codeName?: string; offset?: number; packets?: number };
  rejected?: { name: string; message: string };
}

const api = (await import(/* @vite-ignore */ '/runtimes/browser.js' as string)) as Api;
const core = await api.loadCore(new URL('/tracecap.wasm', location.href));
let shared: Promise<WebAssembly.Module> | null = null;
const sharedCore = () => (shared ??= api.loadCore(new URL('/tracecap-shared.wasm', location.href)));

/** SHA-256 (hex) of parts, incrementally enough: one digest over their concatenation. */
async function digest(parts: Uint8Array[], n: number): Promise<string> {
  const all = new Uint8Array(n);
  let o = 0;
  for (const p of parts) { all.set(p, o); o += p.length; }
  const h = new Uint8Array(await crypto.subtle.digest('SHA-256', all));
  return [...h].map((b) => b.toString(16).padStart(2, '0')).join('');
}

async function run(req: ParRequest): Promise<ParResult> {
  const res = await fetch(req.capture);
  if (!res.ok) throw new Error(`GET ${req.capture}: ${res.status}`);
  const file = new File([await res.blob()], req.capture.split('/').pop()!);
  const out: Uint8Array[] = [];
  const ents: Uint8Array[] = [];
  let bytes = 0, entryBytes = 0, mismatched = 0, pieces = 0, sharedPieces = 0, waiting = -1;
  const result = (t: { records: number; packets: number } | null, threads: number): Promise<ParResult> =>
    Promise.all([digest(out, bytes), digest(ents, entryBytes)]).then(([sha256, entriesSha256]) => ({
      bytes, sha256, entries: entryBytes / api.ENTRY_BYTES, entriesSha256, records: t?.records ?? 0, packets: t?.packets ?? 0, mismatched, pieces, sharedPieces, threads,
    }));
  const errorOf = (e: unknown): ParResult['error'] => {
    const x = e as Error;
    const r: ParResult['error'] = { name: x.name, message: x.message };
    if (e instanceof api.CaptureError) Object.assign(r, { codeName: e.codeName, offset: e.offset, packets: e.packets });
    return r;
  };
  const options = { verbosity: req.verbosity } as const;
  const workerUrl = req.workerUrl ?? '/runtimes/browser-shard.js';
  const sharedModule = req.sharedCore ? await sharedCore() : null;

  if (req.mode === 'stream') {
    let stream: ReadableStream<Uint8Array>;
    try {
      stream = await api.translateFileParallel(file, { ...options, threads: req.threads || undefined, sharedModule }, core, workerUrl);
    } catch (e) {
      const r = await result(null, req.threads);
      r.rejected = { name: (e as Error).name, message: (e as Error).message };
      return r;
    }
    const reader = stream.getReader();
    let error: ParResult['error'];
    try {
      for (;;) { const { done, value } = await reader.read(); if (done) break; out.push(value.slice()); bytes += value.length; pieces++; }
    } catch (e) { error = errorOf(e); }
    const r = await result(null, req.threads);
    if (error) r.error = error;
    return r;
  }

  let t: Awaited<ReturnType<Api['createTranslator']>> | Awaited<ReturnType<Api['createBrowserParallelTranslator']>>;
  try {
    t = req.threads === 0 ? await api.createTranslator(core, options) : await api.createBrowserParallelTranslator(core, { ...options, threads: req.threads, workerUrl, sharedModule });
  } catch (e) {
    const r = await result(null, req.threads);
    r.rejected = { name: (e as Error).name, message: (e as Error).message };
    return r;
  }
  t.setIndexSink((entries, count) => {
    if (waiting !== -1) mismatched++;
    if (entries.length !== count * api.ENTRY_BYTES) mismatched++;
    ents.push(entries.slice()); entryBytes += entries.length; waiting = count;
  });
  t.setSink((view) => {
    let lines = 0;
    for (let i = 0; i < view.length; i++) if (view[i] === 10) lines++;
    if (waiting !== lines) mismatched++;
    waiting = -1;
    if (typeof SharedArrayBuffer === 'function' && view.buffer instanceof SharedArrayBuffer) sharedPieces++;
    out.push(view.slice()); bytes += view.length; pieces++;
  });
  const reader = (file.stream() as ReadableStream<Uint8Array>).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    await t.push(value);
    if (t.error) break;
  }
  if (!t.error) await t.finish();
  if ('close' in t) t.close();
  const r = await result(t, 'threads' in t ? t.threads : 0);
  if (t.error) r.error = errorOf(t.error);
  return r;
}

(globalThis as { parRun?: typeof run }).parRun = run;
