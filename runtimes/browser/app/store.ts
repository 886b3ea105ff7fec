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

/** Opens an OPFS store (a new file per capture; files of earlier tabs' sessions are removed when unlocked). */
export async function openStore(memoryLimit = MEMORY_STORE_LIMIT): Promise<RecordStore> {
  const storage = (globalThis.navigator as unknown as { storage?: { getDirectory?: () => Promise<OpfsDir> } } | undefined)?.storage;
  if (storage?.getDirectory) {
    try {
      const dir = await storage.getDirectory();
      await sweep(dir);
      const name = `${PREFIX}${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}.ndjson`;
      const file = await dir.getFileHandle(name, { create: true });
      const handle = await file.createSyncAccessHandle();
      return new OpfsStore(dir, name, file, handle);
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

class OpfsStore implements RecordStore {
  readonly kind = 'opfs' as const;
  size = 0;
  constructor(private dir: OpfsDir, private name: string, private file: OpfsFile, private handle: SyncHandle | null) {}
  append(bytes: Uint8Array): void {
    let done = 0;
    while (done < bytes.length) done += this.handle!.write(bytes.subarray(done), { at: this.size + done });
    this.size += bytes.length;
  }
  read(offset: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    this.handle!.read(out, { at: offset });
    return out;
  }
  async blob(ranges?: Array<[number, number]>): Promise<Blob> {
    // getFile() needs the sync handle closed: flush and close it, take the file, reopen.
    this.handle!.flush(); this.handle!.close(); this.handle = null;
    const f = await this.file.getFile();
    this.handle = await this.file.createSyncAccessHandle();
    if (!ranges) return f.slice(0, this.size, 'application/x-ndjson');
    return new Blob(ranges.map(([a, b]) => f.slice(a, b)), { type: 'application/x-ndjson' });
  }
  async close(): Promise<void> {
    try { this.handle?.close(); } catch { /* already closed */ }
    this.handle = null;
    try { await this.dir.removeEntry(this.name); } catch { /* removed by a sweep */ }
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
  async close(): Promise<void> { this.#chunks = []; this.#starts = []; this.size = 0; }
}

// First index whose start is greater than x.
function upper(a: number[], x: number): number {
  let lo = 0, hi = a.length;
  while (lo < hi) { const m = (lo + hi) >> 1; if (a[m]! <= x) lo = m + 1; else hi = m; }
  return lo;
}
