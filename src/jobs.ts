// Jobs split by connection part over a queue (runtimes/workers/edge/jobs.ts runs them on
// Cloudflare Queues and R2), runtime-agnostic: the storage is injected as read/put functions.
//
// A job of n shards is n independent runs of the same capture, one per shard k, each with
// Translator.setShard(k, n): every shard reads the whole capture (so serials, pcapng
// interfaces, the clock and any damage are found alike) and writes only its own records, as a
// thread of src/parallel.ts does. A shard stores its records in parts of bounded size, each
// with a marks object (MARK_BYTES per record, as the core writes them: f64 serial, u32
// length), and reports each part's first and last serial. Merging the shards' parts strictly
// by serial gives exactly one translator's bytes, for any n, and a serial to resume from is
// found in the parts' ranges and then in one marks object.
//
// A capture larger than one consumer can read within its limits is cut into segments of
// bytes, read one after another by each shard: at a segment's end the shard stores its core's
// checkpoint (Translator.checkpoint(): the core's memory and globals) and the next segment
// resumes it in a new invocation, so a segment boundary may fall anywhere, even inside a
// record, and the records are the same bytes as one run's. Each segment's parts are listed in
// a small object of their own (segmentKey), so nothing a shard or the merge holds grows with the
// capture but the list of segments.

import { CaptureError } from './errors.js';
import { MARK_BYTES, createTranslator, type Checkpoint, type CoreSource, type TranslatorOptions } from './translator.js';
import { MAX_THREADS } from './parallel.js';

/** Most shards of a job: the core's connection parts, as for threads. */
export const MAX_JOB_SHARDS = MAX_THREADS;

/** Captures below this size get one shard when the job does not say how many (as the CLI's --threads auto). */
export const AUTO_SHARD_MIN_BYTES = 4 << 20;

/** Capture bytes handed to the translator at once by a shard (its records are written out between two). */
export const PUSH_BYTES = 64 << 10;

/** One stored part of a shard's records: its serial range, record count and bytes. */
export interface RecordsPart { first: number; last: number; count: number; bytes: number }

/** A capture error as it is stored (CaptureError's fields). */
export interface StoredCaptureError { code: number; reason: string; offset: number; packets: number }

/**
 * What one run of runShard() reports: one segment of one shard. Its parts are numbered from
 * firstPart (partKey) and listed in the segment's object (segmentKey); `ended` when the shard
 * has no further segment to run (the capture's last, or a capture error in this one).
 */
export interface SegmentResult {
  shard: number; segment: number; firstPart: number; packets: number; records: number; parts: RecordsPart[];
  error: StoredCaptureError | null; ended: boolean;
}

/** A segment as the merge needs it: where its parts are numbered from, how many, its records and serial range (-1 without records). */
export interface SegmentSummary { firstPart: number; parts: number; records: number; first: number; last: number }

/** What a finished shard reports to the merge: its segments in order, the packets it read, its records, a capture error. */
export interface ShardResult { shard: number; packets: number; records: number; segments: SegmentSummary[]; error: StoredCaptureError | null }

/** Where a shard's part lives: `jobs/ID/shard-K/00001.ndjson` and its marks `…/00001.marks` (part counted from 1). */
export function partKey(job: string, shard: number, part: number, kind: 'ndjson' | 'marks'): string {
  return `jobs/${job}/shard-${shard}/${String(part + 1).padStart(5, '0')}.${kind}`;
}

/** Where a segment's list of parts lives: `jobs/ID/shard-K/segment-00001.json` (segment counted from 1). */
export function segmentKey(job: string, shard: number, segment: number): string {
  return `jobs/${job}/shard-${shard}/segment-${String(segment + 1).padStart(5, '0')}.json`;
}

/** Where the checkpoint a shard leaves at the end of a segment lives: `jobs/ID/shard-K/checkpoint-00001.state` and `.memory`. */
export function checkpointKey(job: string, shard: number, segment: number, kind: 'state' | 'memory'): string {
  return `jobs/${job}/shard-${shard}/checkpoint-${String(segment + 1).padStart(5, '0')}.${kind}`;
}

/** Where a finished shard's result with its list of segments lives: `jobs/ID/shard-K/parts.json`. */
export function manifestKey(job: string, shard: number): string { return `jobs/${job}/shard-${shard}/parts.json`; }

/** The summary of a segment's result, for its shard's ShardResult. */
export function summarize(r: SegmentResult): SegmentSummary {
  return { firstPart: r.firstPart, parts: r.parts.length, records: r.records, first: r.parts[0]?.first ?? -1, last: r.parts.at(-1)?.last ?? -1 };
}

/** A shard's result from its segments' results in order (the last one has the packets and any error). */
export function shardResult(segments: readonly SegmentResult[]): ShardResult {
  const last = segments.at(-1)!;
  return {
    shard: last.shard, packets: last.packets, records: segments.reduce((n, r) => n + r.records, 0),
    segments: segments.map(summarize), error: last.error,
  };
}

/** The number of segments of a capture of `size` bytes cut every `segmentBytes` (at least one). */
export function planSegments(size: number, segmentBytes: number): number {
  return Math.max(1, Math.ceil(size / segmentBytes));
}

/** The prefix under which every object of a job lives. */
export function jobPrefix(job: string): string { return `jobs/${job}/`; }

/**
 * The number of shards for a job: `requested` when given (an integer from 1 to
 * MAX_JOB_SHARDS, else a RangeError), otherwise 1 under AUTO_SHARD_MIN_BYTES and
 * MAX_JOB_SHARDS from there.
 */
export function planShards(requested: unknown, captureBytes: number): number {
  if (requested === undefined) return captureBytes < AUTO_SHARD_MIN_BYTES ? 1 : MAX_JOB_SHARDS;
  if (typeof requested !== 'number' || !Number.isInteger(requested) || requested < 1 || requested > MAX_JOB_SHARDS) {
    throw new RangeError(`shards must be an integer from 1 to ${MAX_JOB_SHARDS}, not ${JSON.stringify(requested)}`);
  }
  return requested;
}

/** Whether the first bytes are a capture's: a pcap magic (either byte order, µs or ns) or a pcapng Section Header Block. */
export function looksLikeCapture(head: Uint8Array): boolean {
  if (head.length < 4) return false;
  const m = ((head[0]! << 24) | (head[1]! << 16) | (head[2]! << 8) | head[3]!) >>> 0;
  return m === 0xa1b2c3d4 || m === 0xd4c3b2a1 || m === 0xa1b23c4d || m === 0x4d3cb2a1 || m === 0x0a0d0d0a;
}

/** The storage a shard uses: ranged reads of its capture, writes of whole objects, and its checkpoints. */
export interface ShardIo {
  /** Bytes [offset, offset + length) of the capture (fewer only at its end). */
  read(offset: number, length: number): Promise<Uint8Array>;
  put(key: string, bytes: Uint8Array): Promise<void>;
  /**
   * A segment after the first: loads the previous segment's checkpoint, calling `restore` with
   * its state and filling the view it returns with its memory bytes.
   */
  resume?(restore: (state: Uint8Array) => Uint8Array): Promise<void>;
  /** A segment before the last: stores its checkpoint (the memory view is valid until the promise settles). */
  save?(checkpoint: Checkpoint): Promise<void>;
}

/** What a shard is and how it reads and writes. */
export interface ShardPlan {
  job: string;
  shard: number;
  shards: number;
  /** The capture's size in bytes. */
  size: number;
  options: TranslatorOptions;
  /** Capture bytes read at once (two reads are in memory: one translated, the next arriving). */
  chunkBytes: number;
  /** Largest records part; a record longer than this gets a part of its own. */
  partBytes: number;
  /** The segment this run reads (default: the whole capture as segment 0 of 1). */
  segment?: { index: number; count: number; start: number; end: number; firstPart: number };
}

/**
 * Runs shard `plan.shard` of `plan.shards` over one segment of the capture (by default all of
 * it), reading it in chunks of chunkBytes (the next read overlaps the translation of this one)
 * and writing its records in parts of at most partBytes with their marks, then the segment's
 * list of parts. A segment after the first resumes the previous one's checkpoint; one before
 * the last stores its own. Memory: the core, two chunks and about one part plus one chunk's
 * records. The limit option does not apply here: the merge counts records.
 */
export async function runShard(core: CoreSource, plan: ShardPlan, io: ShardIo): Promise<SegmentResult> {
  const { limit: _limit, ...options } = plan.options;
  void _limit;
  const seg = plan.segment ?? { index: 0, count: 1, start: 0, end: plan.size, firstPart: 0 };
  const t = await createTranslator(core, options);
  if (seg.index === 0) t.setShard(plan.shard, plan.shards);
  else {
    // The checkpoint carries the shard, the options' effects and everything read before.
    if (!io.resume) throw new Error(`segment ${seg.index + 1} of shard ${plan.shard} needs the previous segment's checkpoint`);
    await io.resume((state) => t.restore(state));
  }
  const out = new PartWriter(plan, io, seg.firstPart);
  t.setMarkSink((marks, count) => out.marks(marks, count));
  t.setSink((view) => out.bytes(view));
  let offset = seg.start;
  let next: Promise<Uint8Array> | null = seg.end > offset ? io.read(offset, Math.min(plan.chunkBytes, seg.end - offset)) : null;
  while (next !== null) {
    const chunk = await next;
    if (chunk.length === 0) throw new Error(`capture read at byte ${offset} returned nothing (${plan.size} bytes expected)`);
    offset += chunk.length;
    next = offset < seg.end ? io.read(offset, Math.min(plan.chunkBytes, seg.end - offset)) : null;
    // In slices, each one's records written out before the next: DEBUG records run to about 13
    // times the capture's bytes, so a whole chunk's records would be most of a shard's memory.
    for (let at = 0; at < chunk.length && !t.error; at += PUSH_BYTES) {
      t.push(chunk.subarray(at, at + PUSH_BYTES));
      await out.flush(false);
    }
    if (t.error) break;
  }
  if (next) await next.catch(() => {});
  const last = seg.index === seg.count - 1;
  if (last) t.finish();
  await out.flush(true);
  const e = t.error;
  const ended = last || e !== null;
  if (!ended) {
    if (!io.save) throw new Error(`segment ${seg.index + 1} of ${seg.count} of shard ${plan.shard} needs somewhere to store its checkpoint`);
    await io.save(t.checkpoint());
  }
  await io.put(segmentKey(plan.job, plan.shard, seg.index), new TextEncoder().encode(JSON.stringify(out.parts)));
  return {
    shard: plan.shard, segment: seg.index, firstPart: seg.firstPart, packets: t.packets, records: out.records, parts: out.parts,
    error: e ? { code: e.code, reason: e.reason, offset: e.offset, packets: e.packets } : null, ended,
  };
}

/** Growable byte buffer that keeps what is left after a part is cut at its front. */
class Bytes {
  buf = new Uint8Array(1 << 16);
  len = 0;
  append(view: Uint8Array): void {
    if (this.len + view.length > this.buf.length) {
      const grown = new Uint8Array(Math.max(this.buf.length * 2, this.len + view.length));
      grown.set(this.buf.subarray(0, this.len));
      this.buf = grown;
    }
    this.buf.set(view, this.len);
    this.len += view.length;
  }
  /** Removes the first n bytes (a view of them taken before is then overwritten). */
  drop(n: number): void {
    this.buf.copyWithin(0, n, this.len);
    this.len -= n;
  }
}

// Gathers one shard's records and marks and writes them as parts, each cut at a record boundary.
class PartWriter {
  readonly parts: RecordsPart[] = [];
  records = 0;
  readonly #plan: ShardPlan;
  readonly #io: ShardIo;
  readonly #bytes = new Bytes();
  readonly #marks = new Bytes();
  #pendingMarks = 0;
  readonly #firstPart: number;
  constructor(plan: ShardPlan, io: ShardIo, firstPart: number) { this.#plan = plan; this.#io = io; this.#firstPart = firstPart; }

  marks(view: Uint8Array, count: number): void { this.#marks.append(view.subarray(0, count * MARK_BYTES)); this.#pendingMarks += count; }
  bytes(view: Uint8Array): void { this.#bytes.append(view); }

  /** Writes every full part (and, at the end, the rest). */
  async flush(end: boolean): Promise<void> {
    while (this.#pendingMarks > 0 && (end || this.#bytes.len >= this.#plan.partBytes)) {
      const marks = this.#marks.buf;
      const dv = new DataView(marks.buffer, marks.byteOffset);
      let n = 0, size = 0;
      while (n < this.#pendingMarks) {
        const len = dv.getUint32(n * MARK_BYTES + 8, true);
        if (n > 0 && size + len > this.#plan.partBytes) break;
        size += len; n++;
      }
      const first = dv.getFloat64(0, true);
      const last = dv.getFloat64((n - 1) * MARK_BYTES, true);
      const part = this.#firstPart + this.parts.length;
      // Written from views of the buffers (no copy): nothing else touches them until both puts end.
      await this.#io.put(partKey(this.#plan.job, this.#plan.shard, part, 'ndjson'), this.#bytes.buf.subarray(0, size));
      await this.#io.put(partKey(this.#plan.job, this.#plan.shard, part, 'marks'), this.#marks.buf.subarray(0, n * MARK_BYTES));
      this.#bytes.drop(size);
      this.#marks.drop(n * MARK_BYTES);
      this.#pendingMarks -= n;
      this.parts.push({ first, last, count: n, bytes: size });
      this.records += n;
    }
  }
}

/** The storage the merge reads: byte ranges of stored objects (length −1: to the object's end). */
export interface MergeIo {
  read(key: string, offset: number, length: number): Promise<Uint8Array>;
}

/** How to merge: from which serial, how many records in all (0: all), read and output sizes. */
export interface MergeOptions {
  /** Start at the first record whose serial (pcap.num) is at least this. */
  from?: number;
  /** Stop after this many records counted from the first of the whole output, as the CLI's -c. */
  limit?: number;
  /** Bytes of a part read at once per shard (a longer record is read whole). */
  windowBytes: number;
  /** Records are gathered into pieces of about this size before they go out. */
  outBytes: number;
}

// One shard's position in the merge: its segment (whose list of parts is read when the merge
// enters it), the part, its marks, a window of its record bytes.
class Cursor {
  #segment = -1;
  #parts: RecordsPart[] = [];
  /** Index of the current part in #parts; its partKey number is the segment's firstPart plus it. */
  #part = -1;
  #serials = new Float64Array(0);
  #lengths = new Uint32Array(0);
  #count = 0;
  /** Index of the next record in the part, and its byte offset in the part. */
  at = 0;
  off = 0;
  #window: Uint8Array = new Uint8Array(0);
  #windowAt = 0;
  constructor(readonly job: string, readonly result: ShardResult, readonly io: MergeIo, readonly windowBytes: number) {}

  /** Serial of the next record, Infinity at the end. */
  head(): number { return this.at < this.#count ? this.#serials[2 * this.at]! : Infinity; }
  length(): number { return this.#lengths[4 * this.at + 2]!; }

  /** Goes to the first record at or after serial `from`; returns the records of the shard before it. */
  async seek(from: number): Promise<number> {
    const segments = this.result.segments;
    let s = 0, before = 0;
    while (s < segments.length && (segments[s]!.records === 0 || segments[s]!.last < from)) { before += segments[s]!.records; s++; }
    await this.#enter(s);
    let p = 0;
    while (p < this.#parts.length && this.#parts[p]!.last < from) { before += this.#parts[p]!.count; p++; }
    await this.#load(p);
    let i = 0, off = 0;
    while (i < this.#count && this.#serials[2 * i]! < from) { off += this.#lengths[4 * i + 2]!; i++; }
    this.at = i; this.off = off;
    return before + i;
  }

  /** Reads segment s's list of parts (none past the last segment). */
  async #enter(s: number): Promise<void> {
    this.#segment = s;
    const summary = this.result.segments[s];
    this.#parts = [];
    if (!summary || summary.parts === 0) return;
    const key = segmentKey(this.job, this.result.shard, s);
    const bytes = await this.io.read(key, 0, -1);
    this.#parts = JSON.parse(new TextDecoder().decode(bytes)) as RecordsPart[];
    if (this.#parts.length !== summary.parts) throw new Error(`${key} lists ${this.#parts.length} parts, ${summary.parts} expected`);
  }

  /** Goes to part p of the current segment at its first record; past its last part, to the next segment with records. */
  async #load(p: number): Promise<void> {
    while (p >= this.#parts.length && this.#segment < this.result.segments.length) { await this.#enter(this.#segment + 1); p = 0; }
    this.#part = p;
    this.at = 0; this.off = 0;
    this.#window = new Uint8Array(0); this.#windowAt = 0;
    const part = this.#parts[p];
    if (!part) { this.#count = 0; return; }
    const bytes = await this.io.read(this.#key('marks'), 0, part.count * MARK_BYTES);
    if (bytes.length !== part.count * MARK_BYTES) throw new Error(`records marks of shard ${this.result.shard} part ${this.#number() + 1}: ${bytes.length} bytes, ${part.count * MARK_BYTES} expected`);
    // Aligned copies (a read's bytes may sit at any offset).
    const aligned = new ArrayBuffer(bytes.length);
    new Uint8Array(aligned).set(bytes);
    this.#serials = new Float64Array(aligned);
    this.#lengths = new Uint32Array(aligned);
    this.#count = part.count;
  }

  #number(): number { return this.result.segments[this.#segment]!.firstPart + this.#part; }
  #key(kind: 'ndjson' | 'marks'): string { return partKey(this.job, this.result.shard, this.#number(), kind); }

  /** Bytes of records [at, at + n) of the current part, reading more of it when needed (n ≥ 1). */
  async take(n: number, size: number): Promise<Uint8Array> {
    const start = this.off - this.#windowAt;
    if (start < 0 || start + size > this.#window.length) {
      const part = this.#parts[this.#part]!;
      const length = Math.min(Math.max(this.windowBytes, size), part.bytes - this.off);
      this.#window = await this.io.read(this.#key('ndjson'), this.off, length);
      this.#windowAt = this.off;
      if (this.#window.length < size) throw new Error(`records of shard ${this.result.shard} part ${this.#number() + 1} end before byte ${this.off + size}`);
    }
    const s = this.off - this.#windowAt;
    const view = this.#window.subarray(s, s + size);
    this.at += n; this.off += size;
    if (this.at >= this.#count) await this.#load(this.#part + 1);
    return view;
  }

  /** Records of the current part from `at` with serials below `bound`, at most `max`, that fit one window (at least one): their count and bytes. */
  run(bound: number, max: number): [number, number] {
    let n = 0, size = 0;
    for (let i = this.at; i < this.#count && n < max; i++) {
      if (this.#serials[2 * i]! >= bound) break;
      const len = this.#lengths[4 * i + 2]!;
      if (n > 0 && size + len > this.windowBytes) break;
      size += len; n++;
    }
    return [n, size];
  }
}

/**
 * The shards' records merged by serial as one stream of NDJSON: one translator's bytes for the
 * capture, from the first record at or after `from`, up to `limit` records of the whole output.
 * Reads each shard's parts in windows (never a part whole), so memory is about one window and
 * one marks object per shard plus one output piece.
 */
export function mergeRecords(job: string, results: readonly ShardResult[], io: MergeIo, options: MergeOptions): ReadableStream<Uint8Array> {
  const from = options.from ?? 0;
  const limit = options.limit ?? 0;
  let cursors: Cursor[] | null = null;
  let left = Infinity;
  let gather = new Uint8Array(options.outBytes);
  let gathered = 0;

  async function start(): Promise<Cursor[]> {
    const cs = [...results].sort((a, b) => a.shard - b.shard).map((r) => new Cursor(job, r, io, options.windowBytes));
    let before = 0;
    for (const c of cs) before += await c.seek(from);
    if (limit > 0) left = Math.max(0, limit - before);
    return cs;
  }

  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      cursors ??= await start();
      const cs = cursors;
      while (left > 0) {
        let best: Cursor | null = null, low = Infinity, bound = Infinity;
        for (const c of cs) {
          const h = c.head();
          if (h < low) { bound = low; low = h; best = c; } else if (h < bound) bound = h;
        }
        if (best === null) break;
        const [n, size] = best.run(bound, left);
        const bytes = await best.take(n, size);
        left -= n;
        if (gathered + bytes.length > gather.length) {
          if (gathered > 0) { controller.enqueue(gather.slice(0, gathered)); gathered = 0; }
          if (bytes.length >= gather.length) { controller.enqueue(bytes.slice()); return; }
        }
        gather.set(bytes, gathered);
        gathered += bytes.length;
        if (gathered >= gather.length / 2) { controller.enqueue(gather.slice(0, gathered)); gathered = 0; return; }
      }
      if (gathered > 0) controller.enqueue(gather.slice(0, gathered));
      gathered = 0;
      gather = new Uint8Array(0);
      controller.close();
    },
  }, { highWaterMark: 0 });
}

/** The capture error of a job's shards (every shard reads the whole capture, so they agree), as a CaptureError. */
export function jobCaptureError(results: readonly ShardResult[]): CaptureError | null {
  const e = results.find((r) => r.error)?.error;
  return e ? new CaptureError(e.code, e.reason, e.offset, e.packets) : null;
}
