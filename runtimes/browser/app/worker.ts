/**
 * The app's worker: translates the capture with the core, keeps the records in the store
 * (store.ts) and a compact index (packets.ts), and answers the page's queries — filters, table
 * rows, connections, HTTP exchanges, traces, the timeline, exports — so the page's thread only
 * draws. Requests are handled between input chunks, so the page can explore while loading.
 */
import { createTranslator, CaptureError, ENTRY_BYTES, type Translator, type TranslatorOptions } from '../../../src/index.js';
import { AHEAD_CHUNKS, PARALLEL_CHUNK_BYTES, type ParallelTranslator } from '../../../src/parallel.js';
import { loadCore } from '../index.js';
import { createBrowserParallelTranslator } from '../parallel.js';
import { threadsFor } from './threads.js';
import { PacketIndex, CLASSES, NO_CODE, tcpFlagText, utf8 } from './packets.js';
import { openStore, type RecordStore } from './store.js';
import { parseQuery, resolvePath, type Query } from './query.js';
import { page } from './tables.js';
import { LazyRecord } from './members.js';
import { rereadHeaders, type Exchange } from './http.js';
import { toHar } from './har.js';
import { META, type Fields, type Located, type AppOptions, type BatchResult, type Conn, type Detail, type Event, type FilterResult, type HttpRequest, type HttpRow, type Loaded, type Range, type Request, type Row, type Source, type Timeline, type TraceDetail, type TracePacket, type TraceRow } from './protocol.js';

const TRACE_KEY = 'logging.googleapis.com/trace';
/** Bytes read from the store at once when scanning records in order. */
const READ_BLOCK = 4 << 20;
/** Longest stretch of work between two looks at the message queue (ms). */
const SLICE_MS = 25;
/**
 * Batches of HTTP values sent to the HTTP worker and not yet answered before translation waits:
 * without this, a capture the HTTP worker cannot keep up with would queue its HTTP text in
 * memory (400 MB on a 1M-packet HTTP capture).
 */
const MAX_HTTP_BATCHES_IN_FLIGHT = 8;
/** Packets listed in one trace's waterfall. */
const MAX_TRACE_PACKETS = 20_000;

export { PARALLEL_MIN_BYTES, shardThreads } from './threads.js';

const post = (e: Event, transfer: Transferable[] = []) => (self as unknown as { postMessage(m: unknown, t: Transferable[]): void }).postMessage(e, transfer);

/** The HTTP worker (http-worker.ts): requests as promises, answered in order. */
class HttpWorker {
  readonly #w = new Worker(new URL('http-worker.js', self.location.href), { type: 'module' });
  #next = 1;
  readonly #waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  constructor() {
    this.#w.onmessage = (m: MessageEvent<{ id: number; result?: unknown; error?: string }>) => {
      const w = this.#waiting.get(m.data.id);
      this.#waiting.delete(m.data.id);
      if (m.data.error !== undefined) w?.reject(new Error(m.data.error)); else w?.resolve(m.data.result);
    };
  }
  /** Sends a request (transferring `transfer`); resolves with the answer. */
  ask<T>(req: HttpRequest, transfer: Transferable[] = []): Promise<T> {
    const id = this.#next++;
    return new Promise<T>((resolve, reject) => { this.#waiting.set(id, { resolve: resolve as (v: unknown) => void, reject }); this.#w.postMessage({ id, req }, transfer); });
  }
}
let httpWorker: HttpWorker | null = null;
const http = () => (httpWorker ??= new HttpWorker());

/** HTTP values of one output batch, on their way to the HTTP worker. */
class HttpBatch {
  meta = new Float64Array(4096 * META);
  text = new Uint8Array(1 << 20);
  lens = new Uint32Array(4096);
  n = 0;
  bytes = 0;
  sent = { addrs: 1, flows: 1, traces: 1 };
  /** Adds the HTTP value at [off, off + len) of `view` for record pos. */
  add(idx: PacketIndex, view: Uint8Array, pos: number, off: number, len: number): void {
    if (this.n === this.lens.length) {
      const l = new Uint32Array(this.n * 2); l.set(this.lens); this.lens = l;
      const m = new Float64Array(this.n * 2 * META); m.set(this.meta); this.meta = m;
    }
    if (this.bytes + len > this.text.length) { const t = new Uint8Array(Math.max(this.text.length * 2, this.bytes + len)); t.set(this.text.subarray(0, this.bytes)); this.text = t; }
    this.text.set(view.subarray(off, off + len), this.bytes);
    this.bytes += len;
    const m = this.n * META;
    this.meta[m] = pos; this.meta[m + 1] = idx.serial.a[pos]!; this.meta[m + 2] = idx.time.a[pos]!; this.meta[m + 3] = idx.flow.a[pos]!;
    this.meta[m + 4] = idx.src.a[pos]!; this.meta[m + 5] = idx.dst.a[pos]!; this.meta[m + 6] = idx.sport.a[pos]!; this.meta[m + 7] = idx.dport.a[pos]!; this.meta[m + 8] = idx.trace.a[pos]!;
    this.lens[this.n++] = len;
  }
  /** Sends what was added (with the strings interned since the last batch); resolves with the worker's results. */
  flush(idx: PacketIndex): Promise<BatchResult> | null {
    if (this.n === 0) return null;
    const req: HttpRequest = {
      op: 'batch', addrs: idx.addrs.values.slice(this.sent.addrs), flows: idx.flows.values.slice(this.sent.flows), traces: idx.traces.values.slice(this.sent.traces),
      meta: this.meta.slice(0, this.n * META), text: this.text.slice(0, this.bytes), lens: this.lens.slice(0, this.n),
    };
    this.sent = { addrs: idx.addrs.values.length, flows: idx.flows.values.length, traces: idx.traces.values.length };
    this.n = 0; this.bytes = 0;
    return http().ask<BatchResult>(req, [req.meta.buffer, req.text.buffer, req.lens.buffer]);
  }
}

let corePromise: Promise<WebAssembly.Module> | null = null;
const core = () => (corePromise ??= loadCore(new URL('tracecap.wasm', self.location.href)));
let sharedCorePromise: Promise<WebAssembly.Module | null> | null = null;
/**
 * The core with shared memory for the threads (their records are then read in place), where
 * this worker is cross-origin isolated (`tracecap app` serves COOP + COEP); else, or when it
 * cannot be loaded, null: the threads run tracecap.wasm and copy their records out.
 */
const sharedCore = () => (sharedCorePromise ??= (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true
  ? loadCore(new URL('tracecap-shared.wasm', self.location.href)).catch((err: unknown) => { console.warn(`tracecap: the threads copy their records (${err instanceof Error ? err.message : String(err)})`); return null; })
  : Promise.resolve(null));

/** Everything about the capture that is open. */
class Session {
  readonly index = new PacketIndex();
  readonly batch = new HttpBatch();
  /** Batches sent to the HTTP worker and not yet answered. */
  readonly inflight: Array<Promise<void>> = [];
  /** How many of `inflight` have been answered (they are answered in order). */
  settled = 0;
  readonly generation: number;
  store: RecordStore | null = null;
  blob: Blob | null = null;
  /** Reads bytes [a, b) of the capture (the file, or the server by a Range request). */
  bytes: ((a: number, b: number) => Promise<Uint8Array>) | null = null;
  name = '';
  loaded: Loaded | null = null;
  view: View = { query: null, range: null, matches: null, scanned: 0, source: '' };
  caches = new Map<string, unknown>();
  constructor(generation: number) { this.generation = generation; }
}

/** The current filter: matching record positions (null: every record). */
interface View { query: Query | null; range: Range | null; matches: Uint32Array | null; scanned: number; count?: number; source: string }

let session: Session | null = null;
let generation = 0;

self.onmessage = (m: MessageEvent<{ id: number; req: Request }>) => {
  const { id, req } = m.data;
  handle(req).then(
    (result) => { const t = transferables(result); post({ ev: 'reply', id, result }, t); },
    (err: unknown) => post({ ev: 'reply', id, error: err instanceof Error ? err.message : String(err) }),
  );
};

function transferables(result: unknown): Transferable[] {
  if (result && typeof result === 'object' && 'bytes' in result && (result as Detail).bytes instanceof Uint8Array) return [(result as Detail).bytes.buffer as ArrayBuffer];
  return [];
}

async function handle(req: Request): Promise<unknown> {
  if (req.op === 'open') { void open(req.source, req.options); return null; }
  const s = session;
  // Views may ask before a capture is open: they get empty answers.
  if (!s || !s.store) {
    if (req.op === 'rows' || req.op === 'conns' || req.op === 'traces') return { total: 0, rows: [] };
    if (req.op === 'http') return { total: 0, rows: [], histogram: { edges: [], counts: [] } };
    throw new Error('no capture is open');
  }
  switch (req.op) {
    case 'filter': return filter(s, req.q, req.range);
    case 'rows': return rows(s, req.start, req.count);
    case 'locate': return locate(s, req.num);
    case 'fields': return fields(s);
    case 'detail': return detail(s, req.pos);
    case 'conns': return page(await conns(s), req);
    case 'http': return http().ask({ op: 'http', sort: req.sort, desc: req.desc, start: req.start, count: req.count, range: s.view.range });
    case 'traces': return page(await traceRows(s), req);
    case 'trace': return trace(s, req.id);
    case 'timeline': return timeline(s, req.bins);
    case 'export': return exportBlob(s, req.what);
  }
}

// ---- loading ------------------------------------------------------------------------------

function translatorOptions(o: AppOptions): TranslatorOptions {
  const t: TranslatorOptions = { verbosity: o.verbosity };
  if (o.project) t.project = o.project;
  if (o.ifaceName) t.ifaceName = o.ifaceName;
  if (o.ifaceIndex !== undefined) t.ifaceIndex = o.ifaceIndex;
  if (o.ifaceAddrs?.length) t.ifaceAddrs = o.ifaceAddrs;
  return t;
}

/**
 * The translator for a capture of `total` bytes: for a large one (threads.ts) a parallel one on
 * shard-worker.js threads, else (or when the threads cannot start) one in this worker.
 */
async function translatorFor(total: number, options: TranslatorOptions, asked: number | undefined): Promise<{ translator: Translator | ParallelTranslator; sharedCore: boolean }> {
  const module = await core();
  const threads = asked ?? threadsFor(total, navigator.hardwareConcurrency ?? 1);
  if (threads > 1) {
    try {
      const sharedModule = await sharedCore();
      return { translator: await createBrowserParallelTranslator(module, { ...options, threads, workerUrl: new URL('shard-worker.js', self.location.href), sharedModule }), sharedCore: sharedModule !== null };
    } catch (err) {
      // A bad option is refused alike by one translator, below; anything else (a thread that
      // did not start) leaves the capture to this worker.
      if (!(err instanceof RangeError)) console.warn(`tracecap: translating on one thread (${err instanceof Error ? err.message : String(err)})`);
    }
  }
  return { translator: await createTranslator(module, options), sharedCore: false };
}

async function open(source: Source, options: AppOptions): Promise<void> {
  const old = session;
  const s = new Session(++generation);
  session = s;
  if (old?.store) await old.store.close();
  let translator: Translator | ParallelTranslator;
  let inPlace = false;
  let stream: ReadableStream<Uint8Array>;
  let total = 0;
  try {
    if ('url' in source) {
      // Downloaded into a Blob first (Chromium keeps a large one in the browser process, on
      // disk), then read like a file: translating straight from the response kept ~150 MB more
      // in the tab's process on a 170 MB capture.
      const url = source.url;
      const res = await fetch(url);
      if (!res.ok) throw new Error(`cannot fetch ${url}: HTTP ${res.status}`);
      const blob = await res.blob();
      s.blob = blob; stream = blob.stream() as ReadableStream<Uint8Array>; total = blob.size;
      s.bytes = async (a, b) => new Uint8Array(await blob.slice(a, b).arrayBuffer());
      s.name = decodeURIComponent(source.url.split('/').pop() ?? 'capture');
    } else {
      const file = source.file;
      s.blob = file; s.name = source.name; stream = file.stream() as ReadableStream<Uint8Array>; total = file.size;
      s.bytes = async (a, b) => new Uint8Array(await file.slice(a, b).arrayBuffer());
    }
    ({ translator, sharedCore: inPlace } = await translatorFor(total, translatorOptions(options), options.threads));
  } catch (err) {
    if (session === s) post({ ev: 'failed', message: err instanceof Error ? err.message : String(err) });
    return;
  }
  try {
    await http().ask({ op: 'reset' });
    s.store = await openStore();
  } catch (err) {
    closeTranslator(translator);
    if (session === s) post({ ev: 'failed', message: err instanceof Error ? err.message : String(err) });
    return;
  }
  try {
    await load(s, translator, stream, total, inPlace);
  } finally {
    // Parallel: stops the threads also when loading ended early (an error, another capture opened).
    closeTranslator(translator);
  }
}

function closeTranslator(t: Translator | ParallelTranslator): void { if ('threads' in t) t.close(); }

/** Reads the capture through the translator into the store and the index; posts progress, then `loaded`. */
async function load(s: Session, translator: Translator | ParallelTranslator, stream: ReadableStream<Uint8Array>, total: number, sharedCore: boolean): Promise<void> {
  const threads = 'threads' in translator ? translator.threads : 1;
  const store = s.store!;
  // Over the shared-memory core the threads' long runs of records reach the sink as views of
  // shared memory, which TextDecoder (the index) refuses: those are copied here first.
  let unshared = new Uint8Array(0);
  const own = (view: Uint8Array): Uint8Array => {
    if (!(typeof SharedArrayBuffer === 'function' && view.buffer instanceof SharedArrayBuffer)) return view;
    if (unshared.length < view.length) unshared = new Uint8Array(Math.max(view.length, unshared.length * 2, 1 << 20));
    unshared.set(view);
    return unshared.subarray(0, view.length);
  };
  let pending: Uint8Array | null = null, pendingCount = 0;
  let failure: string | null = null;
  translator.setIndexSink((entries, count) => { pending = entries.slice(0, count * ENTRY_BYTES); pendingCount = count; });
  const tm = { read: 0, core: 0, index: 0, http: 0, store: 0, total: 0 };
  let sinkTime = 0; // time inside the sink, taken off the core's share
  const started = performance.now();
  translator.setSink((shared) => {
    // With threads the sink runs in their message events: a load given up gets nothing more.
    if (failure !== null || session !== s) return;
    const t0 = performance.now();
    const view = own(shared);
    let th = 0, ts = 0;
    try {
      // The store first: a record is indexed only once it can be read back.
      store.append(view);
      ts = performance.now() - t0;
      const entries = pending;
      pending = null;
      if (entries) s.index.add(entries, pendingCount, view, (pos, line, off, len) => { const a = performance.now(); s.batch.add(s.index, view, pos, line + off, len); th += performance.now() - a; });
    } catch (err) { failure = err instanceof Error ? err.message : String(err); }
    // What was indexed goes to the HTTP worker, also when a limit stopped the batch.
    const a = performance.now();
    const sent = s.batch.flush(s.index);
    if (sent) s.inflight.push(sent.then((r) => { applyBatch(s, r); s.settled++; }));
    const t2 = performance.now();
    th += t2 - a;
    tm.store += ts; tm.http += th; tm.index += t2 - t0 - th - ts; sinkTime += t2 - t0;
  });
  const reader = stream.getReader();
  let bytes = 0, lastPost = 0;
  const progress = () => ({ bytes, total, packets: translator.packets, records: s.index.count });
  // Time spent awaiting `work`, less the sink's time inside it (the sink counts as index, http
  // and store). With one translator the sink runs only inside push() and finish(); with threads
  // it runs whenever their records arrive, also while a read is awaited. `core` is then the time
  // the read loop waited for the threads (their back-pressure included), not their CPU time.
  const timed = async <T>(key: 'read' | 'core' | 'http', work: () => T | Promise<T>): Promise<T> => {
    const t0 = performance.now(), sink0 = sinkTime;
    try { return await work(); } finally { tm[key] += performance.now() - t0 - (sinkTime - sink0); }
  };
  // Records not yet delivered when the store makes room: with threads, those of the chunks in
  // flight too (AHEAD_CHUNKS of PARALLEL_CHUNK_BYTES), which may arrive during any later await.
  const behind = threads > 1 ? (AHEAD_CHUNKS + 1) * PARALLEL_CHUNK_BYTES : 0;
  // The threads are sent whole PARALLEL_CHUNK_BYTES pieces (256 KiB): a Blob's stream gives 64 KiB
  // to 2 MiB (Chromium), and only AHEAD_CHUNKS pieces are in flight, so small ones would starve
  // the threads. Served by `tracecap app` the page is cross-origin isolated and the pieces go
  // through shared input slots (src/parallel.ts), one copy for every thread.
  const gather = threads > 1 ? new Uint8Array(PARALLEL_CHUNK_BYTES) : null;
  let gathered = 0;
  const push = async (chunk: Uint8Array) => {
    // Room for this chunk's records (DEBUG writes up to ~40 bytes of NDJSON per capture byte).
    await store.prepare(Math.max(256 << 20, (chunk.length + behind) * 64));
    await timed('core', () => translator.push(chunk));
  };
  try {
    for (;;) {
      const { done, value } = await timed('read', () => reader.read());
      if (session !== s) { void reader.cancel(); return; }
      if (done) break;
      bytes += value.length;
      if (gather === null) await push(value);
      else {
        for (let off = 0; off < value.length;) {
          const n = Math.min(gather.length - gathered, value.length - off);
          gather.set(value.subarray(off, off + n), gathered);
          gathered += n; off += n;
          if (gathered === gather.length) { await push(gather); gathered = 0; }
        }
      }
      if (failure !== null || translator.error || session !== s) break;
      extendView(s);
      // Backpressure from the HTTP worker (it answers in order).
      await timed('http', async () => { while (s.inflight.length - s.settled > MAX_HTTP_BATCHES_IN_FLIGHT) await s.inflight[s.settled]; });
      const now = performance.now();
      if (now - lastPost > 100) { lastPost = now; post({ ev: 'progress', progress: progress() }); }
      await yieldToMessages();
    }
    if (gathered > 0 && failure === null && !translator.error && session === s) await push(gather!.subarray(0, gathered));
    if (failure === null && !translator.error && session === s) { await store.prepare(Math.max(256 << 20, behind * 64)); await timed('core', () => translator.finish()); }
  } catch (err) {
    failure ??= err instanceof Error ? err.message : String(err);
  }
  if (session !== s) return;
  // The HTTP worker's answers: codes and frame traces are part of the index.
  const h0 = performance.now();
  await Promise.all(s.inflight);
  await http().ask({ op: 'end' });
  tm.http += performance.now() - h0;
  if (session !== s) return;
  extendView(s);
  const idx = s.index;
  const loaded: Loaded = {
    ...progress(), name: s.name, store: store.kind, notices: [],
    first: idx.count ? idx.time.a[0]! : 0, last: idx.count ? idx.time.a[idx.count - 1]! : 0, threads, sharedCore, skipped: translator.skipped,
    timings: { ...tm, total: performance.now() - started },
  };
  const e = translator.error;
  if (e instanceof CaptureError) loaded.error = { message: e.message, offset: e.offset, packets: e.packets, code: e.codeName };
  else if (failure !== null) loaded.error = { message: failure, offset: bytes, packets: translator.packets, code: 'LIMIT' };
  s.loaded = loaded;
  s.caches.clear();
  post({ ev: 'loaded', loaded });
}

function applyBatch(s: Session, r: BatchResult): void {
  const idx = s.index;
  for (let i = 0; i < r.codes.length; i += 2) idx.code.a[r.codes[i]!] = r.codes[i + 1]! || NO_CODE;
  for (const [pos, traces] of r.traces) idx.moreTraces.set(pos, traces.map((t) => idx.traces.id(t)));
}

// A macrotask boundary without setTimeout's clamping: lets queued requests run.
const channel = new MessageChannel();
const waiting: Array<() => void> = [];
channel.port1.onmessage = () => waiting.shift()?.();
function yieldToMessages(): Promise<void> { return new Promise((r) => { waiting.push(r); channel.port2.postMessage(0); }); }

// ---- records ------------------------------------------------------------------------------

/** Reads records in position order with block reads (one read per READ_BLOCK bytes). */
class Cursor {
  #buf: Uint8Array = new Uint8Array(0);
  #start = 0;
  constructor(private s: Session) {}
  /** The bytes of record pos (newline excluded). */
  bytes(pos: number): Uint8Array {
    const idx = this.s.index;
    const off = idx.recOff.a[pos]!, len = idx.recLen.a[pos]!;
    if (off < this.#start || off + len > this.#start + this.#buf.length) {
      const size = this.s.store!.size;
      const n = Math.min(Math.max(len, READ_BLOCK), size - off);
      this.#buf = this.s.store!.read(off, n);
      this.#start = off;
    }
    return this.#buf.subarray(off - this.#start, off - this.#start + len - 1);
  }
  text(pos: number): string { return dec.decode(this.bytes(pos)); }
  record(pos: number): Record<string, unknown> { return JSON.parse(this.text(pos)) as Record<string, unknown>; }
}
const dec = new TextDecoder();

// ---- filtering ----------------------------------------------------------------------------

const v4only = /^\d+\.\d+\.\d+\.\d+$/;

/** Answers a path from the index when it can be sure of the record's value; else undefined + false. */
function fromIndex(s: Session, pos: number, path: string): [boolean, unknown] {
  const idx = s.index;
  switch (path) {
    case 'L3.src': case 'L3.dst': {
      const a = idx.addrs.values[(path === 'L3.src' ? idx.src : idx.dst).a[pos]!];
      return a && v4only.test(a) ? [true, a] : [false, undefined];
    }
    case 'L4.src': case 'L4.dst': {
      const p = idx.proto.a[pos]!, sp = idx.sport.a[pos]!, dp = idx.dport.a[pos]!;
      if ((p !== 6 && p !== 17) || (sp === 0 && dp === 0)) return [false, undefined];
      return [true, path === 'L4.src' ? sp : dp];
    }
    case 'HTTP.code': { const c = idx.code.a[pos]!; return c === NO_CODE ? [true, undefined] : c ? [true, c] : [idx.cls.a[pos] !== 0, undefined]; }
    case 'L4.flags.str': case 'L4.flags.dec': {
      // TCP decoded (the same test as for the ports): the flag byte gives the record's value.
      if (idx.proto.a[pos] !== 6 || (idx.sport.a[pos] === 0 && idx.dport.a[pos] === 0)) return [false, undefined];
      const f = idx.flags.a[pos]!;
      return [true, path === 'L4.flags.str' ? tcpFlagText(f) : f];
    }
    case TRACE_KEY: { const t = idx.trace.a[pos]!; return [true, t ? idx.traces.values[t] : undefined]; }
    case 'severity': return [true, idx.error.a[pos] ? 'ERROR' : undefined];
    case 'pcap.num': return [true, String(idx.serial.a[pos])];
    case 'flow': { const f = idx.flow.a[pos]!; return f ? [true, idx.flows.values[f]] : [false, undefined]; }
    default: return [false, undefined];
  }
}

function matcher(s: Session, q: Query | null, range: Range | null): (pos: number, cur: Cursor) => boolean {
  const idx = s.index;
  return (pos, cur) => {
    if (range) { const t = idx.time.a[pos]!; if (t < range[0] || t > range[1]) return false; }
    if (!q) return true;
    // Only the top-level member a path starts in is parsed (members.ts).
    let text: string | undefined, lazy: LazyRecord | undefined;
    const txt = () => (text ??= cur.text(pos));
    return q.test((path) => { const [sure, v] = fromIndex(s, pos, path); return sure ? v : resolvePath((lazy ??= new LazyRecord(txt())).forPath(path), path); }, txt);
  };
}

/** Evaluates the view over records not yet scanned (during loading and after a filter change). */
function extendView(s: Session): void {
  const v = s.view;
  if (!v.query && !v.range) { v.scanned = s.index.count; return; }
  const test = matcher(s, v.query, v.range);
  const cur = new Cursor(s);
  let m = v.matches ?? new Uint32Array(1024);
  let n = v.count ?? 0;
  for (let pos = v.scanned; pos < s.index.count; pos++) {
    if (!test(pos, cur)) continue;
    if (n === m.length) { const b = new Uint32Array(m.length * 2); b.set(m); m = b; }
    m[n++] = pos;
  }
  v.matches = m; v.count = n; v.scanned = s.index.count;
}

async function filter(s: Session, text: string, range: Range | null): Promise<FilterResult> {
  const parsed = parseQuery(text);
  if (!parsed.ok) return { ok: false, message: parsed.error.message, offset: parsed.error.offset };
  const mine = ++filterGeneration;
  const query = parsed.query.source === '' ? null : parsed.query;
  const view: View = { query, range, matches: query || range ? new Uint32Array(1024) : null, scanned: 0, count: 0, source: parsed.query.source };
  if (!view.matches) { view.scanned = s.index.count; s.view = view; return { ok: true, count: s.index.count, total: s.index.count }; }
  const test = matcher(s, query, range);
  const cur = new Cursor(s);
  let m = view.matches!, n = 0, t0 = performance.now();
  for (let pos = 0; pos < s.index.count; pos++) {
    if ((pos & 1023) === 0 && performance.now() - t0 > SLICE_MS) {
      await yieldToMessages();
      if (mine !== filterGeneration || session !== s) throw new Error('superseded');
      t0 = performance.now();
    }
    if (!test(pos, cur)) continue;
    if (n === m.length) { const b = new Uint32Array(m.length * 2); b.set(m); m = b; }
    m[n++] = pos;
  }
  view.matches = m; view.count = n; view.scanned = s.index.count;
  s.view = view;
  return { ok: true, count: n, total: s.index.count };
}
let filterGeneration = 0;

/** The record position of packet serial `num` (serials ascend with positions), or -1. */
function posOfSerial(idx: PacketIndex, num: number): number {
  let lo = 0, hi = idx.count - 1;
  while (lo <= hi) { const m = (lo + hi) >> 1; const v = idx.serial.a[m]!; if (v === num) return m; if (v < num) lo = m + 1; else hi = m - 1; }
  return -1;
}

/** Where packet `num` is: its position, and its index in the view (-1: the filter leaves it out). */
function locate(s: Session, num: number): Located {
  const pos = posOfSerial(s.index, num);
  if (pos < 0) throw new RangeError(`no packet #${num}`);
  if (!s.view.matches) return { pos, index: pos };
  const m = s.view.matches, n = s.view.count ?? 0;
  let lo = 0, hi = n - 1;
  while (lo <= hi) { const mid = (lo + hi) >> 1; const v = m[mid]!; if (v === pos) return { pos, index: mid }; if (v < pos) lo = mid + 1; else hi = mid - 1; }
  return { pos, index: -1 };
}

/** Field names for completion: the top-level layers this capture has first. */
function fields(s: Session): Fields {
  const idx = s.index;
  const seen = new Set<number>();
  for (let pos = 0; pos < idx.count && seen.size < CLASSES.length; pos++) seen.add(idx.cls.a[pos]!);
  const layers: Record<string, string[]> = { HTTP: ['HTTP'], TLS: ['TLS'], DNS: ['DNS'], ICMP: ['ICMP'], ARP: ['ARP'] };
  const present = ['L2', 'L3', 'L4', 'message', 'severity', 'timestamp', 'pcap', 'meta', 'flow', 'iface', 'local'];
  const other: string[] = [];
  for (const [name, keys] of Object.entries(layers)) (seen.has(CLASSES.indexOf(name as typeof CLASSES[number])) ? present : other).push(...keys);
  return { present, other };
}

function viewCount(s: Session): number { return s.view.matches ? s.view.count ?? 0 : s.index.count; }
function viewPos(s: Session, i: number): number { return s.view.matches ? s.view.matches[i]! : i; }

// ---- rows and details -----------------------------------------------------------------------

function protoLabel(r: Record<string, unknown>): string {
  const http = r.HTTP as { proto?: string } | undefined;
  if (http) return http.proto === 'h2c' || http.proto === 'h2' || http.proto === 'HTTP/2' ? 'HTTP/2' : 'HTTP';
  if (r.DNS) return 'DNS';
  if (r.TLS) return 'TLS';
  if (r.ICMP) return (r.L3 as { v?: number } | undefined)?.v === 6 ? 'ICMPv6' : 'ICMP';
  if (r.ARP) return 'ARP';
  const p = (r.L3 as { proto?: { name?: string } } | undefined)?.proto?.name;
  if (p) return p;
  return String((r.L2 as { type?: string } | undefined)?.type ?? 'L2');
}

function rows(s: Session, start: number, count: number): { total: number; rows: Row[] } {
  const total = viewCount(s);
  const out: Row[] = [];
  const cur = new Cursor(s);
  const idx = s.index;
  for (let i = start; i < Math.min(total, start + count); i++) {
    const pos = viewPos(s, i);
    const r = cur.record(pos);
    out.push({
      pos, num: idx.serial.a[pos]!, time: idx.time.a[pos]!,
      src: endpoint(s, pos, true), dst: endpoint(s, pos, false), proto: protoLabel(r), len: idx.origLen.a[pos]!,
      message: String(r.message ?? ''), severity: String(r.severity ?? 'DEFAULT'),
    });
  }
  return { total, rows: out };
}

function endpoint(s: Session, pos: number, src: boolean): string {
  const idx = s.index;
  const a = idx.addrs.values[(src ? idx.src : idx.dst).a[pos]!] ?? '';
  const port = (src ? idx.sport : idx.dport).a[pos]!;
  if (!a) return '';
  if (!port) return a;
  return a.includes(':') ? `[${a}]:${port}` : `${a}:${port}`;
}

async function detail(s: Session, pos: number): Promise<Detail> {
  const idx = s.index;
  if (!(pos >= 0 && pos < idx.count)) throw new RangeError(`no record ${pos}`);
  const text = new Cursor(s).text(pos);
  const off = idx.fileOff.a[pos]!, len = idx.capLen.a[pos]!;
  const bytes = await s.bytes!(off, off + len);
  return { pos, num: idx.serial.a[pos]!, text, bytes, fileOffset: off };
}

// ---- tables --------------------------------------------------------------------------------

function cached<T>(s: Session, key: string, make: () => T): T {
  const k = `${key}|${s.view.range?.join(',') ?? ''}|${s.index.count}`;
  let v = s.caches.get(k) as T | undefined;
  if (v === undefined) { v = make(); s.caches.set(k, v); }
  return v;
}

function inRange(s: Session, t: number): boolean { const r = s.view.range; return !r || (t >= r[0] && t <= r[1]); }

function conns(s: Session): Promise<Conn[]> {
  return cached(s, 'conns', async () => {
    const idx = s.index;
    const byFlow = new Map<number, Conn & { cs: number; cp: number }>();
    for (let pos = 0; pos < idx.count; pos++) {
      const f = idx.flow.a[pos]!;
      if (!f || !inRange(s, idx.time.a[pos]!)) continue;
      let c = byFlow.get(f);
      const src = idx.src.a[pos]!, sp = idx.sport.a[pos]!;
      if (!c) {
        const proto = idx.proto.a[pos] === 6 ? 'TCP' : idx.proto.a[pos] === 17 ? 'UDP' : idx.proto.a[pos] === 1 ? 'ICMP' : idx.proto.a[pos] === 58 ? 'ICMPv6' : 'IP';
        // The first packet's sender is the client, unless it is a SYN-ACK (the SYN was missed).
        const synAck = (idx.flags.a[pos]! & 0x12) === 0x12;
        c = { id: byFlow.size, flow: idx.flows.values[f]!, proto, client: endpoint(s, pos, !synAck), server: endpoint(s, pos, synAck),
          packetsFwd: 0, packetsBwd: 0, bytesFwd: 0, bytesBwd: 0, start: idx.time.a[pos]!, end: idx.time.a[pos]!, exchanges: 0,
          cs: synAck ? idx.dst.a[pos]! : src, cp: synAck ? idx.dport.a[pos]! : sp };
        byFlow.set(f, c);
      }
      const fwd = src === c.cs && sp === c.cp;
      if (fwd) { c.packetsFwd++; c.bytesFwd += idx.origLen.a[pos]!; } else { c.packetsBwd++; c.bytesBwd += idx.origLen.a[pos]!; }
      c.end = idx.time.a[pos]!;
    }
    const perFlow = new Map(await http().ask<Array<[string, number]>>({ op: 'flowCounts', range: s.view.range }));
    return [...byFlow.values()].map(({ cs, cp, ...c }) => { void cs; void cp; return { ...c, exchanges: perFlow.get(c.flow) ?? 0 }; });
  });
}


function shortTrace(t: string): string { const i = t.lastIndexOf('/traces/'); return i >= 0 ? t.slice(i + 8) : t; }

function traceRows(s: Session): Promise<TraceRow[]> {
  return cached(s, 'traces', async () => {
    const idx = s.index;
    const by = new Map<number, TraceRow>();
    const note = (t: number, pos: number) => {
      const time = idx.time.a[pos]!;
      let r = by.get(t);
      if (!r) { const id = idx.traces.values[t]!; r = { id, short: shortTrace(id), packets: 0, exchanges: 0, start: time, end: time }; by.set(t, r); }
      r.packets++; if (time < r.start) r.start = time; if (time > r.end) r.end = time;
    };
    for (let pos = 0; pos < idx.count; pos++) {
      const t = idx.trace.a[pos]!;
      if (!t || !inRange(s, idx.time.a[pos]!)) continue;
      note(t, pos);
      const more = idx.moreTraces.get(pos);
      if (more) for (const m of more) note(m, pos);
    }
    for (const [t, n] of await http().ask<Array<[string, number]>>({ op: 'traceCounts' })) {
      const r = by.get(idx.traces.find(t));
      if (r) r.exchanges = n;
    }
    return [...by.values()];
  });
}

async function trace(s: Session, id: string): Promise<TraceDetail> {
  const idx = s.index;
  const full = id.startsWith('projects/') ? [id] : idx.traces.values.filter((t) => t === id || shortTrace(t) === id);
  const ids = new Set(full.map((t) => idx.traces.find(t)).filter((t) => t !== 0));
  const packets: TracePacket[] = [];
  const cur = new Cursor(s);
  for (let pos = 0; pos < idx.count && packets.length < MAX_TRACE_PACKETS; pos++) {
    const t = idx.trace.a[pos]!;
    const more = idx.moreTraces.get(pos);
    if (!(t && ids.has(t)) && !(more && more.some((m) => ids.has(m)))) continue;
    const r = cur.record(pos);
    const flags = String(((r.L4 as { flags?: { str?: string } } | undefined)?.flags?.str) ?? '');
    const http = r.HTTP as { kind?: string; method?: string; code?: number } | undefined;
    const kind = http ? (http.method ? 'request' : http.code ? 'response' : 'http') : /FIN/.test(flags) ? 'fin' : /RST/.test(flags) ? 'rst' : /SYN/.test(flags) ? 'syn' : 'ack';
    packets.push({ pos, num: idx.serial.a[pos]!, time: idx.time.a[pos]!, src: endpoint(s, pos, true), dst: endpoint(s, pos, false), proto: protoLabel(r), len: idx.origLen.a[pos]!, flags, kind, message: String(r.message ?? '') });
  }
  const names = new Set([...ids].map((t) => idx.traces.values[t]!));
  const exchanges = await http().ask<HttpRow[]>({ op: 'traceExchanges', traces: [...names] });
  const times = packets.map((p) => p.time);
  return { id: full[0] ?? id, start: times.length ? Math.min(...times) : 0, end: times.length ? Math.max(...times) : 0, packets, exchanges };
}

function timeline(s: Session, bins: number): Timeline {
  const idx = s.index;
  const n = Math.max(1, Math.min(2000, bins | 0));
  const first = idx.count ? idx.time.a[0]! : 0;
  let last = first;
  for (let pos = 0; pos < idx.count; pos++) if (idx.time.a[pos]! > last) last = idx.time.a[pos]!;
  const width = Math.max((last - first) / n, 0.001);
  const packets = CLASSES.map(() => new Array<number>(n).fill(0));
  const bytes = CLASSES.map(() => new Array<number>(n).fill(0));
  for (let pos = 0; pos < idx.count; pos++) {
    const b = Math.min(n - 1, Math.max(0, Math.floor((idx.time.a[pos]! - first) / width)));
    const c = idx.cls.a[pos]!;
    packets[c]![b]!++;
    bytes[c]![b]! += idx.origLen.a[pos]!;
  }
  const perSec = 1000 / width;
  const keep = CLASSES.map((_, i) => packets[i]!.some((x) => x > 0));
  return {
    t: Array.from({ length: n }, (_, i) => (first + i * width) / 1000),
    classes: CLASSES.filter((_, i) => keep[i]),
    packets: packets.filter((_, i) => keep[i]).map((a) => a.map((x) => x * perSec)),
    bytes: bytes.filter((_, i) => keep[i]).map((a) => a.map((x) => x * perSec)),
  };
}

async function exportBlob(s: Session, what: 'ndjson' | 'ndjson-filtered' | 'har'): Promise<Blob> {
  if (what === 'har') {
    // The HTTP worker keeps exchanges without their headers: read them again from the records.
    const list = await http().ask<Exchange[]>({ op: 'exchanges', range: s.view.range });
    const cur = new Cursor(s);
    const httpOf = (num: number | undefined): unknown => {
      if (num === undefined || num < 0) return undefined;
      const pos = posOfSerial(s.index, num);
      return pos < 0 ? undefined : cur.record(pos).HTTP;
    };
    for (const e of list) rereadHeaders(e, httpOf(e.reqNum), httpOf(e.respNum));
    return new Blob([JSON.stringify(toHar(list, { pageTitle: s.name }), null, 1)], { type: 'application/json' });
  }
  if (what === 'ndjson' || !s.view.matches) return s.store!.blob();
  const ranges: Array<[number, number]> = [];
  const idx = s.index;
  for (let i = 0; i < (s.view.count ?? 0); i++) {
    const pos = s.view.matches[i]!;
    const a = idx.recOff.a[pos]!, b = a + idx.recLen.a[pos]!;
    const last = ranges[ranges.length - 1];
    if (last && last[1] === a) last[1] = b; else ranges.push([a, b]);
  }
  return s.store!.blob(ranges);
}
