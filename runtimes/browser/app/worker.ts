/**
 * The app's worker: translates the capture with the core, keeps a compact per-packet index
 * (packets.ts, in segments on disk: segments.ts) and no records — a record is rendered again
 * from the capture when it is needed (render.ts) — and answers the page's queries: the filter
 * (which every view and export follows), table rows, connections, HTTP exchanges, traces, the
 * timeline, the exports. Requests are handled between input chunks, so the page can explore
 * while loading.
 */
import { createTranslator, CaptureError, ENTRY_BYTES, Entry, type Translator, type TranslatorOptions } from '../../../src/index.js';
import { AHEAD_CHUNKS, PARALLEL_CHUNK_BYTES, type ParallelTranslator } from '../../../src/parallel.js';
import { loadCore } from '../index.js';
import { createBrowserParallelTranslator } from '../parallel.js';
import { threadsFor } from './threads.js';
import { PacketIndex, CLASSES, C, NO_CODE, tcpFlagText, flowText } from './packets.js';
import { SegmentStore, SegmentBuilder, SpillFile, messageBytes, METHODS, OTHER_METHOD, SEGMENT_PACKETS, type Segment, type Extra } from './segments.js';
import { parseQuery, resolvePath, complete, QUERY_HELP, type Query } from './query.js';
import { collectFields, FIELDS, MAX_PRESENT_FIELDS } from './fields.js';
import { page } from './tables.js';
import { LazyRecord } from './members.js';
import { rereadHeaders, type Exchange } from '../../../src/exchanges.js';
import { toHar, type ExchangeBodies } from './har.js';
import { follow, h2Bodies, harBodiesOf, walkSelected, type FollowResult, type PickedPacket } from './follow.js';
import { browserDecompress } from './decompress.js';
import { h2StreamsOf, type H2Connection, type H2Record } from './streams.js';
import { renderAll, renderOne, Superseded, type RenderSource } from './render.js';
import { jobRecord, JobHttpError, streamJobRecords } from './job-records.js';
import { noSkips } from '../../../src/skips.js';
import { CaptureMerger, MAX_MERGE_FILES, type MergeFailure, type MergeFile } from '../../../src/merge.js';
import { OtlpRecordReader } from '../../../src/otlp.js';
import { META, type AppOptions, type BatchResult, type Conn, type Detail, type Event, type ExportKind, type Exported, type MemoryAccount, type Fields, type FilterResult, type HttpRequest, type HttpRow, type JobSource, type Loaded, type Located, type Range, type Request, type Row, type Source, type Timeline, type TraceDetail, type TracePacket, type TraceRow, type Work } from './protocol.js';
import type { WaterfallRequest, EndpointsRequest } from './protocol.js';
import { addPacketFacts, DnsNames, endState, newConnFacts, MAX_TRACKED_CONNECTIONS, type ConnFacts } from './connfacts.js';

const TRACE_KEY = 'logging.googleapis.com/trace';
/** Longest stretch of work between two looks at the message queue (ms). */
const SLICE_MS = 25;
/**
 * Batches of HTTP values sent to the HTTP worker and not yet answered before translation waits:
 * without this, a capture the HTTP worker cannot keep up with would queue its HTTP text in
 * memory; and a segment of the index is sealed only once its batches are answered.
 */
const MAX_HTTP_BATCHES_IN_FLIGHT = 8;
/** Records parsed while loading for the fields completion offers first: the first ones, then one in this many. */
const PRESENT_FIRST = 2000;
const PRESENT_EVERY = 997;
/** Packets listed in one trace's waterfall (the rest are counted). */
const MAX_TRACE_PACKETS = 20_000;
/** Exchanges one HAR export holds (the page says how many of the view's it left out). */
export const MAX_HAR_EXCHANGES = 20_000;

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
  tlens = new Uint32Array(4096);
  traceNames: string[] = [];
  n = 0;
  bytes = 0;
  sentAddrs = 1;
  /** Adds the HTTP value at [at, at + len) and the `timing` value at [tAt, tAt + tLen) of `view` (each may be empty) for the packet at index k of seg (position pos). */
  add(idx: PacketIndex, seg: Segment, k: number, view: Uint8Array, pos: number, at: number, len: number, tAt: number, tLen: number): void {
    if (this.n === this.lens.length) {
      const l = new Uint32Array(this.n * 2); l.set(this.lens); this.lens = l;
      const t = new Uint32Array(this.n * 2); t.set(this.tlens); this.tlens = t;
      const m = new Float64Array(this.n * 2 * META); m.set(this.meta); this.meta = m;
    }
    if (this.bytes + len + tLen > this.text.length) { const t = new Uint8Array(Math.max(this.text.length * 2, this.bytes + len + tLen)); t.set(this.text.subarray(0, this.bytes)); this.text = t; }
    this.text.set(view.subarray(at, at + len), this.bytes);
    this.text.set(view.subarray(tAt, tAt + tLen), this.bytes + len);
    this.bytes += len + tLen;
    this.tlens[this.n] = tLen;
    const m = this.n * META;
    this.meta[m] = pos; this.meta[m + 1] = pos; this.meta[m + 2] = seg.time[k]!; this.meta[m + 3] = seg.flowLo[k]!; this.meta[m + 4] = seg.flowHi[k]!;
    this.meta[m + 5] = seg.src[k]!; this.meta[m + 6] = seg.dst[k]!; this.meta[m + 7] = seg.sport[k]!; this.meta[m + 8] = seg.dport[k]!;
    this.traceNames[this.n] = seg.trace[k] ? idx.traces.name(seg.trace[k]!) : '';
    this.lens[this.n++] = len;
  }
  /** Sends what was added (with the addresses interned since the last batch); resolves with the worker's results. */
  flush(idx: PacketIndex): Promise<BatchResult> | null {
    if (this.n === 0) return null;
    const req: HttpRequest = {
      op: 'batch', addrs: idx.addrs.values.slice(this.sentAddrs), traceNames: this.traceNames.slice(0, this.n),
      meta: this.meta.slice(0, this.n * META), text: this.text.slice(0, this.bytes), lens: this.lens.slice(0, this.n), tlens: this.tlens.slice(0, this.n),
    };
    this.sentAddrs = idx.addrs.values.length;
    this.n = 0; this.bytes = 0; this.traceNames = [];
    return http().ask<BatchResult>(req, [req.meta.buffer, req.text.buffer, req.lens.buffer, req.tlens.buffer]);
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

/** The current filter: matching record positions (null: every record). */
interface View {
  query: Query | null;
  range: Range | null;
  /** Whether the query needs the records (free text, or a field the index does not hold). */
  needsRecords: boolean;
  matches: Uint32Array | null;
  count: number;
  /** Positions evaluated so far. */
  scanned: number;
  source: string;
  /** Changes with every new filter (the HTTP worker's copy is named by it). */
  tag: string;
  /** While filter() walks the index for it (catchUp() leaves it alone meanwhile). */
  busy?: boolean;
}

/** Everything about the capture that is open. */
class Session {
  readonly batch = new HttpBatch();
  /** Batches sent to the HTTP worker and not yet answered. */
  readonly inflight: Array<Promise<void>> = [];
  /** How many of `inflight` have been answered (they are answered in order). */
  settled = 0;
  readonly generation: number;
  readonly index: PacketIndex;
  blob: Blob | null = null;
  /** A capture of several files: their names (the records' `file`), and those found damaged while merging. */
  files: string[] | null = null;
  mergeFailures: readonly MergeFailure[] = [];
  /** The Worker's job whose records these are (none: a capture translated here). */
  job: JobSource | null = null;
  module: WebAssembly.Module | null = null;
  options: TranslatorOptions = {};
  appOptions: AppOptions = { verbosity: 'debug' };
  threads = 1;
  name = '';
  loading = true;
  loaded: Loaded | null = null;
  view: View = allView();
  /** The view the HTTP worker holds (its tag). */
  sentView = 'all';
  caches = new Map<string, unknown>();
  /** Fields seen in a sample of the records (the first ones and one in PRESENT_EVERY), for completion. */
  readonly present = new Set<string>();
  constructor(generation: number, readonly store: SegmentStore) { this.generation = generation; this.index = new PacketIndex(store); }
}

const allView = (): View => ({ query: null, range: null, needsRecords: false, matches: null, count: 0, scanned: 0, source: '', tag: 'all' });

let session: Session | null = null;
let generation = 0;
/** Bumped by every filter and export request: long work started for an older one stops. */
let workGeneration = 0;

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
  if (!s) {
    if (req.op === 'rows' || req.op === 'conns' || req.op === 'traces') return { total: 0, rows: [] };
    if (req.op === 'http') return { total: 0, rows: [], histogram: { edges: [], counts: [] } };
    if (req.op === 'waterfall' || req.op === 'endpoints') return exchangeViewsBeforeCapture(req);
    if (req.op === 'filter') return { ok: true, count: 0, total: 0 } satisfies FilterResult;
    if (req.op === 'fields') return fieldsOf(null);
    if (req.op === 'complete') return complete(req.text, req.cursor);
    if (req.op === 'help') return QUERY_HELP;
    throw new Error('no capture is open');
  }
  switch (req.op) {
    case 'filter': return filter(s, req.q, req.range);
    case 'rows': return rows(s, req.start, req.count);
    case 'locate': return locate(s, req.num);
    case 'fields': return fieldsOf(s);
    case 'complete': return complete(req.text, req.cursor, s.present);
    case 'help': return QUERY_HELP;
    case 'detail': return detail(s, req.pos);
    case 'conns': return page(await conns(s), req);
    case 'http': await syncView(s); return http().ask({ op: 'http', sort: req.sort, desc: req.desc, start: req.start, count: req.count });
    case 'traces': return page(await traceRows(s), req);
    case 'trace': return trace(s, req.id);
    case 'timeline': return timeline(s, req.bins);
    case 'export': return exportBlob(s, req.what);
    case 'memory': return memoryAccount(s);
    case 'waterfall': case 'endpoints': await syncView(s); return http().ask(req);
    case 'follow': return followFlow(s, req.flow);
    case 'pcap': return pcapBlob(s, req);
    case 'h2streams': return h2Streams(s, req.flow);
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

/** A parallel translator on `threads` shard-worker.js threads, or null when they cannot start. */
async function parallelFor(module: WebAssembly.Module, options: TranslatorOptions, threads: number): Promise<{ t: ParallelTranslator; shared: boolean } | null> {
  if (threads <= 1) return null;
  try {
    const sharedModule = await sharedCore();
    return { t: await createBrowserParallelTranslator(module, { ...options, threads, workerUrl: new URL('shard-worker.js', self.location.href), sharedModule }), shared: sharedModule !== null };
  } catch (err) {
    // A bad option is refused alike by one translator; anything else (a thread that did not
    // start) leaves the capture to this worker.
    if (!(err instanceof RangeError)) console.warn(`tracecap: translating on one thread (${err instanceof Error ? err.message : String(err)})`);
    return null;
  }
}

async function open(source: Source, options: AppOptions): Promise<void> {
  const old = session;
  session = null;
  workGeneration++;
  const gen = ++generation;
  if (old) await old.store.close();
  let store: SegmentStore;
  try { store = await SegmentStore.open(options.memoryMiB ? options.memoryMiB * 1048576 : undefined); } catch (err) { post({ ev: 'failed', message: err instanceof Error ? err.message : String(err) }); return; }
  if (gen !== generation) { await store.close(); return; }
  const s = new Session(gen, store);
  session = s;
  s.appOptions = options;
  s.options = translatorOptions(options);
  if ('job' in source) {
    s.job = source; s.name = `job-${source.job}`;
    try { await http().ask({ op: 'reset' }); } catch (err) { if (session === s) post({ ev: 'failed', message: err instanceof Error ? err.message : String(err) }); return; }
    await loadJob(s, source);
    return;
  }
  let translator: Translator | ParallelTranslator;
  let inPlace = false;
  let stream: ReadableStream<Uint8Array>;
  let total = 0;
  try {
    let inputs: Array<{ file: Blob; name: string }>;
    if ('url' in source || 'urls' in source) {
      // Downloaded into a Blob first (Chromium keeps a large one in the browser process, on
      // disk), then read like a file: the records are rendered from it again when needed.
      inputs = [];
      for (const url of 'url' in source ? [source.url] : source.urls) {
        const res = await fetch(url);
        if (!res.ok) throw new Error(`cannot fetch ${url}: HTTP ${res.status}`);
        inputs.push({ file: await res.blob(), name: decodeURIComponent(url.split('?')[0]!.split('/').pop() ?? 'capture') });
      }
    } else inputs = 'files' in source ? source.files : [source];
    if (inputs.length === 1) { s.blob = inputs[0]!.file; s.name = inputs[0]!.name; }
    else {
      // Several files are one capture: merged once into one (on disk where OPFS is), which is
      // then read, rendered again and shown like a file.
      if (inputs.length > MAX_MERGE_FILES) throw new Error(`${inputs.length} files: at most ${MAX_MERGE_FILES} are read as one capture`);
      s.files = inputs.map((f) => f.name);
      s.name = `${inputs[0]!.name} + ${inputs.length - 1} more`;
      const merged = await mergeFiles(inputs, () => session !== s);
      if (merged === null) return;
      s.blob = merged.blob; s.mergeFailures = merged.failures;
    }
    stream = s.blob.stream() as ReadableStream<Uint8Array>; total = s.blob.size;
    s.module = await core();
    s.threads = options.threads ?? threadsFor(total, navigator.hardwareConcurrency ?? 1);
    const par = await parallelFor(s.module, s.options, s.threads);
    if (par) { translator = par.t; inPlace = par.shared; } else { translator = await createTranslator(s.module, s.options); s.threads = 1; }
    await http().ask({ op: 'reset' });
  } catch (err) {
    if (session === s) post({ ev: 'failed', message: err instanceof Error ? err.message : String(err) });
    return;
  }
  try {
    await load(s, translator, stream, total, inPlace);
  } finally {
    // Parallel: stops the threads also when loading ended early (an error, another capture opened).
    if ('threads' in translator) translator.close();
  }
}

/** Reads the capture through the translator into the index; posts progress, then `loaded`. */
async function load(s: Session, translator: Translator | ParallelTranslator, stream: ReadableStream<Uint8Array>, total: number, sharedCore: boolean): Promise<void> {
  const threads = 'threads' in translator ? translator.threads : 1;
  const idx = s.index;
  // Over the shared-memory core the threads' long runs of records reach the sink as views of
  // shared memory, which TextDecoder refuses: those are copied here first.
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
    if (failure !== null || session !== s || idx.stopped !== null) return;
    const t0 = performance.now();
    const entries = pending;
    pending = null;
    const r = ingest(s, own(shared), entries, pendingCount);
    if (r.failure !== null) failure = r.failure;
    const t2 = performance.now();
    tm.http += r.http; tm.index += t2 - t0 - r.http; sinkTime += t2 - t0;
  });
  const reader = stream.getReader();
  let bytes = 0, lastPost = 0;
  const progress = () => ({ bytes, total, packets: translator.packets, records: idx.count });
  // Time spent awaiting `work`, less the sink's time inside it (the sink counts as index and
  // http). With threads, `core` is the time the read loop waited for them, not their CPU time.
  const timed = async <T>(key: 'read' | 'core' | 'http' | 'store', work: () => T | Promise<T>): Promise<T> => {
    const t0 = performance.now(), sink0 = sinkTime;
    try { return await work(); } finally { tm[key] += performance.now() - t0 - (sinkTime - sink0); }
  };
  // The threads are sent whole PARALLEL_CHUNK_BYTES pieces (256 KiB): a Blob's stream gives 64 KiB
  // to 2 MiB (Chromium), and only AHEAD_CHUNKS pieces are in flight, so small ones would starve them.
  const gather = threads > 1 ? new Uint8Array(PARALLEL_CHUNK_BYTES) : null;
  void AHEAD_CHUNKS;
  let gathered = 0;
  const push = async (chunk: Uint8Array) => { await timed('core', () => translator.push(chunk)); };
  const stop = () => failure !== null || translator.error !== null || session !== s || idx.stopped !== null;
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
      if (stop()) break;
      // Backpressure from the HTTP worker (it answers in order); full segments go to the store.
      await timed('http', async () => { while (s.inflight.length - s.settled > MAX_HTTP_BATCHES_IN_FLIGHT) await s.inflight[s.settled]; });
      await timed('store', () => idx.seal(s.settled));
      // Segments just sealed have their HTTP answers: a filter waiting on them goes on.
      catchUp(s, s.view);
      if (stop()) break;
      const now = performance.now();
      if (now - lastPost > 100) { lastPost = now; post({ ev: 'progress', progress: progress() }); }
      await yieldToMessages();
    }
    if (gathered > 0 && !stop()) await push(gather!.subarray(0, gathered));
    if (!stop()) await timed('core', () => translator.finish());
  } catch (err) {
    failure ??= err instanceof Error ? err.message : String(err);
  }
  if (session !== s) return;
  const e = translator.error;
  let error: Loaded['error'] = e instanceof CaptureError ? { message: e.message, offset: e.offset, packets: e.packets, code: e.codeName }
    : failure !== null ? { message: failure, offset: bytes, packets: translator.packets, code: 'LIMIT' } : undefined;
  // The files found damaged while merging: the first is the capture's error, the others notices.
  const notices: string[] = [];
  if (s.mergeFailures.length > 0) {
    const core = await createTranslator(s.module!, {});
    const damaged = s.mergeFailures.map((f) => ({ f, e: new CaptureError(f.code, core.reason(f.code), f.offset, f.packets) }));
    for (const [i, { f, e: fe }] of damaged.entries()) {
      if (i === 0 && error === undefined) error = { message: fe.message, offset: f.offset, packets: f.packets, code: fe.codeName, file: f.name };
      else notices.push(`${f.name}: ${fe.message}; its packets before it are in the capture.`);
    }
  }
  await endLoad(s, tm, started, { ...progress(), threads, sharedCore, skipped: translator.skipped }, error, notices);
}

/**
 * Merges several files into one capture (src/merge.ts) kept as a Blob: an OPFS file (on disk)
 * or, without OPFS or past its quota, in memory. Posts progress (bytes of the files read); null
 * when `superseded()` (another capture was opened).
 */
async function mergeFiles(inputs: ReadonlyArray<{ file: Blob; name: string }>, superseded: () => boolean): Promise<{ blob: Blob; failures: readonly MergeFailure[] } | null> {
  let read = 0, lastPost = 0;
  const total = inputs.reduce((n, f) => n + f.file.size, 0);
  // Each file is read where the merger asks (a slice at a time): nothing of a file waits in memory.
  const files: MergeFile[] = inputs.map(({ file, name }) => {
    let at = 0;
    return {
      name,
      read: async (into) => {
        const n = Math.min(into.length, file.size - at);
        if (n <= 0) return 0;
        into.set(new Uint8Array(await file.slice(at, at + n).arrayBuffer()));
        at += n; read += n;
        return n;
      },
    };
  });
  const merger = new CaptureMerger(files);
  const spill = await SpillFile.open('merged');
  const parts: Blob[] = [];
  const chunk = new Uint8Array(1 << 20);
  try {
    for (let n; (n = await merger.read(chunk)) > 0;) {
      if (superseded()) return null;
      const bytes = chunk.subarray(0, n);
      if (!spill?.write(bytes)) parts.push(new Blob([bytes.slice()]));
      const now = performance.now();
      if (now - lastPost > 100) { lastPost = now; post({ ev: 'progress', progress: { bytes: read, total, packets: merger.packets, records: 0 } }); }
    }
  } catch (err) { if (spill) await spill.finish().catch(() => null); throw err; }
  const head = spill ? await spill.finish() : null;
  return { blob: new Blob(head ? [head, ...parts] : parts), failures: merger.failures };
}

/** Adds a batch of records (their bytes as `view`, their index entries) to the index, the view in effect, the field sample and the HTTP worker; says how long HTTP took (ms) and what failed. */
function ingest(s: Session, view: Uint8Array, entries: Uint8Array | null, count: number): { http: number; failure: string | null } {
  const idx = s.index;
  let th = 0;
  let failure: string | null = null;
  try {
    if (entries) {
      const first = idx.count;
      idx.add(entries, count, view, (pos, seg, k, at, len, tAt, tLen) => { const a = performance.now(); s.batch.add(idx, seg, k, view, pos, at, len, tAt, tLen); th += performance.now() - a; });
      // The filter in effect, on these records while their text is at hand.
      extendView(s, s.view, view, entries, first, idx.count - first);
      samplePresent(s, view, entries, first, idx.count - first);
    }
  } catch (err) { failure = err instanceof Error ? err.message : String(err); }
  const a = performance.now();
  const sent = s.batch.flush(idx);
  if (sent) s.inflight.push(sent.then((r) => { applyBatch(s, r); s.settled++; }));
  idx.awaitBatches(s.inflight.length);
  th += performance.now() - a;
  return { http: th, failure };
}

type Timings = Loaded['timings'];

/** The end of loading, the capture's or a job's: the HTTP worker's last answers, the last segment sealed, the view trimmed; posts `loaded`. */
async function endLoad(s: Session, tm: Omit<Timings, 'total'>, started: number, info: Omit<Loaded, 'records' | 'name' | 'store' | 'notices' | 'first' | 'last' | 'timings'>,
  error: Loaded['error'], notices: string[]): Promise<void> {
  const idx = s.index;
  // The HTTP worker's answers: statuses, methods and frame traces are part of the index.
  const h0 = performance.now();
  await Promise.all(s.inflight);
  await http().ask<{ exchanges: number }>({ op: 'end' });
  tm.http += performance.now() - h0;
  const st0 = performance.now();
  await idx.seal(s.settled, true);
  tm.store += performance.now() - st0;
  if (session !== s) return;
  s.loading = false;
  if (s.view.scanned < idx.count) s.view.scanned = Math.min(s.view.scanned, idx.count);
  s.view.count = Math.min(s.view.count, s.view.matches ? s.view.count : idx.count);
  if (s.view.matches) { let n = s.view.count; while (n > 0 && s.view.matches[n - 1]! >= idx.count) n--; s.view.count = n; }
  if (idx.stopped !== null) notices.unshift(`${capital(idx.stopped)}.`);
  else if (s.store.fellBack !== null) notices.unshift(`The packet index is kept in memory (${s.store.fellBack}).`);
  const forgot = retransmissionNotice(idx.retransmissions.evicted); if (forgot) notices.push(forgot);
  const loaded: Loaded = {
    ...info, records: idx.count, name: s.name, store: s.store.kind, notices, ...(s.files ? { files: s.files } : {}),
    first: idx.count ? firstTime(s) : 0, last: idx.count ? lastTime(s) : 0,
    timings: { ...tm, total: performance.now() - started },
  };
  if (error) loaded.error = error;
  s.loaded = loaded;
  s.caches.clear();
  post({ ev: 'loaded', loaded });
}

/**
 * Loads a job's records from the Worker (job-records.ts): streamed, indexed as the core's output
 * is (the same index, HTTP worker and view), resumed where a dropped connection left them.
 */
async function loadJob(s: Session, job: JobSource): Promise<void> {
  const idx = s.index;
  const tm = { read: 0, core: 0, index: 0, http: 0, store: 0 };
  const started = performance.now();
  let bytes = 0, lastPost = 0;
  let failure: string | null = null;
  let error: Loaded['error'];
  const progress = () => ({ bytes, total: 0, packets: idx.count, records: idx.count, expected: job.records });
  try {
    const r = await streamJobRecords(job.job, job.token, job.records, async (view, entries, count, first) => {
      const t0 = performance.now();
      // The app numbers a packet by its record's position: a job made with a filter skips
      // numbers, and its records are shown up to the first one left out.
      const ev = new DataView(entries.buffer, entries.byteOffset, entries.byteLength);
      let n = 0;
      while (n < count && ev.getFloat64(n * ENTRY_BYTES + Entry.SERIAL, true) === first + n) n++;
      const got = ingest(s, view, entries, n);
      if (n < count && idx.stopped === null) idx.stopped = `the records of job ${job.job} skip packet #${first + n} (the job was made with a filter, which leaves packets out); the app numbers packets by their records, so the first ${(first + n).toLocaleString('en-US')} packets are shown. GET /jobs/ID/records has them all`;
      const t1 = performance.now();
      tm.http += got.http; tm.index += t1 - t0 - got.http;
      if (got.failure !== null) { failure = got.failure; throw new Superseded(); }
      // Backpressure from the HTTP worker (it answers in order); full segments go to the store.
      while (s.inflight.length - s.settled > MAX_HTTP_BATCHES_IN_FLIGHT) await s.inflight[s.settled];
      const t2 = performance.now();
      await idx.seal(s.settled);
      const t3 = performance.now();
      tm.http += t2 - t1; tm.store += t3 - t2;
      catchUp(s, s.view);
      if (t3 - lastPost > 100) { lastPost = t3; post({ ev: 'progress', progress: progress() }); }
      await yieldToMessages();
    }, { cancelled: () => session !== s || idx.stopped !== null || failure !== null, stop: () => new Superseded(), onBytes: (b) => { bytes = b; } });
    if (r.error) error = { ...r.error, code: r.error.code || 'DAMAGED' };
  } catch (err) {
    if (session !== s) return;
    if (err instanceof JobHttpError && err.status === 401 && idx.count === 0) { post({ ev: 'failed', message: err.message, auth: true }); return; }
    if (!(err instanceof Superseded)) failure = err instanceof Error ? err.message : String(err);
  }
  if (session !== s) return;
  if (failure !== null) error = { message: failure, offset: bytes, packets: idx.count, code: 'JOB' };
  const notices = [`Records of job ${job.job}, translated by the Worker in ${job.shards} shards and streamed from it. The packets' bytes, and the counts of what the analysis gave up, stay on the Worker: each record still says where something was given up.`];
  await endLoad(s, tm, started, { ...progress(), threads: 1, sharedCore: false, skipped: noSkips(), job: { id: job.job, shards: job.shards } }, error, notices);
}

const capital = (t: string) => t.charAt(0).toUpperCase() + t.slice(1);
function firstTime(s: Session): number { const [seg, k] = s.index.at(0); return seg.time[k]!; }
function lastTime(s: Session): number { const [seg, k] = s.index.at(s.index.count - 1); return seg.time[k]!; }

function applyBatch(s: Session, r: BatchResult): void {
  const idx = s.index;
  for (let i = 0; i < r.vals.length; i += 4) idx.setHttp(r.vals[i]!, r.vals[i + 1]!, r.vals[i + 2]!, (r.vals[i + 3]! & 1) === 1, null);
  for (const [pos, x] of r.extras) {
    const extra: Extra = {};
    if (x.codes) extra.codes = x.codes;
    if (x.methods) extra.methods = x.methods;
    if (x.traceNames) extra.traces = x.traceNames.map((t) => idx.traces.id(t));
    const [seg, k] = pos < idx.count ? idx.at(pos) : [null, 0];
    if (seg) idx.setHttp(pos, seg.code[k] === NO_CODE ? 0 : seg.code[k]!, seg.method[k]!, seg.cls[k] === C.HTTP2, extra);
  }
}

// A macrotask boundary without setTimeout's clamping: lets queued requests run.
const channel = new MessageChannel();
const waiting: Array<() => void> = [];
channel.port1.onmessage = () => waiting.shift()?.();
function yieldToMessages(): Promise<void> { return new Promise((r) => { waiting.push(r); channel.port2.postMessage(0); }); }

// ---- filtering ----------------------------------------------------------------------------

const v4only = /^\d+\.\d+\.\d+\.\d+$/;
// The raw paths a normalized field reads in an HTTP/2 record's frames (fields.ts NORMALIZED).
const H2_STATUS = 'HTTP.streams.*.frames.headers.:status';
const H2_METHOD = 'HTTP.streams.*.frames.headers.:method';
const H2_TRACE = `HTTP.streams.*.frames.${TRACE_KEY}`;
/** Paths the index answers for every packet (else the query needs the records). */
const INDEX_PATHS = new Set(['L3.src', 'L3.dst', 'L4.src', 'L4.dst', 'L4.flags.str', 'L4.flags.dec', 'HTTP.code', 'HTTP.method', H2_STATUS, H2_METHOD, TRACE_KEY, H2_TRACE, 'severity', 'pcap.num', 'flow', 'message']);

const dec = new TextDecoder();
/** The packet's message text (decoded from its JSON escapes). */
function messageText(seg: Segment, k: number): string | undefined {
  const b = messageBytes(seg, k);
  if (b.length === 0) return undefined;
  const t = dec.decode(b);
  return t.includes('\\') ? JSON.parse(`"${t}"`) as string : t;
}

/** Answers a path from the index when it can be sure of the record's value: [true, value], else [false]. */
function fromIndex(s: Session, seg: Segment, k: number, path: string): [boolean, unknown] {
  const idx = s.index;
  // An HTTP packet's status, method and frame traces come from the HTTP worker's answer, which a
  // segment still filling may not have yet (sealed ones have): its record says, not the index.
  const pending = httpPending(seg, k);
  switch (path) {
    case 'L3.src': case 'L3.dst': {
      const a = idx.addrs.values[(path === 'L3.src' ? seg.src : seg.dst)[k]!];
      return a && v4only.test(a) ? [true, a] : seg.src[k] === 0 && seg.dst[k] === 0 && seg.proto[k] === 0 ? [true, undefined] : [false, undefined];
    }
    case 'L4.src': case 'L4.dst': {
      const p = seg.proto[k]!, sp = seg.sport[k]!, dp = seg.dport[k]!;
      if ((p !== 6 && p !== 17) || (sp === 0 && dp === 0)) return [false, undefined];
      return [true, path === 'L4.src' ? sp : dp];
    }
    // HTTP/1 records have them at top level, HTTP/2 ones in their frames: the columns hold
    // either, by the packet's class.
    case 'HTTP.code': case H2_STATUS: {
      if (pending) return [false, undefined];
      const cls = seg.cls[k]!;
      if (cls !== (path === H2_STATUS ? C.HTTP2 : C.HTTP)) return [cls !== C.HTTP && cls !== C.HTTP2 || seg.code[k] !== 0, undefined];
      const c = seg.code[k]!;
      return [true, seg.extras.get(k)?.codes ?? (c === NO_CODE || c === 0 ? undefined : c)];
    }
    case 'HTTP.method': case H2_METHOD: {
      if (pending) return [false, undefined];
      const cls = seg.cls[k]!;
      if (cls !== (path === H2_METHOD ? C.HTTP2 : C.HTTP)) return [cls !== C.HTTP && cls !== C.HTTP2 || seg.code[k] !== 0, undefined];
      const m = seg.method[k]!;
      const x = seg.extras.get(k)?.methods;
      if (x) return [true, x];
      return m === OTHER_METHOD ? [false, undefined] : [true, m === 0 ? undefined : METHODS[m]];
    }
    case H2_TRACE: {
      if (pending) return [false, undefined];
      if (seg.cls[k] !== C.HTTP2) return [seg.cls[k] !== C.HTTP || seg.code[k] !== 0, undefined];
      const more = seg.extras.get(k)?.traces;
      const t = seg.trace[k]!;
      // The HTTP worker leaves out a frame trace equal to the top-level one: both are asked.
      return [true, more ? more.map((m) => idx.traces.name(m)) : t ? idx.traces.name(t) : undefined];
    }
    case 'L4.flags.str': case 'L4.flags.dec': {
      if (seg.proto[k] !== 6 || (seg.sport[k] === 0 && seg.dport[k] === 0)) return [false, undefined];
      const f = seg.flags[k]!;
      return [true, path === 'L4.flags.str' ? tcpFlagText(f) : f];
    }
    case TRACE_KEY: { const t = seg.trace[k]!; return [true, t ? idx.traces.name(t) : undefined]; }
    case 'severity': return [true, seg.error[k] ? 'ERROR' : undefined];
    case 'pcap.num': return [false, undefined]; // answered from the position by the caller
    case 'flow': { const f = flowText(seg.flowLo[k]!, seg.flowHi[k]!); return f ? [true, f] : [false, undefined]; }
    case 'message': return [true, messageText(seg, k)];
    default: return [false, undefined];
  }
}

/** A test of packet pos (index k of seg) against the view, given the record text when at hand. */
function matcher(s: Session, v: View): (seg: Segment, k: number, pos: number, text: (() => string) | null) => boolean | null {
  return (seg, k, pos, text) => {
    if (v.range) { const t = seg.time[k]!; if (t < v.range[0] || t > v.range[1]) return false; }
    const q = v.query;
    if (!q) return true;
    let lazy: LazyRecord | undefined;
    let unsure = false;
    const get = (path: string): unknown => {
      if (path === 'pcap.num') return String(pos);
      const [sure, value] = fromIndex(s, seg, k, path);
      if (sure) return value;
      if (!text) { unsure = true; return undefined; }
      return resolvePath((lazy ??= new LazyRecord(text())).forPath(path), path);
    };
    const ok = q.test(get, () => { if (!text) { unsure = true; return ''; } return text(); });
    return unsure ? null : ok;
  };
}

/** Evaluates view v over `count` records just added or rendered (their text at hand: `view`, `entries`, from position `first`). */
function extendView(s: Session, v: View, view: Uint8Array, entries: Uint8Array, first: number, count: number): void {
  if (!v.query && !v.range) { v.scanned = s.index.count; v.count = s.index.count; return; }
  if (v.scanned !== first) { catchUp(s, v); return; } // behind: from the index, as far as it answers
  const test = matcher(s, v);
  const ev = new DataView(entries.buffer, entries.byteOffset, entries.byteLength);
  let line = 0;
  const end = Math.min(first + count, s.index.count);
  for (let pos = first, e = 0; pos < end; pos++, e += ENTRY_BYTES) {
    const len = ev.getUint32(e + Entry.RECORD_LEN, true);
    const at = line;
    line += len;
    const [seg, k] = s.index.at(pos);
    if (test(seg, k, pos, () => dec.decode(view.subarray(at, at + len - 1)))) addMatch(v, pos);
  }
  v.scanned = end;
}

// Parses a sample of the records for the fields completion offers first.
function samplePresent(s: Session, view: Uint8Array, entries: Uint8Array, first: number, count: number): void {
  if (s.present.size >= MAX_PRESENT_FIELDS) return;
  const ev = new DataView(entries.buffer, entries.byteOffset, entries.byteLength);
  let line = 0;
  for (let i = 0; i < count; i++) {
    const len = ev.getUint32(i * ENTRY_BYTES + Entry.RECORD_LEN, true);
    const pos = first + i;
    if (pos < PRESENT_FIRST || pos % PRESENT_EVERY === 0 || (ev.getUint32(i * ENTRY_BYTES + Entry.HTTP_LEN, true) && pos % 97 === 0)) {
      try { collectFields(JSON.parse(dec.decode(view.subarray(line, line + len - 1))), s.present); } catch { /* a record is JSON; never mind */ }
    }
    line += len;
  }
}

/** Whether packet k of seg is an HTTP one whose answer (status, method, traces) is not in the index yet. */
function httpPending(seg: Segment, k: number): boolean {
  return seg instanceof SegmentBuilder && (seg.cls[k] === C.HTTP || seg.cls[k] === C.HTTP2);
}

/**
 * Carries view v on from the index while loading, up to the first packet the index cannot answer
 * yet (an HTTP packet awaiting its answer): for filters applied while the capture loads. A filter
 * the index cannot answer for other reasons waits for the records (filter() renders them).
 */
function catchUp(s: Session, v: View): void {
  if (v.busy || v.needsRecords || (!v.query && !v.range) || v.scanned >= s.index.count || s.view !== v) return;
  const test = matcher(s, v);
  let pos = v.scanned;
  while (pos < s.index.count) {
    const [seg, k0] = s.index.at(pos);
    for (let k = k0; k < seg.n && pos < s.index.count; k++, pos++) {
      const r = test(seg, k, pos, null);
      if (r === null) {
        if (!httpPending(seg, k)) { v.needsRecords = true; v.matches = null; v.count = 0; v.scanned = 0; }
        else v.scanned = pos;
        return;
      }
      if (r) addMatch(v, pos);
    }
  }
  v.scanned = pos;
}

function addMatch(v: View, pos: number): void {
  if (!v.matches || v.count === v.matches.length) { const b = new Uint32Array(Math.max(1024, v.count * 2)); if (v.matches) b.set(v.matches.subarray(0, v.count)); v.matches = b; }
  v.matches[v.count++] = pos;
}

function work(w: Work): void { post({ ev: 'work', work: w }); }

async function filter(s: Session, text: string, range: Range | null): Promise<FilterResult> {
  const parsed = parseQuery(text);
  if (!parsed.ok) return { ok: false, message: parsed.error.message, offset: parsed.error.offset, ...('length' in parsed.error ? { length: (parsed.error as { length?: number }).length } : {}) };
  const mine = ++workGeneration;
  const query = parsed.query.source === '' ? null : parsed.query;
  const needsRecords = query !== null && (query.usesText || query.paths.some((p) => !INDEX_PATHS.has(p)));
  const v: View = { query, range, needsRecords, matches: null, count: 0, scanned: 0, source: parsed.query.source, tag: `f${mine}` };
  const superseded = () => mine !== workGeneration || session !== s;
  s.caches.clear();
  if (!query && !range) { v.scanned = s.index.count; v.count = s.index.count; s.view = v; return { ok: true, count: s.index.count, total: s.index.count }; }
  s.view = v;
  const test = matcher(s, v);
  // From the index: every segment in turn, the records rendered again only where it cannot answer.
  let unsure = needsRecords;
  let t0 = performance.now();
  let pos = 0;
  v.busy = true;
  try {
    outer: while (pos < s.index.count && !unsure) {
      const [seg, k0] = s.index.at(pos);
      for (let k = k0; k < seg.n && pos < s.index.count; k++, pos++) {
        const r = test(seg, k, pos, null);
        if (r === null) {
          // While loading, an HTTP packet whose answer is still on its way: counted so far, and
          // catchUp() goes on as segments are sealed.
          if (s.loading && httpPending(seg, k)) break outer;
          unsure = true; break outer;
        }
        if (r) addMatch(v, pos);
      }
      if (performance.now() - t0 > SLICE_MS) {
        v.scanned = pos;
        await yieldToMessages();
        if (superseded()) throw new Superseded();
        t0 = performance.now();
      }
    }
  } finally { v.busy = false; }
  if (!unsure) { v.scanned = pos; return { ok: true, count: v.count, total: s.index.count }; }
  // Records needed: rendered again from the capture (while loading, the sink evaluates what arrives).
  v.matches = null; v.count = 0; v.scanned = 0;
  if (s.loading) return { ok: true, count: v.count, total: s.index.count };
  await renderPass(s, 'filter', superseded, (view, entries, count, first) => { extendView(s, v, view, entries, first, count); });
  return { ok: true, count: v.count, total: s.index.count };
}

/** Ends a stream of a job's records once the index's packets are all read (an index stopped by a limit holds fewer). */
class Done extends Error {}

/** Renders every record again (a filter on fields the index lacks, an export): batches with their first position. */
async function renderPass(s: Session, what: Work['what'], superseded: () => boolean, onBatch: (view: Uint8Array, entries: Uint8Array, count: number, first: number) => void): Promise<void> {
  const total = s.index.count;
  let next = 0;
  let last = 0;
  if (s.job) {
    // A job's records streamed again from the Worker, as received (the CLI's bytes).
    await streamJobRecords(s.job.job, s.job.token, s.job.records, async (view, entries, count) => {
      const n = Math.min(count, total - next);
      if (n <= 0) return;
      let bytes = 0;
      const ev = new DataView(entries.buffer, entries.byteOffset, entries.byteLength);
      for (let i = 0; i < n; i++) bytes += ev.getUint32(i * ENTRY_BYTES + Entry.RECORD_LEN, true);
      onBatch(view.subarray(0, bytes), entries.subarray(0, n * ENTRY_BYTES), n, next);
      next += n;
      const now = performance.now();
      if (now - last > 150) { last = now; work({ what, done: Math.min(next, total), total }); }
      await yieldToMessages();
    }, { cancelled: () => superseded() || next >= total, stop: () => (superseded() ? new Superseded() : new Done()) }).catch((err: unknown) => { if (!(err instanceof Done)) throw err; });
    work({ what, done: total, total });
    return;
  }
  await renderAll(renderSource(s), (view, entries, count) => {
    const n = Math.min(count, total - next);
    if (n <= 0) return;
    onBatch(view, entries, n, next);
    next += n;
  }, superseded, (packets) => {
    const now = performance.now();
    if (now - last > 150) { last = now; work({ what, done: Math.min(packets, total), total }); }
  }, yieldToMessages);
  work({ what, done: total, total });
}

function renderSource(s: Session): RenderSource {
  return {
    blob: s.blob!, options: s.options, module: s.module!,
    parallel: s.threads > 1 ? async () => (await parallelFor(s.module!, s.options, s.threads))?.t ?? null : null,
  };
}

/** Bytes held by each structure of both workers (protocol.ts MemoryAccount). */
async function memoryAccount(s: Session): Promise<MemoryAccount> {
  let caches = 0;
  const sizeOf = (v: unknown, depth: number): number => {
    if (ArrayBuffer.isView(v)) return v.byteLength;
    if (typeof v === 'string') return 2 * v.length + 16;
    if (depth > 2 || v === null || typeof v !== 'object') return 8;
    let b = 16;
    for (const x of Array.isArray(v) ? v : Object.values(v as object)) b += sizeOf(x, depth + 1);
    return b;
  };
  for (const v of s.caches.values()) caches += sizeOf(v, 0);
  const idx = s.index;
  return {
    indexSegmentsInMemory: s.store.memoryBytes,
    indexSegmentsCached: s.store.cachedBytes,
    indexSegmentsFilling: idx.fillingBytes,
    indexAddresses: idx.addrs.values.reduce((b, a) => b + 2 * a.length + 96, 0),
    indexTraces: idx.traces.bytes,
    viewMatches: s.view.matches?.byteLength ?? 0,
    httpBatch: s.batch.meta.byteLength + s.batch.lens.byteLength + s.batch.tlens.byteLength,
    viewCaches: caches,
    ...await http().ask<MemoryAccount>({ op: 'memory' }),
  };
}

/** Tells the HTTP worker which packets the view selects (a bit per packet), when it changed. */
async function syncView(s: Session): Promise<void> {
  const v = s.view;
  const tag = `${v.tag}:${v.count}:${s.index.count}`;
  if (s.sentView === tag) return;
  let bits: Uint8Array | null = null;
  // A stopped index (a limit) keeps fewer packets than the HTTP worker saw: the views select
  // only those, so that every view shows the same packets.
  if (v.query || v.range || s.index.stopped !== null) {
    bits = new Uint8Array((s.index.count + 7) >> 3);
    if (v.matches) for (let i = 0; i < v.count; i++) { const p = v.matches[i]!; bits[p >> 3]! |= 1 << (p & 7); }
    else if (!v.query && !v.range) { bits.fill(0xff, 0, s.index.count >> 3); for (let p = s.index.count & ~7; p < s.index.count; p++) bits[p >> 3]! |= 1 << (p & 7); }
  }
  s.sentView = tag;
  await http().ask({ op: 'view', bits, tag }, bits ? [bits.buffer] : []);
}

/** Where packet `num` is: its position, and its index in the view (-1: the filter leaves it out). */
function locate(s: Session, num: number): Located {
  const pos = num; // every packet has a record in the app, numbered from 0
  if (!(pos >= 0 && pos < s.index.count)) throw new RangeError(`no packet #${num}`);
  if (!s.view.matches) return { pos, index: s.view.query || s.view.range ? -1 : pos };
  const m = s.view.matches, n = s.view.count;
  let lo = 0, hi = n - 1;
  while (lo <= hi) { const mid = (lo + hi) >> 1; const v = m[mid]!; if (v === pos) return { pos, index: mid }; if (v < pos) lo = mid + 1; else hi = mid - 1; }
  return { pos, index: -1 };
}

/** Field names for completion: the fields seen in the capture's records first, then the rest of the catalog. */
function fieldsOf(s: Session | null): Fields {
  const present = s ? [...s.present].sort() : [];
  const seen = new Set(present);
  return { present, other: FIELDS.map((f) => f.path).filter((p) => !seen.has(p)) };
}

function viewCount(s: Session): number { return s.view.matches || s.view.query || s.view.range ? s.view.count : s.index.count; }
function viewPos(s: Session, i: number): number { return s.view.matches ? s.view.matches[i]! : i; }

/** Calls fn for every position the view selects, in order, with the packet's segment and index. */
function forEachInView(s: Session, fn: (seg: Segment, k: number, pos: number) => void): void {
  const v = s.view;
  if (!v.matches) {
    if (v.query || v.range) return;
    s.index.forEachSegment((seg, base) => { for (let k = 0; k < seg.n; k++) fn(seg, k, base + k); });
    return;
  }
  let seg: Segment | null = null, segNo = -1;
  for (let i = 0; i < v.count; i++) {
    const pos = v.matches[i]!;
    const no = pos >> 16;
    if (no !== segNo) { seg = s.index.segment(no); segNo = no; }
    fn(seg!, pos & (SEGMENT_PACKETS - 1), pos);
  }
}

// ---- rows and details -----------------------------------------------------------------------

const PROTO_NAMES: Record<number, string> = { 1: 'ICMP', 2: 'IGMP', 4: 'IPIP', 6: 'TCP', 17: 'UDP', 41: 'IPv6', 47: 'GRE', 50: 'ESP', 51: 'AH', 58: 'ICMPv6', 89: 'OSPF', 103: 'PIM', 112: 'VRRP', 132: 'SCTP' };

function protoLabel(seg: Segment, k: number): string {
  const c = seg.cls[k]!;
  if (c === C.HTTP) return 'HTTP';
  if (c === C.HTTP2) return 'HTTP/2';
  if (c === C.DNS) return 'DNS';
  if (c === C.TLS) return 'TLS';
  if (c === C.ARP) return 'ARP';
  const p = seg.proto[k]!;
  if (p === 0) return 'L2';
  return PROTO_NAMES[p] ?? `IP ${p}`;
}

function rows(s: Session, start: number, count: number): { total: number; rows: Row[] } {
  const total = viewCount(s);
  const out: Row[] = [];
  for (let i = start; i < Math.min(total, start + count); i++) {
    const pos = viewPos(s, i);
    const [seg, k] = s.index.at(pos);
    out.push({
      pos, num: pos, time: seg.time[k]!,
      src: endpoint(s, seg, k, true), dst: endpoint(s, seg, k, false), proto: protoLabel(seg, k), len: seg.origLen[k]!,
      message: messageText(seg, k) ?? '', severity: seg.error[k] ? 'ERROR' : 'DEFAULT', file: fileOf(s, seg, k) ?? '',
    });
  }
  return { total, rows: out };
}

function endpoint(s: Session, seg: Segment, k: number, src: boolean): string {
  const a = s.index.addrs.values[(src ? seg.src : seg.dst)[k]!] ?? '';
  const port = (src ? seg.sport : seg.dport)[k]!;
  if (!a) return '';
  if (!port) return a;
  return a.includes(':') ? `[${a}]:${port}` : `${a}:${port}`;
}

/** The file of packet k of a segment, in a capture of several files (undefined else). */
const fileOf = (s: Session, seg: Segment, k: number): string | undefined => (s.files ? s.files[seg.file[k]! - 1] : undefined);

async function detail(s: Session, pos: number): Promise<Detail> {
  if (!(pos >= 0 && pos < s.index.count)) throw new RangeError(`no record ${pos}`);
  // A job's record is the first line the Worker streams from its serial; its bytes stay there.
  if (s.job) return { pos, num: pos, text: await jobRecord(s.job.job, s.job.token, pos), bytes: new Uint8Array(0), fileOffset: -1, bytesNote: 'The packet\'s bytes stay on the Worker: a job\'s records carry no packet bytes.' };
  const [seg, k] = s.index.at(pos);
  const gen = s.generation;
  const text = await renderOne(renderSource(s), pos, seg.part[k]!, () => session?.generation !== gen);
  const off = seg.fileOff[k]!, len = seg.capLen[k]!;
  const bytes = new Uint8Array(await s.blob!.slice(off, off + len).arrayBuffer());
  const file = fileOf(s, seg, k);
  return { pos, num: pos, text, bytes, fileOffset: off, ...(file !== undefined ? { file } : {}) };
}

// ---- tables --------------------------------------------------------------------------------

function cached<T>(s: Session, key: string, make: () => T): T {
  const k = `${key}|${s.view.tag}|${s.view.count}|${s.index.count}`;
  let v = s.caches.get(k) as T | undefined;
  if (v === undefined) { v = make(); if (s.caches.size > 16) s.caches.clear(); s.caches.set(k, v); }
  return v;
}

function conns(s: Session): Promise<Conn[]> {
  return cached(s, 'conns', async () => {
    type C2 = Conn & { cs: number; cp: number; sa: number; facts: ConnFacts };
    const byFlow = new Map<number, Map<number, C2>>();
    let count = 0;
    forEachInView(s, (seg, k) => {
      const lo = seg.flowLo[k]!, hi = seg.flowHi[k]!;
      if (lo === 0 && hi === 0) return;
      let m = byFlow.get(hi);
      if (!m) { m = new Map(); byFlow.set(hi, m); }
      let c = m.get(lo);
      const src = seg.src[k]!, sp = seg.sport[k]!;
      if (!c) {
        const p = seg.proto[k]!;
        const proto = p === 6 ? 'TCP' : p === 17 ? 'UDP' : p === 1 ? 'ICMP' : p === 58 ? 'ICMPv6' : 'IP';
        // The first packet's sender is the client, unless it is a SYN-ACK (the SYN was missed).
        const synAck = (seg.flags[k]! & 0x12) === 0x12;
        c = { id: count++, flow: flowText(lo, hi), proto, client: endpoint(s, seg, k, !synAck), server: endpoint(s, seg, k, synAck),
          packetsFwd: 0, packetsBwd: 0, bytesFwd: 0, bytesBwd: 0, start: seg.time[k]!, end: seg.time[k]!, exchanges: 0,
          cs: synAck ? seg.dst[k]! : src, cp: synAck ? seg.dport[k]! : sp, sa: synAck ? src : seg.dst[k]!, facts: newConnFacts(), endState: '', retransmissions: 0 };
        m.set(lo, c);
      }
      const fwd = src === c.cs && sp === c.cp;
      addPacketFacts(c.facts, seg, k, fwd);
      if (fwd) { c.packetsFwd++; c.bytesFwd += seg.origLen[k]!; } else { c.packetsBwd++; c.bytesBwd += seg.origLen[k]!; }
      c.end = seg.time[k]!;
    });
    await syncView(s);
    const perFlow = new Map(await http().ask<Array<[string, number]>>({ op: 'flowCounts' }));
    const out: Conn[] = [];
    const names = dnsNames(s);
    for (const m of byFlow.values()) for (const { cs, cp, sa, facts, ...c } of m.values()) { void cs; void cp; out.push({ ...c, exchanges: perFlow.get(c.flow) ?? 0, ...connColumns(facts, c.proto, names.of(s.index.addrs.values[sa] ?? '')) }); }
    return out;
  });
}

function traceRows(s: Session): Promise<TraceRow[]> {
  return cached(s, 'traces', async () => {
    const idx = s.index;
    const n = idx.traces.size + 1;
    const packets = new Uint32Array(n), start = new Float64Array(n).fill(Infinity), end = new Float64Array(n).fill(-Infinity);
    const note = (t: number, time: number) => { packets[t]!++; if (time < start[t]!) start[t] = time; if (time > end[t]!) end[t] = time; };
    forEachInView(s, (seg, k) => {
      const t = seg.trace[k]!;
      const more = seg.extras.get(k)?.traces;
      if (!t && !more) return;
      const time = seg.time[k]!;
      if (t) note(t, time);
      if (more) for (const m of more) if (m !== t) note(m, time);
    });
    await syncView(s);
    const ex = new Uint32Array(n);
    const counts = await http().ask<{ names: { prefixes: string[]; words: Uint32Array; other: string[] }; counts: Uint32Array }>({ op: 'traceCounts' });
    const ids = idx.traces.lookup(counts.names);
    for (let i = 0; i < ids.length; i++) if (ids[i]) ex[ids[i]!] = counts.counts[i]!;
    const out: TraceRow[] = [];
    for (let t = 1; t < n; t++) if (packets[t]) out.push({ id: idx.traces.name(t), short: idx.traces.short(t), packets: packets[t]!, exchanges: ex[t]!, start: start[t]!, end: end[t]! });
    return out;
  });
}

async function trace(s: Session, id: string): Promise<TraceDetail> {
  const idx = s.index;
  const ids = new Set(idx.traces.matching(id));
  const packets: TracePacket[] = [];
  let more = 0;
  idx.forEachSegment((seg, base) => {
    for (let k = 0; k < seg.n; k++) {
      const t = seg.trace[k]!;
      const x = seg.extras.get(k)?.traces;
      if (!(t && ids.has(t)) && !(x && x.some((m) => ids.has(m)))) continue;
      if (packets.length >= MAX_TRACE_PACKETS) { more++; continue; }
      const f = seg.proto[k] === 6 ? tcpFlagText(seg.flags[k]!) : '';
      const c = seg.cls[k]!;
      const isHttp = c === C.HTTP || c === C.HTTP2;
      const kind = isHttp ? (seg.method[k] ? 'request' : seg.code[k] && seg.code[k] !== NO_CODE ? 'response' : 'http') : /FIN/.test(f) ? 'fin' : /RST/.test(f) ? 'rst' : /SYN/.test(f) ? 'syn' : 'ack';
      packets.push({ pos: base + k, num: base + k, time: seg.time[k]!, src: endpoint(s, seg, k, true), dst: endpoint(s, seg, k, false), proto: protoLabel(seg, k), len: seg.origLen[k]!, flags: f, kind, message: messageText(seg, k) ?? '' });
    }
  });
  const names = [...ids].map((t) => idx.traces.name(t));
  const exchanges = names.length ? await http().ask<HttpRow[]>({ op: 'traceExchanges', traces: names }) : [];
  let first = Infinity, last = -Infinity;
  for (const p of packets) { if (p.time < first) first = p.time; if (p.time > last) last = p.time; }
  return { id: names[0] ?? id, start: packets.length ? first : 0, end: packets.length ? last : 0, packets, exchanges, ...(more ? { more } : {}) } as TraceDetail;
}

function timeline(s: Session, bins: number): Timeline {
  const n = Math.max(1, Math.min(2000, bins | 0));
  const count = s.index.count;
  const first = count ? firstTime(s) : 0;
  const last = count ? lastTime(s) : first;
  const width = Math.max((last - first) / n, 0.001);
  const packets = CLASSES.map(() => new Array<number>(n).fill(0));
  const bytes = CLASSES.map(() => new Array<number>(n).fill(0));
  forEachInView(s, (seg, k) => {
    const b = Math.min(n - 1, Math.max(0, Math.floor((seg.time[k]! - first) / width)));
    const c = seg.cls[k]!;
    packets[c]![b]!++;
    bytes[c]![b]! += seg.origLen[k]!;
  });
  const perSec = 1000 / width;
  const keep = CLASSES.map((_, i) => packets[i]!.some((x) => x > 0));
  return {
    t: Array.from({ length: n }, (_, i) => (first + i * width) / 1000),
    classes: CLASSES.filter((_, i) => keep[i]),
    packets: packets.filter((_, i) => keep[i]).map((a) => a.map((x) => x * perSec)),
    bytes: bytes.filter((_, i) => keep[i]).map((a) => a.map((x) => x * perSec)),
  };
}

// ---- exports ---------------------------------------------------------------------------------

async function exportBlob(s: Session, what: ExportKind): Promise<Exported> {
  const mine = ++workGeneration;
  const superseded = () => mine !== workGeneration || session !== s;
  if (what === 'har') return harBlob(s, superseded);
  if (what === 'otlp') return otlpBlob(s, superseded);
  const all = what === 'ndjson' || (!s.view.query && !s.view.range);
  // To an OPFS file (the browser keeps it on disk), then, past the quota, in memory.
  const spill = await SpillFile.open();
  const parts: Blob[] = [];
  const put = (bytes: Uint8Array) => { if (!bytes.length || spill?.write(bytes)) return; parts.push(new Blob([bytes.slice()])); };
  const selected = all ? null : s.view;
  let at = 0; // index into the view's matches
  try {
    await renderPass(s, 'export', superseded, (view, entries, count, first) => {
      const ev = new DataView(entries.buffer, entries.byteOffset, entries.byteLength);
      if (selected === null) {
        let bytes = 0;
        for (let i = 0; i < count; i++) bytes += ev.getUint32(i * ENTRY_BYTES + Entry.RECORD_LEN, true);
        put(view.subarray(0, bytes));
        return;
      }
      // The selected lines of a batch, in runs of neighbours (one write per run).
      let line = 0, runFrom = -1, runTo = -1;
      for (let i = 0; i < count; i++) {
        const len = ev.getUint32(i * ENTRY_BYTES + Entry.RECORD_LEN, true);
        const pos = first + i;
        while (at < selected.count && selected.matches![at]! < pos) at++;
        if (at < selected.count && selected.matches![at] === pos) {
          if (runTo !== line) { if (runFrom >= 0) put(view.subarray(runFrom, runTo)); runFrom = line; }
          runTo = line + len;
        }
        line += len;
      }
      if (runFrom >= 0) put(view.subarray(runFrom, runTo));
    });
  } catch (err) { if (spill) await spill.finish().catch(() => null); throw err; }
  const head = spill ? await spill.finish() : null;
  return { blob: new Blob(head ? [head, ...parts] : parts, { type: 'application/x-ndjson' }), note: null };
}

/**
 * Every HTTP exchange as OpenTelemetry spans: the records of one more rendering of the capture
 * through src/otlp.ts, so the lines are the CLI's `--format otlp` of the same capture read from
 * standard input (no file names in the resource).
 */
async function otlpBlob(s: Session, superseded: () => boolean): Promise<Exported> {
  const parts: string[] = [];
  const reader = new OtlpRecordReader((line) => { parts.push(line + '\n'); });
  await renderPass(s, 'export', superseded, (view, entries, count) => {
    const ev = new DataView(entries.buffer, entries.byteOffset, entries.byteLength);
    let bytes = 0;
    for (let i = 0; i < count; i++) bytes += ev.getUint32(i * ENTRY_BYTES + Entry.RECORD_LEN, true);
    reader.push(view.subarray(0, bytes));
  });
  reader.end();
  const spans = reader.stats().spans;
  return { blob: new Blob(parts, { type: 'application/x-ndjson' }), note: spans === 0 ? 'No HTTP exchange to export as spans (they are made from the DEBUG records).' : null };
}

/** Renders the capture again and hands over the parsed HTTP value of each record `wanted` picks. */
async function httpValues(s: Session, what: Work['what'], superseded: () => boolean, wanted: (pos: number) => boolean, onValue: (pos: number, value: unknown) => void): Promise<void> {
  await renderPass(s, what, superseded, (view, entries, count, first) => {
    const ev = new DataView(entries.buffer, entries.byteOffset, entries.byteLength);
    let line = 0;
    for (let i = 0; i < count; i++) {
      const e = i * ENTRY_BYTES;
      const len = ev.getUint32(e + Entry.RECORD_LEN, true);
      const hl = ev.getUint32(e + Entry.HTTP_LEN, true);
      if (hl && wanted(first + i)) { const ho = line + ev.getUint32(e + Entry.HTTP_OFF, true); onValue(first + i, JSON.parse(dec.decode(view.subarray(ho, ho + hl)))); }
      line += len;
    }
  });
}

/** The HAR of the view's exchanges (at most MAX_HAR_EXCHANGES), their headers read again from the records. */
async function harBlob(s: Session, superseded: () => boolean): Promise<Exported> {
  await syncView(s);
  const all = await http().ask<Uint32Array>({ op: 'exchangeIds' });
  const ids = all.length > MAX_HAR_EXCHANGES ? all.slice(0, MAX_HAR_EXCHANGES) : all;
  const list = await http().ask<Exchange[]>({ op: 'exchanges', ids });
  // The HTTP values of the packets these exchanges name: one more rendering of the capture.
  const want = new Set<number>();
  for (const e of list) { if (e.reqNum >= 0) want.add(e.reqNum); if (e.respNum !== undefined) want.add(e.respNum); }
  const values = new Map<number, unknown>();
  if (want.size) {
    await httpValues(s, 'export', superseded, (pos) => want.has(pos), (pos, v) => values.set(pos, v));
  }
  for (const e of list) rereadHeaders(e, e.reqNum >= 0 ? values.get(e.reqNum) : undefined, e.respNum !== undefined ? values.get(e.respNum) : undefined);
  const bodies = await harBodies(s, list, superseded);
  const har = toHar(list, { pageTitle: s.name, bodies: bodies.bodies });
  const cutNote = all.length > ids.length ? `the first ${ids.length.toLocaleString('en-US')} of ${all.length.toLocaleString('en-US')} exchanges (MAX_HAR_EXCHANGES); narrow the filter or the time range for the others` : null;
  const notes = [cutNote, bodies.note].filter((n): n is string => n !== null);
  if (notes.length) (har.log as { comment?: string }).comment = `tracecap: ${notes.join('; ')}`;
  // The page's line: the exchanges' cut as before, then what the bodies lack, each a sentence.
  const lines = [cutNote && `The HAR holds ${cutNote}.`, bodies.note && `${bodies.note[0]!.toUpperCase()}${bodies.note.slice(1)}.`].filter(Boolean);
  return { blob: new Blob([JSON.stringify(har, null, 1)], { type: 'application/json' }), note: lines.length ? lines.join(' ') : null };
}

// ---- follow stream, HTTP/2 streams, packets as pcap (follow.ts, streams.ts) --------------------

/** The packets of connection `flow` (every one, whatever the filter), in order. */
function* flowPackets(s: Session, flow: string): Generator<PickedPacket> {
  if (!/^\d+$/.test(flow)) throw new Error(`"${flow}" is not a connection's flow id`);
  const f = BigInt(flow);
  const lo = Number(f & 0xffffffffn), hi = Number(f >> 32n);
  for (let k = 0; k < s.index.segments; k++) {
    const seg = s.index.segment(k);
    for (let i = 0; i < seg.n; i++) if (seg.flowLo[i] === lo && seg.flowHi[i] === hi) yield { off: seg.fileOff[i]!, num: k * SEGMENT_PACKETS + i, time: seg.time[i]! };
  }
}

/** The packets carrying trace `id` (a full name or its short id), in order. */
function* tracePackets(s: Session, id: string): Generator<PickedPacket> {
  const ids = new Set(s.index.traces.matching(id));
  if (!ids.size) throw new Error(`no packet carries the trace ${id}`);
  for (let k = 0; k < s.index.segments; k++) {
    const seg = s.index.segment(k);
    for (let i = 0; i < seg.n; i++) {
      const t = seg.trace[i]!, x = seg.extras.get(i)?.traces;
      if ((t && ids.has(t)) || (x && x.some((m) => ids.has(m)))) yield { off: seg.fileOff[i]!, num: k * SEGMENT_PACKETS + i, time: seg.time[i]! };
    }
  }
}

/** The packets the view selects, in order (the view's positions are read as they are written out). */
function* viewPackets(s: Session): Generator<PickedPacket> {
  const v = s.view;
  const count = v.matches ? v.count : v.query || v.range ? 0 : s.index.count;
  for (let i = 0; i < count; i++) {
    const pos = v.matches ? v.matches[i]! : i;
    const [seg, k] = s.index.at(pos);
    yield { off: seg.fileOff[k]!, num: pos, time: seg.time[k]! };
  }
}

function needBytes(s: Session): Blob {
  if (s.job || !s.blob) throw new Error('the packets\' bytes stay on the Worker: a job\'s records carry none, so this needs the capture opened here');
  return s.blob;
}

async function followFlow(s: Session, flow: string): Promise<FollowResult> {
  const blob = needBytes(s);
  const gen = s.generation;
  return follow(blob, flow, flowPackets(s, flow), browserDecompress, () => session?.generation !== gen);
}

/** The selected packets written from the capture's own bytes: its format, records unchanged. */
async function pcapBlob(s: Session, req: { flow?: string; trace?: string }): Promise<Exported> {
  const blob = needBytes(s);
  const mine = ++workGeneration;
  const superseded = () => mine !== workGeneration || session !== s;
  const picked = req.flow !== undefined ? flowPackets(s, req.flow) : req.trace !== undefined ? tracePackets(s, req.trace) : viewPackets(s);
  // Chunks of the file go to an OPFS file (then, past its quota, to memory), never all at once.
  const spill = await SpillFile.open();
  const parts: Blob[] = [];
  let pending = new Uint8Array(1 << 20), fill = 0;
  const flush = () => { if (!fill) return; const b = pending.subarray(0, fill); if (!spill?.write(b)) parts.push(new Blob([b.slice()])); fill = 0; };
  const put = (b: Uint8Array) => {
    if (fill + b.length > pending.length) flush();
    if (b.length > pending.length) { if (!spill?.write(b)) parts.push(new Blob([b.slice()])); return; }
    pending.set(b, fill); fill += b.length;
  };
  const total = blob.size;
  let last = 0;
  let found: number;
  try {
    found = await walkSelected(blob, picked, { out: put }, superseded, (bytes) => {
      const now = performance.now();
      if (now - last > 150) { last = now; work({ what: 'export', done: Math.round(bytes / total * s.index.count), total: s.index.count }); }
    });
    flush();
  } catch (err) { if (spill) await spill.finish().catch(() => null); throw err; }
  pending = new Uint8Array(0);
  const head = spill ? await spill.finish() : null;
  const type = 'application/vnd.tcpdump.pcap';
  return { blob: new Blob(head ? [head, ...parts] : parts, { type }), note: found === 0 ? 'No packet was selected: the file holds only the capture\'s header.' : null };
}

async function h2Streams(s: Session, flow: string): Promise<H2Connection> {
  if (s.job) throw new Error('the HTTP/2 streams of a job\'s connection are read from its records on the Worker; open the capture here');
  // The client: the sender of the connection's first packet, unless that is a SYN/ACK.
  const want = new Map<number, { time: number; fromClient: boolean }>();
  let client = -1, cport = -1;
  for (const p of flowPackets(s, flow)) {
    const [seg, k] = s.index.at(p.num);
    if (client < 0) { const synAck = (seg.flags[k]! & 0x12) === 0x12; client = synAck ? seg.dst[k]! : seg.src[k]!; cport = synAck ? seg.dport[k]! : seg.sport[k]!; }
    want.set(p.num, { time: p.time, fromClient: seg.src[k] === client && seg.sport[k] === cport });
  }
  const values: H2Record[] = [];
  const mine = ++workGeneration;
  await httpValues(s, 'detail', () => mine !== workGeneration || session !== s, (pos) => want.has(pos),
    (pos, http) => { const p = want.get(pos)!; values.push({ num: pos, time: p.time, fromClient: p.fromClient, http }); });
  const c = h2StreamsOf(flow, values);
  return s.blob ? h2Bodies(s.blob, flowPackets(s, flow), c, browserDecompress, () => mine !== workGeneration || session !== s) : c;
}

/**
 * The request and response bodies of the HTTP/1 exchanges of a HAR (follow.ts harBodiesOf), their
 * connections' packets picked from the index.
 */
async function harBodies(s: Session, list: readonly Exchange[], superseded: () => boolean): Promise<{ bodies: Map<number, ExchangeBodies>; note: string | null }> {
  if (s.job || !s.blob) return { bodies: new Map(), note: 'bodies are not included: the packets\' bytes of a job stay on the Worker' };
  const flows = new Set<string>();
  for (const e of list) if ((e.proto.startsWith('HTTP/1') || e.stream !== undefined) && e.flow) flows.add(e.flow);
  if (!flows.size) return { bodies: new Map(), note: null };
  const keys = new Map<number, Map<number, string>>();
  for (const f of flows) { const b = BigInt(f); const hi = Number(b >> 32n), lo = Number(b & 0xffffffffn); let m = keys.get(hi); if (!m) keys.set(hi, m = new Map()); m.set(lo, f); }
  function* picked(): Generator<PickedPacket & { flow: string }> {
    for (let k = 0; k < s.index.segments; k++) {
      const seg = s.index.segment(k);
      for (let i = 0; i < seg.n; i++) {
        const f = keys.get(seg.flowHi[i]!)?.get(seg.flowLo[i]!);
        if (f !== undefined) yield { off: seg.fileOff[i]!, num: k * SEGMENT_PACKETS + i, time: seg.time[i]!, flow: f };
      }
    }
  }
  return harBodiesOf(s.blob, list, picked(), browserDecompress, superseded);
}

/** The all-requests waterfall and the statistics before a capture is open: empty. */
function exchangeViewsBeforeCapture(req: WaterfallRequest | EndpointsRequest): unknown {
  return req.op === 'waterfall' ? { total: 0, rows: [], span: [0, 0], timed: 0 } : { total: 0, rows: [], exchanges: 0, limit: 0 };
}

/** What the connection list's retransmissions leave out when more TCP connections were open at once than are followed (null: nothing). */
function retransmissionNotice(evicted: number): string | null {
  if (evicted === 0) return null;
  return `More than ${MAX_TRACKED_CONNECTIONS.toLocaleString('en-US')} TCP connections were open at once: ${evicted.toLocaleString('en-US')} times the least recently active ones stopped being followed for retransmissions (the Connections view's count); each is followed again from its next segment, which is not judged.`;
}

/** The DNS names of every address the capture's answers gave (all of them, whatever the view), built once per capture size. */
const dnsTables = new WeakMap<Session, { count: number; names: DnsNames }>();
function dnsNames(s: Session): DnsNames {
  const have = dnsTables.get(s);
  if (have && have.count === s.index.count) return have.names;
  const names = new DnsNames();
  s.index.forEachSegment((seg) => { for (const x of seg.extras.values()) if (x.dns) names.add(x.dns); });
  dnsTables.set(s, { count: s.index.count, names });
  return names;
}

/** The connection list's columns from a connection's facts. */
function connColumns(f: ConnFacts, proto: string, dns: { names: string[]; more: number; full?: boolean }): Pick<Conn, 'sni' | 'alpn' | 'names' | 'moreNames' | 'namesFull' | 'endState' | 'retransmissions'> {
  const out: Pick<Conn, 'sni' | 'alpn' | 'names' | 'moreNames' | 'namesFull' | 'endState' | 'retransmissions'> = { endState: endState(f, proto), retransmissions: f.retransmissions };
  if (f.sni !== undefined) out.sni = f.sni;
  if (f.alpn !== undefined) out.alpn = f.alpn;
  if (dns.names.length) out.names = dns.names;
  if (dns.more) out.moreNames = dns.more;
  if (dns.full) out.namesFull = true;
  return out;
}
