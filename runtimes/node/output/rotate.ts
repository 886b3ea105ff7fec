// The -w file writer: strftime-named files, rotation by time (-G) and size (-C), a ring of at most
// N complete files (-W), optional copy to standard output (--tee). Every file is written under a
// hidden temporary name in its directory and renamed when complete, so a reader (a log shipper)
// only ever sees whole files of whole records. See README "Writing files".
import * as fs from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { Channel, OutputError, outputError, type ChannelMode } from './channel.js';
import { createFdSink, type Sink } from './sink.js';
import { compileTemplate, TemplateError } from './strftime.js';

export { TemplateError } from './strftime.js';

/**
 * Final names remembered to give same-second renderings distinct names (`~000001` …). One per
 * rotation; beyond this many the oldest are forgotten (only a clock stepping back by that many
 * rotations could then reuse a name).
 */
export const MAX_REMEMBERED_NAMES = 100_000;

/** Bytes per "MB" of -C: a million, as tcpdump counts. */
export const BYTES_PER_MB = 1_000_000;

/** Options of openFileOutput(). */
export interface FileOutputOptions {
  /** File name template (-w), strftime fields of STRFTIME_FIELDS, rendered when a file is opened. */
  template: string;
  /** -G: start a new file when a write comes this many seconds (or more) after the current file was opened; 0/absent: never. */
  rotateSecs?: number;
  /** -C: start a new file before a record that would take the file past this many bytes; 0/absent: never. */
  rotateBytes?: number;
  /** -W: keep at most this many complete files of this run, deleting the oldest; absent: keep all. */
  maxFiles?: number;
  /** IANA time zone the template is rendered in (--tz); default UTC. */
  tz?: string;
  /** The rotation and naming clock, milliseconds since the epoch; default Date.now (wall clock). */
  now?: () => number;
  /** --tee: also write every record to standard output (true) or to this sink (closed by close()). */
  tee?: boolean | Sink;
  /** Writer thread use, as createFdSink() (default auto). */
  mode?: ChannelMode;
  /** Bytes that start every file (a pcap global header, a pcapng section's first blocks); -C counts them. */
  header?: Uint8Array;
  /** Each write() is one whole unit (a packet record), never split; default: NDJSON, split only at line ends. */
  wholeWrites?: boolean;
  /**
   * Takes each complete file (closed, still under its hidden name) instead of the rename and the
   * -W deletions (finish.ts: --gzip, --move-to).
   */
  finisher?: FileFinisher;
}

/** Where a complete file goes when it is not simply renamed (finish.ts). */
export interface FileFinisher {
  /** Takes the complete, closed file `tmp`, meant to appear as `final`. */
  complete(tmp: string, final: string): void;
  /** Complete files present where they ended up (oldest first). */
  readonly files: readonly string[];
}

/** The -w output: a Sink plus the rotation clock's tick and the names of the complete files. */
export interface FileOutput extends Sink {
  /** Closes the current file if its -G interval is over (call it from a timer so an idle live capture's file completes). */
  tick(): void;
  /** Complete files of this run still present (oldest first), as far as -W has not deleted them. */
  readonly files: readonly string[];
  /** Number of files completed by this run (deleted ones included). */
  readonly completed: number;
  /** True once a writer thread carries the writes. */
  readonly threaded: boolean;
  /** Completes the current file now, if there is one (the next write opens a new one). */
  cut(): void;
}

interface Current { fd: number; tmp: string; final: string; openedAt: number; bytes: number }

class RotatingOutput implements FileOutput {
  readonly #opts: FileOutputOptions;
  readonly #render: (ms: number) => string;
  readonly #now: () => number;
  readonly #secs: number;
  readonly #limit: number;
  readonly #channel: Channel;
  #tee: Sink | null;
  #cur: Current | null = null;
  #bytes = 0;
  #completed = 0;
  #files: string[] = [];
  #names = new Map<string, number>();
  #lastDir = '';
  #closed = false;

  constructor(opts: FileOutputOptions) {
    this.#opts = opts;
    this.#render = compileTemplate(opts.template, opts.tz ?? 'UTC').render;
    this.#now = opts.now ?? Date.now;
    this.#secs = opts.rotateSecs ?? 0;
    this.#limit = opts.rotateBytes ?? 0;
    if (!(Number.isFinite(this.#secs) && this.#secs >= 0)) throw new TemplateError('-G needs a number of seconds ≥ 0');
    if (!(Number.isFinite(this.#limit) && this.#limit >= 0)) throw new TemplateError('-C needs a size ≥ 0');
    if (opts.maxFiles !== undefined && !(Number.isInteger(opts.maxFiles) && opts.maxFiles >= 1)) throw new TemplateError('-W needs a whole number of files ≥ 1');
    this.#channel = new Channel(opts.mode ?? 'auto', opts.template);
    this.#tee = opts.tee === true ? createFdSink(1) : opts.tee || null;
  }

  get bytes(): number { return this.#bytes; }
  get files(): readonly string[] { return this.#opts.finisher?.files ?? this.#files; }
  get completed(): number { return this.#completed; }
  get threaded(): boolean { return this.#channel.threaded; }

  write(view: Uint8Array): void {
    if (this.#closed) throw new Error('write() after close()');
    if (view.length === 0) return;
    this.#teeWrite(view);
    const limit = this.#limit;
    let off = 0;
    while (off < view.length) {
      if (this.#cur !== null && this.#due()) this.#complete();
      const cur = this.#cur ?? this.#open();
      const rest = view.length - off;
      if (limit === 0 || cur.bytes + rest <= limit) {
        this.#channel.data(off === 0 ? view : view.subarray(off));
        cur.bytes += rest;
        break;
      }
      const empty = cur.bytes <= (this.#opts.header?.length ?? 0);
      if (this.#opts.wholeWrites) {
        if (!empty) { this.#complete(); continue; }
        // One unit larger than the limit: a file of its own.
        this.#channel.data(view);
        cur.bytes += rest;
        break;
      }
      // Split at a record end: the last "\n" that still fits into this file.
      const room = limit - cur.bytes;
      let end = room > 0 ? view.lastIndexOf(10, off + room - 1) : -1;
      if (end < off) {
        if (!empty) { this.#complete(); continue; }
        // One record larger than the limit: it gets a file of its own, whole.
        end = view.indexOf(10, off);
        if (end < 0) end = view.length - 1;
      }
      this.#channel.data(view.subarray(off, end + 1));
      cur.bytes += end + 1 - off;
      off = end + 1;
    }
    this.#bytes += view.length;
  }

  tick(): void {
    if (!this.#closed && this.#cur !== null && this.#due()) this.#complete();
  }

  cut(): void {
    if (!this.#closed && this.#cur !== null) this.#complete();
  }

  flush(): void { this.#channel.flush(); this.#tee?.flush(); }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    let failure: unknown = null;
    try {
      if (this.#cur !== null) this.#complete();
      this.#channel.end();
    } catch (e) { failure = e; }
    try { this.#tee?.close(); } catch (e) { failure ??= e; }
    if (failure !== null) throw failure;
  }

  #due(): boolean {
    return this.#secs > 0 && this.#now() - this.#cur!.openedAt >= this.#secs * 1000;
  }

  // A reader gone from the tee'd standard output stops the copy, not the files (the primary output).
  #teeWrite(view: Uint8Array): void {
    if (this.#tee === null) return;
    try { this.#tee.write(view); } catch (e) {
      if (!(e instanceof OutputError && e.code === 'EPIPE')) throw e;
      const tee = this.#tee;
      this.#tee = null;
      tee.close();
    }
  }

  #open(): Current {
    const at = this.#now();
    const rendered = this.#render(at);
    let fd: number;
    let cur: Current;
    try {
      // A device, FIFO or socket (-w /dev/stdout, -w /dev/null, a named pipe) is written in
      // place: a temporary file beside it and a rename would replace the device by a file.
      if (isSpecial(rendered)) {
        fd = fs.openSync(rendered, 'w');
        cur = { fd, tmp: '', final: rendered, openedAt: at, bytes: 0 };
      } else {
        const final = this.#uniqueName(rendered);
        const dir = dirname(final);
        const tmp = join(dir, `.${basename(final)}.partial`);
        if (dir !== this.#lastDir) { makeDirs(dir); this.#lastDir = dir; }
        fd = fs.openSync(tmp, 'w');
        cur = { fd, tmp, final, openedAt: at, bytes: 0 };
      }
    } catch (e) {
      throw outputError(e, rendered);
    }
    this.#channel.setFd(fd);
    this.#cur = cur;
    if (this.#opts.header) { this.#channel.data(this.#opts.header); cur.bytes = this.#opts.header.length; }
    return cur;
  }

  // Closes the current file and gives it its final name; the oldest beyond -W goes.
  #complete(): void {
    const cur = this.#cur!;
    this.#cur = null;
    if (cur.tmp === '') { this.#channel.closeRename(cur.fd, '', ''); this.#completed++; return; }
    const finisher = this.#opts.finisher;
    if (finisher) {
      // Closed and on disk before it is handed over (a writer thread may still hold its bytes).
      this.#channel.closeRename(cur.fd, '', '');
      this.#channel.flush();
      finisher.complete(cur.tmp, cur.final);
      this.#completed++;
      return;
    }
    // The oldest goes before the newest appears: never more than -W complete files, even briefly.
    const max = this.#opts.maxFiles;
    while (max !== undefined && this.#files.length >= max) this.#channel.unlink(this.#files.shift()!);
    this.#channel.closeRename(cur.fd, cur.tmp, cur.final);
    this.#files.push(cur.final);
    this.#completed++;
  }

  // A name this run already used gets `~000001`, `~000002` … before its extension (repeatName()):
  // never a clobbered file, and a plain byte sort (ls) lists the files in the order written.
  #uniqueName(name: string): string {
    const seen = this.#names.get(name);
    if (seen === undefined) {
      if (this.#names.size >= MAX_REMEMBERED_NAMES) this.#names.delete(this.#names.keys().next().value!);
      this.#names.set(name, 0);
      return name;
    }
    this.#names.set(name, seen + 1);
    return repeatName(name, seen + 1);
  }
}

/** Digits of the repeat counter: a name repeated up to 999,999 times (then `~~` and 12 digits). */
export const REPEAT_DIGITS = 6;

/** Compression suffixes that belong to the extension before them (`x.json.gz` has the extension `.json.gz`). */
const COMPRESSED = new Set(['.gz', '.zst', '.xz', '.bz2', '.lz4']);

/**
 * The name of the n-th repeat (n ≥ 1) of a file name: `~` and a fixed-width counter before the
 * extension (`c-233218.json` → `c-233218~000001.json`). `~` sorts after every other printable
 * character and the bare name goes on with `.` or ends there, so the first file sorts before
 * its repeats, and the fixed width keeps the repeats in numeric order under a byte sort.
 */
export function repeatName(name: string, n: number): string {
  const base = basename(name);
  let ext = base.startsWith('.') && base.indexOf('.', 1) < 0 ? '' : extname(base);
  if (COMPRESSED.has(ext.toLowerCase())) {
    const inner = extname(base.slice(0, base.length - ext.length));
    if (inner !== '' && inner !== base.slice(0, base.length - ext.length)) ext = inner + ext;
  }
  const digits = String(n);
  const counter = digits.length <= REPEAT_DIGITS ? `~${digits.padStart(REPEAT_DIGITS, '0')}` : `~~${digits.padStart(2 * REPEAT_DIGITS, '0')}`;
  return `${name.slice(0, name.length - ext.length)}${counter}${ext}`;
}

// True when `path` exists and is not a regular file or a directory (a device, FIFO or socket).
function isSpecial(path: string): boolean {
  try {
    const st = fs.statSync(path);
    return !st.isFile() && !st.isDirectory();
  } catch {
    return false;
  }
}

/**
 * Opens the -w output. Throws TemplateError (a usage error: bad template, zone or limit) or, at
 * the first write, OutputError (a file that cannot be created: `NAME: permission denied`). No file
 * exists until the first record arrives; close() completes the last one (call it at the end of
 * input and from SIGINT/SIGTERM handlers: records written before are never lost).
 */
export function openFileOutput(options: FileOutputOptions): FileOutput {
  return new RotatingOutput(options);
}

/**
 * mkdir -p, one level at a time. Not mkdirSync({ recursive: true }): in Node 20 that spins
 * forever on a path under a directory where mkdir fails with ENOENT although the parent exists
 * (/proc/x/y), and a CLI must fail there with a message, not hang.
 */
export function makeDirs(dir: string): void {
  const missing: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    try {
      if (!fs.statSync(d).isDirectory()) throw Object.assign(new Error(`${d}: not a directory`), { code: 'ENOTDIR' });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(d) === d) throw e;
      missing.push(d);
    }
  }
  for (const d of missing.reverse()) {
    try { fs.mkdirSync(d); } catch (e) { if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e; }
  }
}

/** Parses a -G value (seconds, a whole number ≥ 1); throws TemplateError. */
export function parseRotateSecs(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new TemplateError(`-G needs a whole number of seconds ≥ 1, not ${JSON.stringify(text)}`);
  return Number(text);
}

/** Parses a -C value in millions of bytes (fractions allowed: 0.5 = 500000 bytes) into bytes; throws TemplateError. */
export function parseRotateMegabytes(text: string): number {
  const mb = /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
  const bytes = Math.floor(mb * BYTES_PER_MB);
  if (!(bytes >= 1)) throw new TemplateError(`-C needs a size in millions of bytes > 0 (such as 100 or 0.5), not ${JSON.stringify(text)}`);
  return bytes;
}

/** Parses a -W value (a whole number of files ≥ 1); throws TemplateError. */
export function parseMaxFiles(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new TemplateError(`-W needs a whole number of files ≥ 1, not ${JSON.stringify(text)}`);
  return Number(text);
}
