/**
 * Where the app keeps the NDJSON records: a file in the Origin Private File System written and
 * read through a synchronous access handle (worker only), so the records stay out of the JS
 * heap; or, when OPFS is unavailable, memory — bounded by MEMORY_STORE_LIMIT.
 */

/** Largest NDJSON kept in memory when OPFS is unavailable (then loading stops with an error past it). */
export const MEMORY_STORE_LIMIT = 512 << 20;

/** Append-only byte store with random reads. */
export interface RecordStore {
  readonly kind: 'opfs' | 'memory';
  readonly size: number;
  append(bytes: Uint8Array): void;
  /** Makes room for `more` bytes (opens the next file when needed); await it before append(). */
  prepare(more: number): Promise<void>;
  /** Reads [offset, offset + length) into a new array. */
  read(offset: number, length: number): Uint8Array;
  /** The whole store, or byte ranges of it, as a Blob (without copying into the heap where possible). */
  blob(ranges?: Array<[number, number]>): Promise<Blob>;
  close(): Promise<void>;
}

// The parts of the File System Access API a worker uses (not in TypeScript's DOM library).
interface SyncHandle {
  write(buffer: ArrayBufferView, options?: { at?: number }): number;
  read(buffer: ArrayBufferView, options?: { at?: number }): number;
  flush(): void;
  close(): void;
  truncate(size: number): void;
}
interface OpfsFile { createSyncAccessHandle(): Promise<SyncHandle>; getFile(): Promise<File> }
interface OpfsDir {
  getFileHandle(name: string, o?: { create?: boolean }): Promise<OpfsFile>;
  removeEntry(name: string): Promise<void>;
  entries?(): AsyncIterableIterator<[string, unknown]>;
}

const PREFIX = 'tracecap-records-';

/** The browser refused more bytes (its storage quota for this origin, e.g. in a private window). */
export class StoreFullError extends Error {
  constructor(at: number, cause: unknown) {
    super(`the browser's storage for this page is full after ${(at / 1048576).toFixed(0)} MiB of records${cause instanceof Error ? ` (${cause.name})` : ''}: a private window keeps it in memory with a small quota; open the capture in a normal window`);
  }
}

/** Opens an OPFS store (a new file per capture; files of earlier tabs' sessions are removed when unlocked). */
export async function openStore(memoryLimit = MEMORY_STORE_LIMIT): Promise<RecordStore> {
  const storage = (globalThis.navigator as unknown as { storage?: { getDirectory?: () => Promise<OpfsDir> } } | undefined)?.storage;
  if (storage?.getDirectory) {
    try {
      const dir = await storage.getDirectory();
      await sweep(dir);
      const name = `${PREFIX}${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}.ndjson`;
      return await new OpfsStore(dir, name).init();
    } catch {
      // e.g. a private window or a browser without sync access handles: fall back to memory.
    }
  }
  return new MemoryStore(memoryLimit);
}

// Removes record files left by closed tabs; a file another tab still holds open cannot be removed and is skipped.
async function sweep(dir: OpfsDir): Promise<void> {
  if (!dir.entries) return;
  const names: string[] = [];
  for await (const [name] of dir.entries()) if (name.startsWith(PREFIX)) names.push(name);
  for (const n of names) { try { await dir.removeEntry(n); } catch { /* in use by another tab */ } }
}

/** Bytes per OPFS file: Chromium's in-memory OPFS (private windows) reads nothing past 2 GiB of one file. */
export const SEGMENT_BYTES = 1 << 30;

// The records as a run of files of SEGMENT_BYTES each, so no offset within a file reaches 2 GiB.
class OpfsStore implements RecordStore {
  readonly kind = 'opfs' as const;
  size = 0;
  readonly #segments: Array<{ name: string; file: OpfsFile; handle: SyncHandle | null }> = [];
  constructor(private dir: OpfsDir, private base: string) {}
  /** Opens the first segment. */
  async init(): Promise<this> { await this.#add(); return this; }
  async #add(): Promise<void> {
    const name = `${this.base}.${this.#segments.length}`;
    const file = await this.dir.getFileHandle(name, { create: true });
    this.#segments.push({ name, file, handle: await file.createSyncAccessHandle() });
  }
  append(bytes: Uint8Array): void {
    let done = 0;
    while (done < bytes.length) {
      const at = this.size + done;
      const seg = Math.floor(at / SEGMENT_BYTES);
      if (seg >= this.#segments.length) throw new Error(`no record file is open at offset ${at} (a bug in tracecap's app: prepare() was not awaited)`);
      const within = at - seg * SEGMENT_BYTES;
      const room = Math.min(bytes.length - done, SEGMENT_BYTES - within);
      let n = 0;
      try { n = this.#segments[seg]!.handle!.write(bytes.subarray(done, done + room), { at: within }); } catch (err) { throw new StoreFullError(at, err); }
      if (n <= 0) throw new StoreFullError(at, null);
      done += n;
    }
    this.size += bytes.length;
  }
  async prepare(more: number): Promise<void> {
    while (this.#segments.length * SEGMENT_BYTES < this.size + more) await this.#add();
  }
  read(offset: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const at = offset + done;
      const seg = Math.floor(at / SEGMENT_BYTES);
      const within = at - seg * SEGMENT_BYTES;
      const want = Math.min(length - done, SEGMENT_BYTES - within);
      const n = this.#segments[seg]?.handle?.read(out.subarray(done, done + want), { at: within }) ?? 0;
      if (n !== want) throw new Error(`the browser's storage gave back ${n} of ${want} bytes at offset ${at} of the records`);
      done += n;
    }
    return out;
  }
  async blob(ranges?: Array<[number, number]>): Promise<Blob> {
    // getFile() needs the sync handles closed: flush and close them, take the files, reopen.
    const files: File[] = [];
    for (const s of this.#segments) {
      s.handle!.flush(); s.handle!.close(); s.handle = null;
      files.push(await s.file.getFile());
      s.handle = await s.file.createSyncAccessHandle();
    }
    const slice = (a: number, b: number): Blob[] => {
      const parts: Blob[] = [];
      while (a < b) {
        const seg = Math.floor(a / SEGMENT_BYTES), end = Math.min(b, (seg + 1) * SEGMENT_BYTES);
        parts.push(files[seg]!.slice(a - seg * SEGMENT_BYTES, end - seg * SEGMENT_BYTES));
        a = end;
      }
      return parts;
    };
    return new Blob(ranges ? ranges.flatMap(([a, b]) => slice(a, b)) : slice(0, this.size), { type: 'application/x-ndjson' });
  }
  async close(): Promise<void> {
    for (const s of this.#segments) {
      try { s.handle?.close(); } catch { /* already closed */ }
      s.handle = null;
      try { await this.dir.removeEntry(s.name); } catch { /* removed by a sweep */ }
    }
  }
}

class MemoryStore implements RecordStore {
  readonly kind = 'memory' as const;
  size = 0;
  constructor(private limit: number) {}
  #chunks: Uint8Array[] = [];
  #starts: number[] = [];
  append(bytes: Uint8Array): void {
    if (this.size + bytes.length > this.limit) throw new RangeError(`the records pass ${(this.limit / 1048576).toFixed(0)} MiB (MEMORY_STORE_LIMIT) and this browser offers no Origin Private File System to keep them in`);
    this.#starts.push(this.size);
    this.#chunks.push(bytes.slice());
    this.size += bytes.length;
  }
  read(offset: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    let i = upper(this.#starts, offset) - 1;
    let done = 0;
    while (done < length && i < this.#chunks.length) {
      const c = this.#chunks[i]!, s = this.#starts[i]!;
      const from = offset + done - s;
      const n = Math.min(c.length - from, length - done);
      out.set(c.subarray(from, from + n), done);
      done += n; i++;
    }
    return out;
  }
  async blob(ranges?: Array<[number, number]>): Promise<Blob> {
    if (!ranges) return new Blob(this.#chunks as BlobPart[], { type: 'application/x-ndjson' });
    return new Blob(ranges.map(([a, b]) => this.read(a, b - a)) as BlobPart[], { type: 'application/x-ndjson' });
  }
  async prepare(): Promise<void> { /* memory needs no preparation */ }
  async close(): Promise<void> { this.#chunks = []; this.#starts = []; this.size = 0; }
}

// First index whose start is greater than x.
function upper(a: number[], x: number): number {
  let lo = 0, hi = a.length;
  while (lo < hi) { const m = (lo + hi) >> 1; if (a[m]! <= x) lo = m + 1; else hi = m; }
  return lo;
}
