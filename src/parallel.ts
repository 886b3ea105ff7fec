// Parallel translation by connection, runtime-agnostic (the thread itself is src/shard.ts; each
// runtime says how to start one: runtimes/node/parallel.ts, runtimes/browser/parallel.ts).
//
// Every thread gets every chunk of the capture and reads all of it, so serial numbers, the
// pcapng interface table, the capture clock and any capture error are the same in each; each
// writes only its own records (record/shard.ts in the core): a TCP connection's at DEBUG
// always in one thread, other packets in blocks of consecutive serials. The coordinator merges
// the records strictly by serial: a thread's next record can go out once every other thread
// either has a later record waiting or has read past it. The output is therefore the bytes one
// thread writes, for any number of threads and any chunking.
//
// Memory stays bounded when one thread is slower (one huge connection): no thread is sent a
// chunk more than AHEAD_CHUNKS ahead of the slowest, so the records waiting to be merged come
// from a few chunks at most.

import { addSkips, noSkips, type SkipCounts } from './skips.js';
import { CaptureError } from './errors.js';
import type { TranslatorOptions } from './translator.js';
import { OUT_WINDOWS, type FromShard, type ToShard, type WindowMessage } from './shard.js';
import { MARK_BYTES } from './translator.js';
import { ENTRY_BYTES } from './entry.js';
import { concatBytes } from './bytes.js';

/** Chunks a thread may be sent beyond the last one every thread has consumed. */
export const AHEAD_CHUNKS = 3;
/** Largest chunk sent to the threads at once: push() splits bigger ones. */
export const PARALLEL_CHUNK_BYTES = 256 << 10;
/** Runs of records shorter than this are gathered into one buffer before the sink sees them. */
const GATHER_BYTES = 256 << 10;

/** A started thread, as each runtime provides it. */
export interface ShardThread {
  post(message: ToShard, transfer?: Transferable[]): void;
  /** Calls `handler` for each message of the thread, and `failed` if the thread dies. */
  listen(handler: (message: FromShard) => void, failed: (error: Error) => void): void;
  terminate(): void;
}

/** Options of a parallel translator: a translator's, and the number of threads. */
export interface ParallelOptions extends TranslatorOptions {
  /** Threads (1 to the core's maxShards(), 8); default: the runtime's choice (its cores, up to 8). */
  threads?: number;
}

// A batch's marks are read in place: serial i at f64 index 2i, its length at u32 index 4i + 2.
// `buffer` is a moved batch's own buffer (handed back when merged), or null for one left in the
// thread's output window `window` (freed when merged).
interface Batch { buffer: ArrayBuffer | null; window: number; bytes: Uint8Array; serials: Float64Array; lengths: Uint32Array; entries: Uint8Array | null; count: number; at: number; off: number }

class Lane {
  readonly queue: Batch[] = [];
  /** The thread's core memory and its two windows' flags (shared memory), else null. */
  memory: SharedArrayBuffer | null = null;
  windows: Int32Array | null = null;
  /** Every packet numbered below this has been handled by the thread. */
  next = 0;
  /** Chunks sent and not yet consumed. */
  inFlight = 0;
  packets = 0;
  /** What the thread's analysis gave up (its own connections), known at its end. */
  skipped: SkipCounts = noSkips();
  ready = false;
  ended = false;
  error: CaptureError | null = null;
  head(): number { const b = this.queue[0]; return b ? b.serials[2 * b.at]! : Infinity; }
}

/**
 * Translates one capture on several threads with the surface of a Translator, asynchronous:
 * push() resolves once the chunk is taken (back-pressure), with the NDJSON merged so far.
 */
export class ParallelTranslator {
  readonly threads: number;
  readonly #lanes: Lane[];
  readonly #workers: ShardThread[];
  readonly #limit: number;
  #records = 0;
  #error: CaptureError | null = null;
  #failure: Error | null = null;
  #finishing = false;
  #closed = false;
  #sink: ((view: Uint8Array) => void) | null = null;
  #out: Uint8Array[] = [];
  #gather: Uint8Array | null = null;
  #gathered = 0;
  #wake: (() => void) | null = null;

  /** Use createParallelTranslator() (or a runtime's createNodeParallelTranslator()). */
  constructor(workers: ShardThread[], module: WebAssembly.Module, options: TranslatorOptions, sharedModule: WebAssembly.Module | null = null) {
    this.threads = workers.length;
    this.#workers = workers;
    this.#limit = options.limit ?? 0;
    // The threads translate without the limit: it counts merged records, which only this side sees.
    const { limit: _limit, ...shardOptions } = options;
    void _limit;
    this.#lanes = workers.map(() => new Lane());
    // Shared input where the runtime has shared memory (Node; browsers when cross-origin
    // isolated): each chunk is read or copied once into a slot every thread reads.
    const shared = typeof SharedArrayBuffer === 'function' && (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated !== false;
    this.#inputs = shared ? Array.from({ length: AHEAD_CHUNKS }, () => new SharedArrayBuffer(PARALLEL_CHUNK_BYTES)) : null;
    this.#slotUsers = new Array<number>(AHEAD_CHUNKS).fill(0);
    // With the shared-memory core too, batches stay in the threads' memory: no copy, no move.
    const inPlace = shared && sharedModule !== null;
    workers.forEach((w, index) => {
      const lane = this.#lanes[index]!;
      let windows: SharedArrayBuffer | null = null;
      if (inPlace) { windows = new SharedArrayBuffer(4 * OUT_WINDOWS); lane.windows = new Int32Array(windows); lane.windows.fill(1); }
      w.listen((m) => this.#message(index, m), (e) => this.#fail(e));
      w.post({ t: 'init', module: inPlace ? sharedModule : module, options: shardOptions, index, count: workers.length, inputs: this.#inputs, windows });
    });
  }

  /** Resolves once every thread has its translator (rejects with a RangeError for a bad option). */
  async ready(): Promise<void> {
    while (this.#failure === null && !this.#lanes.every((l) => l.ready)) await this.#wait();
    this.#check();
  }

  /** The capture's error, once one was found (the records before it were delivered). */
  get error(): CaptureError | null { return this.#error; }
  /** Packets read so far (by the thread that read furthest). */
  get packets(): number { let n = 0; for (const l of this.#lanes) n = Math.max(n, l.packets); return n; }
  /** Records merged so far. */
  get records(): number { return this.#records; }
  /** What the DEBUG analysis gave up, by reason: the threads' counts added up (each counts its own connections), known once finish() resolved. */
  get skipped(): SkipCounts { return this.#lanes.reduce((a, l) => addSkips(a, l.skipped), noSkips()); }
  /** Whether no more input is wanted: an error, or the record limit reached. */
  get done(): boolean { return this.#error !== null || (this.#limit > 0 && this.#records >= this.#limit); }

  /** Sends merged output to `sink` (views valid only during the call) instead of returning it. */
  setSink(sink: ((view: Uint8Array) => void) | null): void { this.#sink = sink; }

  /** Feeds the next chunk of the capture (any size); resolves with the NDJSON merged so far. */
  async push(chunk: Uint8Array): Promise<Uint8Array> {
    for (let off = 0; off < chunk.length && !this.done;) {
      const part = chunk.subarray(off, off + PARALLEL_CHUNK_BYTES);
      await this.pushFrom((space) => { space.set(part); return part.length; });
      off += part.length;
    }
    this.#check();
    return this.#take();
  }

  /**
   * Zero-copy input, as Translator.pushFrom: calls `read` with free input space (at most
   * PARALLEL_CHUNK_BYTES), which it fills and returns the number of bytes written; those go to
   * every thread. Resolves with that number once there was room (0: nothing read, or done).
   * Output goes to the sink, or is returned by the next push() or finish().
   */
  async pushFrom(read: (space: Uint8Array) => number): Promise<number> {
    if (this.#finishing) throw new Error('push() after finish()');
    this.#pushed = true;
    await this.#room();
    if (this.done) return 0;
    const lanes = this.#lanes.filter((l) => !l.ended);
    if (this.#inputs) {
      const slot = this.#slot;
      const n = read(new Uint8Array(this.#inputs[slot]!, 0, PARALLEL_CHUNK_BYTES));
      if (n <= 0) return 0;
      this.#slot = (slot + 1) % this.#inputs.length;
      this.#slotUsers[slot] = lanes.length;
      for (const lane of lanes) { lane.inFlight++; this.#workers[this.#lanes.indexOf(lane)]!.post({ t: 'input', slot, length: n }); }
      return n;
    }
    const buf = new Uint8Array(PARALLEL_CHUNK_BYTES);
    const n = read(buf);
    if (n <= 0) return 0;
    lanes.forEach((lane, i) => {
      // Each thread gets its own copy, moved to it rather than cloned; the last gets the buffer.
      const bytes = i === lanes.length - 1 ? buf.subarray(0, n) : buf.slice(0, n);
      lane.inFlight++;
      this.#workers[this.#lanes.indexOf(lane)]!.post({ t: 'chunk', bytes }, [bytes.buffer]);
    });
    return n;
  }

  #inputs: SharedArrayBuffer[] | null;
  #slotUsers: number[];
  #slot = 0;

  /** Ends the input; resolves with the last records. Sets `error` if the capture was damaged, truncated or empty. */
  async finish(): Promise<Uint8Array> {
    if (!this.#finishing) {
      this.#finishing = true;
      if (!this.done) for (const [i, lane] of this.#lanes.entries()) if (!lane.ended) this.#workers[i]!.post({ t: 'finish' });
      while (!this.done && !this.#lanes.every((l) => l.ended) && this.#failure === null) await this.#wait();
      this.#check();
      this.#merge();
      this.#flush();
      this.close();
    }
    return this.#take();
  }

  /** Stops the threads (finish() does it too). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const w of this.#workers) w.terminate();
  }

  /**
   * A WHATWG stream pair (use with pipeThrough): capture bytes in, NDJSON bytes out. After a
   * capture error the readable side first delivers every record before the damage, then errors.
   */
  stream(): ReadableWritablePair<Uint8Array, Uint8Array> {
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    const readable = new ReadableStream<Uint8Array>({ start: (c) => { controller = c; }, cancel: () => this.close() }, { highWaterMark: 0 });
    const deliver = (bytes: Uint8Array) => { if (bytes.length) controller.enqueue(bytes); };
    const writable = new WritableStream<Uint8Array>({
      write: async (chunk) => {
        deliver(await this.push(chunk));
        if (this.#error) { controller.error(this.#error); throw this.#error; }
      },
      close: async () => {
        try {
          deliver(await this.finish());
        } catch (e) { controller.error(e); throw e; }
        if (this.#error) controller.error(this.#error); else controller.close();
      },
      abort: (reason) => { this.close(); controller.error(reason); },
    });
    return { readable, writable };
  }

  // ---- threads' messages ------------------------------------------------------------------

  #message(i: number, m: FromShard): void {
    // The sink runs inside the merge, in a thread's message event: its failure (a closed pipe,
    // a full disk) belongs to the caller of push() or finish(), not to the event loop.
    try {
      this.#receive(i, m);
    } catch (e) {
      this.#fail(e instanceof Error ? e : new Error(String(e)));
    }
  }

  #receive(i: number, m: FromShard): void {
    if (this.#failure !== null) return;
    const lane = this.#lanes[i]!;
    switch (m.t) {
      case 'out':
        if (m.count > 0) {
          const entries = this.#indexSink ? new Uint8Array(m.buffer, m.count * MARK_BYTES, m.count * ENTRY_BYTES) : null;
          const bytesAt = m.count * MARK_BYTES + (entries ? entries.length : 0);
          lane.queue.push({
            buffer: m.buffer, window: -1, serials: new Float64Array(m.buffer, 0, 2 * m.count), lengths: new Uint32Array(m.buffer, 0, 4 * m.count),
            entries, bytes: new Uint8Array(m.buffer, bytesAt, m.length), count: m.count, at: 0, off: 0,
          });
        }
        lane.next = Math.max(lane.next, m.next);
        break;
      case 'window':
        this.#window(lane, m);
        break;
      case 'consumed':
        if (m.window) this.#window(lane, m.window);
        lane.inFlight--;
        if (m.slot >= 0) this.#slotUsers[m.slot]!--;
        lane.next = Math.max(lane.next, m.next);
        lane.packets = m.packets;
        break;
      case 'end':
        lane.ended = true;
        lane.next = Infinity;
        lane.packets = m.packets;
        lane.skipped = m.skipped;
        if (m.error) lane.error = new CaptureError(m.error.code, m.error.reason, m.error.offset, m.error.packets);
        break;
      case 'ready':
        lane.ready = true;
        break;
      case 'failed':
        // A bad option is refused by every thread alike: the caller sees the RangeError itself.
        this.#fail(m.name === 'RangeError' ? new RangeError(m.message) : new Error(`tracecap thread ${i}: ${m.message}`));
        return;
    }
    this.#merge();
    // Every thread reads the whole capture, so each finds the same error at the same place:
    // it takes effect once everything before it is merged, i.e. when all threads have ended.
    // Past the record limit nothing more is read, as with one thread: no error then.
    const limited = this.#limit > 0 && this.#records >= this.#limit;
    if (this.#error === null && !limited && this.#lanes.every((l) => l.ended)) this.#error = this.#lanes.find((l) => l.error)?.error ?? null;
    this.#notify();
  }

  // A batch left in the thread's output window: read in place until merged.
  #window(lane: Lane, m: WindowMessage): void {
    if (m.memory) lane.memory = m.memory;
    const mem = lane.memory!;
    lane.queue.push({
      buffer: null, window: m.window, serials: new Float64Array(mem, m.marks, 2 * m.count), lengths: new Uint32Array(mem, m.marks, 4 * m.count),
      entries: this.#indexSink && m.entries >= 0 ? new Uint8Array(mem, m.entries, m.count * ENTRY_BYTES) : null,
      bytes: new Uint8Array(mem, m.bytes, m.length), count: m.count, at: 0, off: 0,
    });
    lane.next = Math.max(lane.next, m.next);
  }

  #fail(e: Error): void {
    this.#failure ??= e;
    this.#notify();
  }

  #check(): void { if (this.#failure) { this.close(); throw this.#failure; } }

  #notify(): void { const w = this.#wake; this.#wake = null; if (w) w(); }
  #wait(): Promise<void> { return new Promise<void>((r) => { this.#wake = r; }); }

  // Resolves once no thread is more than AHEAD_CHUNKS chunks behind (then the next input slot,
  // last used AHEAD_CHUNKS chunks ago, has been consumed by every thread too).
  async #room(): Promise<void> {
    while (this.#failure === null && !this.done && (this.#lanes.some((l) => !l.ended && l.inFlight >= AHEAD_CHUNKS) || (this.#inputs !== null && this.#slotUsers[this.#slot]! > 0))) await this.#wait();
    this.#check();
  }

  // ---- the merge ---------------------------------------------------------------------------

  // Sends out every record whose turn has come: the smallest waiting serial goes once each other
  // thread has a later record waiting or has read past it; a run from one thread goes up to the
  // next serial another thread could still hold.
  #merge(): void {
    const lanes = this.#lanes;
    for (;;) {
      if (this.#limit > 0 && this.#records >= this.#limit) break;
      let best = -1;
      let low = Infinity;
      for (let i = 0; i < lanes.length; i++) { const h = lanes[i]!.head(); if (h < low) { low = h; best = i; } }
      if (best < 0) break;
      let bound = Infinity;
      for (let i = 0; i < lanes.length; i++) {
        if (i === best) continue;
        const l = lanes[i]!;
        // A thread with nothing waiting writes nothing below `next` any more, and serial `next`
        // itself is its own packet's or someone else's: records up to it may go.
        bound = Math.min(bound, l.queue.length ? l.head() : l.next + 1);
      }
      if (bound <= low) break; // another thread may still hold an earlier record
      this.#run(lanes[best]!, bound);
    }
    this.#flush();
  }

  // Emits records of one lane with serials below `bound` (and within the limit).
  #run(lane: Lane, bound: number): void {
    while (lane.queue.length) {
      const b = lane.queue[0]!;
      const start = b.off;
      let at = b.at;
      let end = start;
      const room = this.#limit > 0 ? this.#limit - this.#records : Infinity;
      const last = Math.min(b.count, at + room);
      const serials = b.serials, lengths = b.lengths;
      while (at < last && serials[2 * at]! < bound) { end += lengths[4 * at + 2]!; at++; }
      this.#records += at - b.at;
      if (end > start) this.#emit(b.bytes.subarray(start, end), b.entries?.subarray(b.at * ENTRY_BYTES, at * ENTRY_BYTES) ?? null);
      b.at = at; b.off = end;
      if (at < b.count) return;
      lane.queue.shift();
      // Every byte of it has been written or gathered (copied): the thread may refill it.
      if (this.#views.length) this.#flush();
      if (b.buffer === null) { Atomics.store(lane.windows!, b.window, 1); Atomics.notify(lane.windows!, b.window); }
      else if (!this.#closed) this.#workers[this.#lanes.indexOf(lane)]!.post({ t: 'recycle', buffer: b.buffer }, [b.buffer]);
    }
  }

  // Index entries (setIndexSink) travel with their records' bytes, gathered the same way.
  #emit(bytes: Uint8Array, entries: Uint8Array | null): void {
    if (this.#vectorSink) {
      // Views of the batches, written by the sink in one go before any batch is released.
      this.#views.push(bytes);
      this.#viewBytes += bytes.length;
      if (this.#views.length >= 1024) this.#flush();
      return;
    }
    if (bytes.length >= GATHER_BYTES) { this.#flush(); this.#deliver(bytes, entries); return; }
    if (this.#gather === null) this.#gather = new Uint8Array(GATHER_BYTES * 4);
    if (this.#gathered + bytes.length > this.#gather.length) this.#flush();
    this.#gather.set(bytes, this.#gathered);
    this.#gathered += bytes.length;
    if (entries) {
      if (this.#entryGather.length < this.#entriesGathered + entries.length) {
        const grown = new Uint8Array(Math.max(this.#entryGather.length * 2, this.#entriesGathered + entries.length, 64 * ENTRY_BYTES));
        grown.set(this.#entryGather.subarray(0, this.#entriesGathered));
        this.#entryGather = grown;
      }
      this.#entryGather.set(entries, this.#entriesGathered);
      this.#entriesGathered += entries.length;
    }
  }

  #flush(): void {
    if (this.#views.length) {
      const views = this.#views, total = this.#viewBytes;
      this.#views = []; this.#viewBytes = 0;
      this.#vectorSink!(views, total);
      return;
    }
    if (this.#gathered === 0) return;
    const view = this.#gather!.subarray(0, this.#gathered);
    const entries = this.#indexSink ? this.#entryGather.subarray(0, this.#entriesGathered) : null;
    this.#gathered = 0;
    this.#entriesGathered = 0;
    this.#deliver(view, entries);
  }

  #deliver(bytes: Uint8Array, entries: Uint8Array | null): void {
    if (this.#indexSink && entries) this.#indexSink(entries, entries.length / ENTRY_BYTES);
    if (this.#sink) this.#sink(bytes); else this.#out.push(bytes.slice());
  }

  #pushed = false;
  #views: Uint8Array[] = [];
  #viewBytes = 0;
  #vectorSink: ((views: Uint8Array[], total: number) => void) | null = null;

  /**
   * Sends merged output to `sink` as lists of views into the threads' batches, in order (valid
   * only during the call), instead of copying records into one buffer: for a sink that writes
   * them with writev. Not with setIndexSink; overrides setSink.
   */
  setVectorSink(sink: ((views: Uint8Array[], total: number) => void) | null): void {
    if (sink && this.#indexSink) throw new Error('setVectorSink() does not go with setIndexSink()');
    this.#vectorSink = sink;
  }

  #entryGather = new Uint8Array(0);
  #entriesGathered = 0;
  #indexSink: ((entries: Uint8Array, count: number) => void) | null = null;

  /**
   * Turns on the record index (src/entry.ts), as Translator.setIndexSink: before each piece of
   * merged NDJSON is returned or sent to the sink, `sink` gets the entries of its records, in
   * order, as a view valid only during the call. Set it before the first chunk.
   */
  setIndexSink(sink: ((entries: Uint8Array, count: number) => void) | null): void {
    if (this.#pushed) throw new Error('setIndexSink() after the first chunk');
    this.#indexSink = sink;
    this.#workers.forEach((w) => w.post({ t: 'entries', on: sink !== null }));
  }

  #take(): Uint8Array {
    const parts = this.#out;
    this.#out = [];
    return concatBytes(parts);
  }
}

/**
 * Creates a parallel translator over threads the runtime starts: `start(i)` starts thread i
 * (running serveShard), `module` is the compiled core, threads 1 to 8. With `sharedModule`
 * (tracecap-shared.wasm, the same core with shared memory) and shared memory in the runtime,
 * the threads' batches are read where their core wrote them instead of being copied out. Resolves once every
 * thread is ready; a bad option rejects with a RangeError, as createTranslator() throws.
 */
export async function createParallelTranslator(start: (index: number) => ShardThread, module: WebAssembly.Module, threads: number, options: TranslatorOptions = {}, sharedModule: WebAssembly.Module | null = null): Promise<ParallelTranslator> {
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) throw new RangeError(`threads must be an integer from 1 to ${MAX_THREADS}`);
  const workers: ShardThread[] = [];
  try {
    for (let i = 0; i < threads; i++) workers.push(start(i));
  } catch (e) {
    for (const w of workers) w.terminate();
    throw e;
  }
  const translator = new ParallelTranslator(workers, module, options, sharedModule);
  try {
    await translator.ready();
  } catch (e) {
    translator.close();
    throw e;
  }
  return translator;
}

/** Most threads of a parallel run: the core's connection parts (assembly/config.ts CONN_PARTS). */
export const MAX_THREADS = 8;
