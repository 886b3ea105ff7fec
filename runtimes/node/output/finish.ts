// What happens to a complete file after the writer closed it (--gzip, --move-to): compressed
// to NAME.gz and/or moved into another directory (a mounted bucket), in the background. The
// writer hands each file over still under its hidden name (.NAME.partial), so a reader never
// sees it before it is in its final form; every step writes under a hidden name again and
// renames, so no reader ever sees a partial .gz or a half-copied file either.
//
// Off the capture's hot path: the work is streams and fs calls, which run in libuv's thread pool
// (zlib included); the main thread only starts each step. Files wait their turn on disk, one at
// a time; nothing here throws into the capture: a failure is one line on stderr.
import * as fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGzip, constants as zlib } from 'node:zlib';
import { basename, dirname, join } from 'node:path';
import type { FileFinisher } from './rotate.js';
import { outputError } from './channel.js';

/** Attempts at moving one file into --move-to before it is left where it was written. */
export const MOVE_ATTEMPTS = 6;
/** Pause between two attempts (ms). */
export const MOVE_RETRY_MS = 2000;
/**
 * Complete files waiting for compression at once; beyond this the newest ones skip compression
 * (they are moved, or renamed, as they are) until the queue is shorter, so a compressor that
 * cannot keep up never grows the backlog without end. Said once per file on stderr.
 */
export const FINISH_QUEUE_MAX = 256;
/** gzip's own default level (Go's gzip.DefaultCompression too). */
export const GZIP_LEVEL = zlib.Z_DEFAULT_COMPRESSION;

/** Options of createFinisher(). */
export interface FinisherOptions {
  /** --gzip: compress each complete file to NAME.gz. */
  gzip: boolean;
  /** --move-to: the directory complete files are moved into (created if missing); null: they stay. */
  moveTo: string | null;
  /** Receives one line (with its newline) per problem: a file that could not be compressed or moved. */
  onError: (line: string) => void;
  /** Attempts per move (default MOVE_ATTEMPTS) and the pause between them (default MOVE_RETRY_MS). */
  moveAttempts?: number;
  retryMs?: number;
  /** Queue length beyond which compression is skipped (default FINISH_QUEUE_MAX). */
  queueMax?: number;
}

/** A complete file to finish; `plain`: it came while the queue was long, so it is not compressed. */
interface Job { tmp: string; final: string; set: FileSet; plain: boolean }
interface FileSet { max: number | undefined; files: string[] }

/** The finishing queue of a run, shared by its outputs (the records' -w files and the packet files). */
export interface Finisher {
  /** A FileFinisher for one output (openFileOutput's `finisher`): its own -W ring of `maxFiles` files. */
  output(maxFiles?: number): FileFinisher;
  /** Files handed over and not finished yet. */
  readonly pending: number;
  /** Resolves once every file handed over so far is finished (never rejects). */
  drain(): Promise<void>;
}

const hidden = (path: string) => join(dirname(path), `.${basename(path)}.partial`);
/** `where: the system's reason in words` (as the writer's own errors read). */
const problem = (where: string, e: unknown): string => outputError(e, where).message;

/**
 * mkdir -p without blocking the thread (a stat on a mounted bucket is a network round trip);
 * one level at a time, as rotate.ts's makeDirs and for the same reason.
 */
async function makeDirsAsync(dir: string): Promise<void> {
  try {
    if ((await fs.promises.stat(dir)).isDirectory()) return;
    throw Object.assign(new Error(`${dir}: not a directory`), { code: 'ENOTDIR' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(dir) === dir) throw e;
  }
  await makeDirsAsync(dirname(dir));
  try { await fs.promises.mkdir(dir); } catch (e) { if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e; }
}

/** Creates the finishing queue for --gzip and --move-to. */
export function createFinisher(o: FinisherOptions): Finisher {
  const attempts = o.moveAttempts ?? MOVE_ATTEMPTS;
  const retryMs = o.retryMs ?? MOVE_RETRY_MS;
  const queueMax = o.queueMax ?? FINISH_QUEUE_MAX;
  const queue: Job[] = [];
  let running: Promise<void> | null = null;
  const say = (line: string) => { try { o.onError(`tracecap: ${line}\n`); } catch { /* never into the capture */ } };

  async function gzip(src: string, final: string): Promise<string | null> {
    const gz = `${final}.gz`;
    const tmp = hidden(gz);
    try {
      await pipeline(fs.createReadStream(src), createGzip({ level: GZIP_LEVEL }), fs.createWriteStream(tmp));
      await fs.promises.unlink(src);
      return tmp;
    } catch (e) {
      say(`${problem(`${final}: cannot compress`, e)}; kept uncompressed`);
      await fs.promises.unlink(tmp).catch(() => {});
      return null;
    }
  }

  // Into `dest`: a rename where it can be (one file system: atomic), else a copy under a hidden
  // name beside `dest` and a rename there. Retried; null when done, else the last failure.
  async function move(src: string, dest: string): Promise<unknown> {
    let last: unknown = null;
    for (let i = 0; i < attempts; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, retryMs));
      try {
        await makeDirsAsync(dirname(dest));
        try {
          await fs.promises.rename(src, dest);
          return null;
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
        }
        const tmp = hidden(dest);
        try {
          await fs.promises.copyFile(src, tmp);
          await fs.promises.rename(tmp, dest);
        } catch (e) {
          await fs.promises.unlink(tmp).catch(() => {});
          throw e;
        }
        await fs.promises.unlink(src).catch(() => {});
        return null;
      } catch (e) {
        last = e;
      }
    }
    return last;
  }

  async function finish(job: Job, compress: boolean): Promise<void> {
    let src = job.tmp;
    let name = job.final;
    if (compress) {
      const gz = await gzip(src, name);
      if (gz !== null) { src = gz; name = `${name}.gz`; }
    }
    let dest: string = o.moveTo === null ? name : join(o.moveTo, basename(name));
    // The oldest goes before the newest appears: never more than -W files where they end up.
    const { set } = job;
    while (set.max !== undefined && set.files.length >= set.max) {
      const old = set.files.shift()!;
      try { await fs.promises.unlink(old); } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') say(problem(`${old}: cannot delete (-W)`, e));
      }
    }
    let moved = false;
    if (o.moveTo !== null) {
      const failed = await move(src, dest);
      moved = failed === null;
      if (!moved) {
        say(`${problem(`--move-to ${o.moveTo}: ${basename(dest)}`, failed)} (${attempts} attempts); left at ${name}`);
        dest = name;
      }
    }
    if (!moved) {
      try { await fs.promises.rename(src, name); } catch (e) { say(problem(name, e)); return; }
    }
    set.files.push(dest);
  }

  async function run(): Promise<void> {
    for (let job; (job = queue[0]);) {
      try { await finish(job, o.gzip && !job.plain); } catch (e) { say(problem(job.final, e)); }
      queue.shift();
    }
    running = null;
  }

  return {
    output(maxFiles?: number): FileFinisher {
      const set: FileSet = { max: maxFiles, files: [] };
      return {
        get files() { return set.files; },
        complete(tmp: string, final: string): void {
          const plain = o.gzip && queue.length >= queueMax;
          if (plain) say(`${final}: ${queue.length} files wait for compression; this one is not compressed`);
          queue.push({ tmp, final, set, plain });
          running ??= run();
        },
      };
    },
    get pending() { return queue.length; },
    async drain(): Promise<void> {
      while (running) await running;
    },
  };
}
