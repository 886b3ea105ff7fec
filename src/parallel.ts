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

import { CaptureError } from './errors.js';
import type { TranslatorOptions } from './translator.js';
import type { FromShard, ToShard } from './shard.js';
import { MARK_BYTES } from './translator.js';

/** Chunks a thread may be sent beyond the last one every thread has consumed. */
export const AHEAD_CHUNKS = 3;
/** Largest chunk sent to the threads at once: push() splits bigger ones. */
export const PARALLEL_CHUNK_BYTES = 512 << 10;
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
interface Batch { buffer: ArrayBuffer; bytes: Uint8Array; serials: Float64Array; lengths: Uint32Array; count: number; at: number; off: number }

class Lane {
  readonly queue: Batch[] = [];
  /** Every packet numbered below this has been handled by the thread. */
  next = 0;
  /** Chunks sent and not yet consumed. */
  inFlight = 0;
  packets = 0;
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
  constructor(workers: ShardThread[], module: WebAssembly.Module, options: TranslatorOptions) {
    this.threads = workers.length;
    this.#workers = workers;
    this.#limit = options.limit ?? 0;
    // The threads translate without the limit: it counts merged records, which only this side sees.
    const { limit: _limit, ...shardOptions } = options;
    void _limit;
    this.#lanes = workers.map(() => new Lane());
    workers.forEach((w, index) => {
      w.listen((m) => this.#message(index, m), (e) => this.#fail(e));
      w.post({ t: 'init', module, options: shardOptions, index, count: workers.length });
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
  /** Whether no more input is wanted: an error, or the record limit reached. */
  get done(): boolean { return this.#error !== null || (this.#limit > 0 && this.#records >= this.#limit); }

  /** Sends merged output to `sink` (views valid only during the call) instead of returning it. */
  setSink(sink: ((view: Uint8Array) => void) | null): void { this.#sink = sink; }

  /** Feeds the next chunk of the capture (any size); resolves with the NDJSON merged so far. */
  async push(chunk: Uint8Array): Promise<Uint8Array> {
    if (this.#finishing) throw new Error('push() after finish()');
    for (let off = 0; off < chunk.length && !this.done;) {
      const n = Math.min(PARALLEL_CHUNK_BYTES, chunk.length - off);
      await this.#room();
      if (this.done) break;
      const part = chunk.subarray(off, off + n);
      off += n;
      this.#lanes.forEach((lane, i) => {
        if (lane.ended) return;
        // Each thread gets its own copy, moved to it rather than cloned.
        const bytes = new Uint8Array(part); // a copy (Buffer's slice() would be a view)
        lane.inFlight++;
        this.#workers[i]!.post({ t: 'chunk', bytes }, [bytes.buffer]);
      });
    }
    this.#check();
    return this.#take();
  }

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
          lane.queue.push({
            buffer: m.buffer, serials: new Float64Array(m.buffer, 0, 2 * m.count), lengths: new Uint32Array(m.buffer, 0, 4 * m.count),
            bytes: new Uint8Array(m.buffer, m.count * MARK_BYTES, m.length), count: m.count, at: 0, off: 0,
          });
        }
        lane.next = Math.max(lane.next, m.next);
        break;
      case 'consumed':
        lane.inFlight--;
        lane.next = Math.max(lane.next, m.next);
        lane.packets = m.packets;
        break;
      case 'end':
        lane.ended = true;
        lane.next = Infinity;
        lane.packets = m.packets;
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

  #fail(e: Error): void {
    this.#failure ??= e;
    this.#notify();
  }

  #check(): void { if (this.#failure) { this.close(); throw this.#failure; } }

  #notify(): void { const w = this.#wake; this.#wake = null; if (w) w(); }
  #wait(): Promise<void> { return new Promise<void>((r) => { this.#wake = r; }); }

  // Resolves once no thread is more than AHEAD_CHUNKS chunks behind.
  async #room(): Promise<void> {
    while (this.#failure === null && !this.done && this.#lanes.some((l) => !l.ended && l.inFlight >= AHEAD_CHUNKS)) await this.#wait();
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
      b.at = at; b.off = end;
      if (end > start) this.#emit(b.bytes.subarray(start, end));
      if (at < b.count) return;
      lane.queue.shift();
      // Every byte of it has been written or gathered (copied): the thread may refill it.
      if (!this.#closed) this.#workers[this.#lanes.indexOf(lane)]!.post({ t: 'recycle', buffer: b.buffer }, [b.buffer]);
    }
  }

  #emit(bytes: Uint8Array): void {
    if (bytes.length >= GATHER_BYTES) { this.#flush(); this.#deliver(bytes); return; }
    if (this.#gather === null) this.#gather = new Uint8Array(GATHER_BYTES * 4);
    if (this.#gathered + bytes.length > this.#gather.length) this.#flush();
    this.#gather.set(bytes, this.#gathered);
    this.#gathered += bytes.length;
  }

  #flush(): void {
    if (this.#gathered === 0) return;
    const view = this.#gather!.subarray(0, this.#gathered);
    this.#gathered = 0;
    if (this.#sink) this.#sink(view); else this.#out.push(view.slice());
  }

  #deliver(bytes: Uint8Array): void { if (this.#sink) this.#sink(bytes); else this.#out.push(bytes.slice()); }

  #take(): Uint8Array {
    const parts = this.#out;
    this.#out = [];
    if (parts.length === 0) return new Uint8Array(0);
    if (parts.length === 1) return parts[0]!;
    let n = 0;
    for (const p of parts) n += p.length;
    const all = new Uint8Array(n);
    n = 0;
    for (const p of parts) { all.set(p, n); n += p.length; }
    return all;
  }
}

/**
 * Creates a parallel translator over threads the runtime starts: `start(i)` starts thread i
 * (running serveShard), `module` is the compiled core, threads 1 to 8. Resolves once every
 * thread is ready; a bad option rejects with a RangeError, as createTranslator() throws.
 */
export async function createParallelTranslator(start: (index: number) => ShardThread, module: WebAssembly.Module, threads: number, options: TranslatorOptions = {}): Promise<ParallelTranslator> {
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) throw new RangeError(`threads must be an integer from 1 to ${MAX_THREADS}`);
  const workers: ShardThread[] = [];
  try {
    for (let i = 0; i < threads; i++) workers.push(start(i));
  } catch (e) {
    for (const w of workers) w.terminate();
    throw e;
  }
  const translator = new ParallelTranslator(workers, module, options);
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
