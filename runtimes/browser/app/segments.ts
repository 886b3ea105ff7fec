/**
 * The app's per-packet index, in segments of SEGMENT_PACKETS packets: typed columns (time,
 * file offset, lengths, addresses, ports, flags, flow, trace, HTTP status and method, the
 * connection part) and the packets' message texts. A sealed segment is one buffer, kept in the
 * Origin Private File System (one file, written and read with a synchronous access handle) and
 * read back into a small cache of segments; without OPFS, or once its quota is reached, segments
 * stay in memory up to MEMORY_SEGMENT_BYTES, and past that loading stops and says what it kept.
 * So the worker's memory does not grow with the capture: what grows is on disk.
 *
 * The records themselves are not kept: a record is rendered again from the capture when it is
 * needed (render.ts), which costs a fraction of translating the capture, where keeping them cost
 * 12 times the capture's bytes of storage and most of the load time.
 */

/** Packets per segment (a power of two: a position splits into segment and index by shifts). */
export const SEGMENT_SHIFT = 16;
export const SEGMENT_PACKETS = 1 << SEGMENT_SHIFT;
/**
 * Sealed segments read back and kept at once (LRU), about 14 MB each on HTTP traffic. A filter
 * scans them in order (a cache never helps it); the tables read around one position, which two
 * or three segments cover: more only costs memory.
 */
export const CACHED_SEGMENTS = 3;
/** Most bytes of sealed segments kept in memory when OPFS is unavailable or full. */
export const MEMORY_SEGMENT_BYTES = 160 << 20;

/** HTTP method numbers of the `method` column (0: none; OTHER: a method not listed, see extras). */
export const METHODS = ['', 'GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH', 'CONNECT', 'TRACE'] as const;
/** `method` value of a method not in METHODS (its text is in the segment's extras). */
export const OTHER_METHOD = 0xff;

/**
 * Values a packet has more than one of (an HTTP/2 packet carries frames of many streams), or
 * text that has no column: kept per segment, by index within it.
 */
export interface Extra {
  codes?: number[]; methods?: string[]; traces?: number[];
  /** TLS: the ClientHello's server name, the ALPN protocol (connfacts.ts). */
  sni?: string; alpn?: string;
  /** DNS answers of the packet: [name, address] (connfacts.ts MAX_DNS_ANSWERS_PER_PACKET at most). */
  dns?: Array<[string, string]>;
}

// Column order and types of a segment buffer (8-byte columns first: every column stays aligned).
const COLUMNS = [
  ['time', Float64Array], ['fileOff', Float64Array],
  ['capLen', Uint32Array], ['origLen', Uint32Array], ['src', Uint32Array], ['dst', Uint32Array],
  ['flowLo', Uint32Array], ['flowHi', Uint32Array], ['trace', Uint32Array], ['msgEnd', Uint32Array],
  ['code', Uint16Array], ['sport', Uint16Array], ['dport', Uint16Array], ['file', Uint16Array],
  ['proto', Uint8Array], ['flags', Uint8Array], ['error', Uint8Array], ['cls', Uint8Array], ['part', Uint8Array], ['method', Uint8Array],
  ['analysis', Uint8Array],
] as const;
type ColumnName = typeof COLUMNS[number][0];
/** The typed columns of a segment (COLUMNS, by name). */
interface Columns {
  time: Float64Array; fileOff: Float64Array;
  capLen: Uint32Array; origLen: Uint32Array; src: Uint32Array; dst: Uint32Array;
  flowLo: Uint32Array; flowHi: Uint32Array; trace: Uint32Array; msgEnd: Uint32Array;
  code: Uint16Array; sport: Uint16Array; dport: Uint16Array;
  /** The packet's file plus one in a capture of several files (0: one file). */
  file: Uint16Array;
  proto: Uint8Array; flags: Uint8Array; error: Uint8Array; cls: Uint8Array; part: Uint8Array; method: Uint8Array;
  /** TCP analysis bits (connfacts.ts RETRANSMISSION). */
  analysis: Uint8Array;
}

const HEADER = 16; // u32 magic, u32 packets, u32 message bytes, u32 extras bytes
const MAGIC = 0x54435347; // "TCSG"
const pad8 = (n: number) => (n + 7) & ~7;

/** One segment's columns, message texts and extras: being filled (SegmentBuilder) or read back. */
export interface Segment extends Columns {
  /** Packets in it. */
  readonly n: number;
  /** Message texts, JSON-escaped as in the records; packet i's is [msgEnd[i-1], msgEnd[i]). */
  readonly msg: Uint8Array;
  readonly extras: ReadonlyMap<number, Extra>;
}

/** The message bytes of packet i of a segment (JSON-escaped). */
export function messageBytes(s: Segment, i: number): Uint8Array {
  return s.msg.subarray(i === 0 ? 0 : s.msgEnd[i - 1]!, s.msgEnd[i]!);
}

/** The segment being filled: full-size columns, a growing message arena. */
export class SegmentBuilder implements Segment {
  n = 0;
  msg = new Uint8Array(1 << 20);
  msgBytes = 0;
  extras = new Map<number, Extra>();
  declare time: Float64Array; declare fileOff: Float64Array;
  declare capLen: Uint32Array; declare origLen: Uint32Array; declare src: Uint32Array; declare dst: Uint32Array;
  declare flowLo: Uint32Array; declare flowHi: Uint32Array; declare trace: Uint32Array; declare msgEnd: Uint32Array;
  declare code: Uint16Array; declare sport: Uint16Array; declare dport: Uint16Array; declare file: Uint16Array;
  declare proto: Uint8Array; declare flags: Uint8Array; declare error: Uint8Array; declare cls: Uint8Array; declare part: Uint8Array; declare method: Uint8Array;
  declare analysis: Uint8Array;
  constructor() {
    for (const [name, T] of COLUMNS) (this as unknown as Record<ColumnName, unknown>)[name] = new T(SEGMENT_PACKETS);
  }
  /** Whether it holds SEGMENT_PACKETS packets. */
  get full(): boolean { return this.n === SEGMENT_PACKETS; }
  /** Appends a message text for the packet being added (index n). */
  addMessage(src: Uint8Array, off: number, len: number): void {
    if (this.msgBytes + len > this.msg.length) {
      const m = new Uint8Array(Math.max(this.msg.length * 2, this.msgBytes + len));
      m.set(this.msg.subarray(0, this.msgBytes)); this.msg = m;
    }
    this.msg.set(src.subarray(off, off + len), this.msgBytes);
    this.msgBytes += len;
  }
  /** The extras of packet i, created when first asked. */
  extra(i: number): Extra { let e = this.extras.get(i); if (!e) { e = {}; this.extras.set(i, e); } return e; }
  /** The segment as one buffer (its columns cut to n packets). */
  seal(): Uint8Array {
    const n = this.n;
    const extras = new TextEncoder().encode(this.extras.size ? JSON.stringify([...this.extras]) : '');
    let size = HEADER;
    for (const [, T] of COLUMNS) size += pad8(n * T.BYTES_PER_ELEMENT);
    size += pad8(this.msgBytes) + extras.length;
    const out = new Uint8Array(size);
    const v = new DataView(out.buffer);
    v.setUint32(0, MAGIC, true); v.setUint32(4, n, true); v.setUint32(8, this.msgBytes, true); v.setUint32(12, extras.length, true);
    let at = HEADER;
    for (const [name, T] of COLUMNS) {
      const col = (this as unknown as Columns)[name];
      out.set(new Uint8Array(col.buffer, 0, n * T.BYTES_PER_ELEMENT), at);
      at += pad8(n * T.BYTES_PER_ELEMENT);
    }
    out.set(this.msg.subarray(0, this.msgBytes), at);
    at += pad8(this.msgBytes);
    out.set(extras, at);
    return out;
  }
  /** Bytes it holds: its full-size columns and its message arena (for the memory account). */
  get bytes(): number {
    let b = this.msg.byteLength;
    for (const [name] of COLUMNS) b += (this as unknown as Columns)[name].byteLength;
    return b;
  }
  /** This builder's filled part as a Segment (views, no copy): the packets added so far. */
  get msgView(): Uint8Array { return this.msg.subarray(0, this.msgBytes); }
}

/** A sealed segment read back: views over its buffer. */
export function openSegment(buf: Uint8Array): Segment {
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (v.getUint32(0, true) !== MAGIC) throw new Error('a stored segment of the index is damaged (the browser\'s storage gave back other bytes)');
  const n = v.getUint32(4, true), msgBytes = v.getUint32(8, true), extrasBytes = v.getUint32(12, true);
  const seg: Record<string, unknown> = { n };
  let at = buf.byteOffset + HEADER;
  for (const [name, T] of COLUMNS) {
    seg[name] = new T(buf.buffer as ArrayBuffer, at, n);
    at += pad8(n * T.BYTES_PER_ELEMENT);
  }
  seg.msg = new Uint8Array(buf.buffer, at, msgBytes);
  at += pad8(msgBytes);
  const extras = new Map<number, Extra>();
  if (extrasBytes) for (const [k, e] of JSON.parse(new TextDecoder().decode(new Uint8Array(buf.buffer, at, extrasBytes))) as Array<[number, Extra]>) extras.set(k, e);
  seg.extras = extras;
  return seg as unknown as Segment;
}

// ---- where sealed segments go -------------------------------------------------------------------

// The parts of the File System Access API a worker uses (not in TypeScript's DOM library).
interface SyncHandle {
  write(buffer: ArrayBufferView, options?: { at?: number }): number;
  read(buffer: ArrayBufferView, options?: { at?: number }): number;
  flush(): void;
  close(): void;
  truncate(size: number): void;
  getSize(): number;
}
interface OpfsFile { createSyncAccessHandle(): Promise<SyncHandle>; getFile(): Promise<File> }
interface OpfsDir {
  getFileHandle(name: string, o?: { create?: boolean }): Promise<OpfsFile>;
  removeEntry(name: string): Promise<void>;
  entries?(): AsyncIterableIterator<[string, unknown]>;
}

const PREFIX = 'tracecap-index-';
/** Bytes per OPFS file: Chromium's in-memory OPFS (private windows) reads nothing past 2 GiB of one file. */
export const FILE_BYTES = 1 << 30;

/** Sealed segments: in OPFS files while they take them, then in memory up to a budget. */
export class SegmentStore {
  /** Where segment i is: [file, offset, length] or a buffer in memory. */
  readonly #where: Array<{ file: number; at: number; len: number } | Uint8Array> = [];
  readonly #files: Array<{ name: string; handle: SyncHandle }> = [];
  #fileAt = 0;
  #dir: OpfsDir | null = null;
  #base = '';
  /** Bytes of segments in memory. */
  #memory = 0;
  /** Why OPFS is not (or no longer) used, for the page; null while it takes every segment. */
  #fellBack: string | null = null;
  readonly #cache = new Map<number, Segment>();
  /** Buffer bytes of each cached segment (for the memory account). */
  readonly #cacheBytes = new Map<number, number>();
  #full = false;

  private constructor(readonly memoryLimit: number) {}

  /** A store in OPFS when the browser offers it (with sync access handles, in a worker), else memory. */
  static async open(memoryLimit = MEMORY_SEGMENT_BYTES): Promise<SegmentStore> {
    const s = new SegmentStore(memoryLimit);
    const storage = (globalThis.navigator as unknown as { storage?: { getDirectory?: () => Promise<OpfsDir> } } | undefined)?.storage;
    try {
      if (!storage?.getDirectory) throw new Error('this browser offers no Origin Private File System');
      const dir = await storage.getDirectory();
      await sweep(dir);
      s.#dir = dir;
      s.#base = `${PREFIX}${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
      await s.#newFile();
    } catch (err) {
      s.#fellBack = `the browser's storage cannot be used here (${err instanceof Error ? err.message : String(err)})`;
      s.#dir = null;
    }
    return s;
  }

  /** Where segments are kept: 'opfs' while every one so far went there. */
  get kind(): 'opfs' | 'memory' { return this.#fellBack === null ? 'opfs' : 'memory'; }
  /** Why segments (also) went to memory, or null. */
  get fellBack(): string | null { return this.#fellBack; }
  /** Segments stored. */
  get count(): number { return this.#where.length; }
  /** Bytes of segments kept in memory. */
  get memoryBytes(): number { return this.#memory; }
  /** Bytes of segments read back and cached (CACHED_SEGMENTS at most). */
  get cachedBytes(): number { let b = 0; for (const n of this.#cacheBytes.values()) b += n; return b; }
  /** Whether the memory budget is used up (no further segment can be stored). */
  get full(): boolean { return this.#full; }

  /**
   * Makes room for a segment of up to `bytes` (a new OPFS file when the current one would pass
   * FILE_BYTES); await it before put(). False when none can be had (the page is told why).
   */
  async prepare(bytes: number): Promise<void> {
    if (this.#dir === null || this.#fellBack !== null) return;
    if (this.#fileAt + bytes > FILE_BYTES) {
      try { await this.#newFile(); } catch (err) { this.#fallBack(err); }
    }
  }

  /**
   * Stores the next sealed segment; false when it could not be (the memory budget is reached:
   * loading stops there).
   */
  put(buf: Uint8Array): boolean {
    if (this.#fellBack === null && this.#files.length) {
      const f = this.#files[this.#files.length - 1]!;
      if (this.#fileAt + buf.length <= FILE_BYTES) {
        try {
          let done = 0;
          while (done < buf.length) {
            const n = f.handle.write(buf.subarray(done), { at: this.#fileAt + done });
            // Chromium 156 past the quota writes what fits and returns an error code as a huge
            // count (4294967288) instead of throwing: a count beyond the request, or a file
            // shorter than written, is the quota too.
            if (n <= 0 || n > buf.length - done) throw new DOMException(`the browser wrote ${n > buf.length - done ? 'part' : 'nothing'} of ${buf.length} bytes`, 'QuotaExceededError');
            done += n;
          }
          if (f.handle.getSize() < this.#fileAt + buf.length) throw new DOMException(`the browser kept ${f.handle.getSize() - this.#fileAt} of ${buf.length} bytes`, 'QuotaExceededError');
          this.#where.push({ file: this.#files.length - 1, at: this.#fileAt, len: buf.length });
          this.#fileAt += buf.length;
          return true;
        } catch (err) {
          // Quota reached (a private window, a small profile): this and later segments in memory.
          try { f.handle.truncate(this.#fileAt); } catch { /* the file stays longer; nothing reads past #fileAt */ }
          this.#fallBack(err);
        }
      }
    }
    if (this.#memory + buf.length > this.memoryLimit) { this.#full = true; return false; }
    this.#where.push(buf);
    this.#memory += buf.length;
    return true;
  }

  /** Segment i, from the cache or read back. */
  get(i: number): Segment {
    const c = this.#cache.get(i);
    if (c) { this.#cache.delete(i); this.#cache.set(i, c); return c; }
    const w = this.#where[i];
    if (w === undefined) throw new RangeError(`no segment ${i}`);
    let buf: Uint8Array;
    if (w instanceof Uint8Array) buf = w;
    else {
      buf = new Uint8Array(w.len);
      const n = this.#files[w.file]!.handle.read(buf, { at: w.at });
      if (n !== w.len) throw new Error(`the browser's storage gave back ${n} of ${w.len} bytes of segment ${i} of the index`);
    }
    const seg = openSegment(buf);
    // Memory segments are views already; only what was read is worth caching.
    if (!(w instanceof Uint8Array)) {
      this.#cache.set(i, seg);
      this.#cacheBytes.set(i, buf.byteLength);
      if (this.#cache.size > CACHED_SEGMENTS) { const old = this.#cache.keys().next().value!; this.#cache.delete(old); this.#cacheBytes.delete(old); }
    }
    return seg;
  }

  /** Removes the files (the tab moves to another capture, or closes). */
  async close(): Promise<void> {
    this.#cache.clear();
    this.#cacheBytes.clear();
    this.#where.length = 0;
    for (const f of this.#files) {
      try { f.handle.close(); } catch { /* closed */ }
      try { await this.#dir?.removeEntry(f.name); } catch { /* swept by another tab */ }
    }
    this.#files.length = 0;
  }

  async #newFile(): Promise<void> {
    const name = `${this.#base}.${this.#files.length}`;
    const file = await this.#dir!.getFileHandle(name, { create: true });
    this.#files.push({ name, handle: await file.createSyncAccessHandle() });
    this.#fileAt = 0;
  }

  #fallBack(err: unknown): void {
    this.#fellBack ??= `the browser's storage refused more (${err instanceof Error ? `${err.name}: ${err.message}` : String(err)})`;
  }
}

/**
 * An export written to an OPFS file piece by piece and handed over as a File, which the browser
 * keeps on disk: a multi-gigabyte NDJSON export never sits in the tab's memory. Writes stop
 * (false) at the quota; the caller keeps the rest in memory. One file of a kind at a time:
 * opening the next export removes the last (its download has long been read by then), the next
 * merged capture (several files opened as one) the last merged capture.
 */
export class SpillFile {
  static readonly #last = new Map<string, { dir: OpfsDir; name: string }>();
  #at = 0;
  #ok = true;
  private constructor(readonly dir: OpfsDir, readonly name: string, readonly file: OpfsFile, readonly handle: SyncHandle) {}

  /** A new file of this kind (an export, a merged capture), or null when the browser offers no OPFS here. */
  static async open(kind: 'export' | 'merged' = 'export'): Promise<SpillFile | null> {
    const storage = (globalThis.navigator as unknown as { storage?: { getDirectory?: () => Promise<OpfsDir> } } | undefined)?.storage;
    if (!storage?.getDirectory) return null;
    try {
      const dir = await storage.getDirectory();
      const last = SpillFile.#last.get(kind);
      if (last) { try { await last.dir.removeEntry(last.name); } catch { /* swept already */ } }
      const name = `${PREFIX}${kind}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
      const file = await dir.getFileHandle(name, { create: true });
      const handle = await file.createSyncAccessHandle();
      SpillFile.#last.set(kind, { dir, name });
      return new SpillFile(dir, name, file, handle);
    } catch { return null; }
  }

  /** Appends bytes; false (and nothing more written) once the storage refuses. */
  write(buf: Uint8Array): boolean {
    if (!this.#ok) return false;
    try {
      let done = 0;
      while (done < buf.length) {
        const n = this.handle.write(buf.subarray(done), { at: this.#at + done });
        // Chromium past the quota returns an error code as a huge count (see SegmentStore.put).
        if (n <= 0 || n > buf.length - done) throw new Error('quota');
        done += n;
      }
      if (this.handle.getSize() < this.#at + buf.length) throw new Error('quota');
      this.#at += buf.length;
      return true;
    } catch {
      try { this.handle.truncate(this.#at); } catch { /* the File below is cut to #at anyway */ }
      this.#ok = false;
      return false;
    }
  }

  /** Bytes written. */
  get size(): number { return this.#at; }

  /** Closes the file and gives it as a File (its first `size` bytes). */
  async finish(): Promise<Blob> {
    this.handle.flush();
    this.handle.close();
    const f = await this.file.getFile();
    return f.size === this.#at ? f : f.slice(0, this.#at);
  }
}

// Removes index files left by closed tabs; a file another tab still holds open cannot be removed and is skipped.
async function sweep(dir: OpfsDir): Promise<void> {
  if (!dir.entries) return;
  const names: string[] = [];
  for await (const [name] of dir.entries()) if (name.startsWith(PREFIX) || name.startsWith('tracecap-records-')) names.push(name);
  for (const n of names) { try { await dir.removeEntry(n); } catch { /* in use by another tab */ } }
}
