// An ordered queue of output operations (write bytes, switch descriptor, close-and-rename,
// delete) executed either inline on the calling thread or by a writer thread fed through a
// SharedArrayBuffer ring. The writer thread lets translation go on while the kernel copies the
// previous output into a file or waits for a pipe's reader: total time ≈ max(translate, sink)
// instead of their sum. Nothing ever sleeps a fixed time on the fast paths: both sides block in
// Atomics.wait until the other side moves its counter (Atomics.notify), and the thread writes to
// blocking descriptors (sink.ts reopens pipes in blocking mode).
import * as fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import { makeExecutor, type Executor } from './executor.js';

/**
 * Bytes of the ring between the translator and the writer thread (a power of two). 4 MiB holds
 * about half of one output window of the core (8 MiB, OUT_CAP), enough to keep a writer busy for
 * several milliseconds at 1 GB/s; larger rings measured no faster (see README "Writing files").
 */
export const RING_BYTES = 4 << 20;

/**
 * Output bytes written inline before the writer thread is started: a thread costs 20-100 ms of
 * start-up (a new V8 isolate), more than small captures take in all. Until the thread reports
 * ready the output keeps going inline, so its start-up never stalls translation.
 */
export const THREAD_AFTER_BYTES = 4 << 20;

/** Mode `thread` waits this long for the writer thread to start before failing. */
export const THREAD_START_MS = 10_000;

/** Longest path payload of one operation (close-rename carries two paths). */
export const MAX_OP_BYTES = 16 << 10;

// Frame kinds in the ring; a frame is an 8-byte header [kind, arg] then arg bytes of payload
// (DATA) or a small payload (paths), padded to 8 so that headers never wrap around the ring.
const DATA = 1;
const SET_FD = 2;
const CLOSE_RENAME = 3;
const UNLINK = 4;
const END = 5;
// Control words (Int32) shared with the thread.
const W = 0; // bytes produced (wraps around 2^32)
const R = 1; // bytes consumed and executed
const READY = 2; // the thread runs its loop
const DONE = 3; // the thread saw END (or died)
const ERR = 4; // 1: an operation failed; its code and message are in the error area
const ERR_LEN = 5;
const ERR_AREA = 1024;

/** An output operation failed: `code` is the errno name (EPIPE, ENOSPC, …), the message one line. */
export class OutputError extends Error {
  /** The errno code of the failure (EPIPE: the reader is gone). */
  readonly code: string;
  constructor(code: string, message: string) { super(message); this.code = code; this.name = 'OutputError'; }
}

/** Turns an fs error into a one-line OutputError about `where` ("no space left on device"). */
export function outputError(e: unknown, where: string): OutputError {
  if (e instanceof OutputError) return e;
  const err = e as NodeJS.ErrnoException;
  const code = err?.code ?? 'EIO';
  const text = String(err?.message ?? e).replace(/^[A-Z0-9_]+: /, '').replace(/, [a-z]+( '.*')?$/, '');
  return new OutputError(code, `${where}: ${text}`);
}

// Runs in the writer thread, started from its source text: it may use nothing but its arguments.
function writerThread(req: NodeRequire, makeExec: typeof makeExecutor): void {
  const { workerData } = req('node:worker_threads');
  const ctl = new Int32Array(workerData.ctl as SharedArrayBuffer);
  const ring = new Uint8Array(workerData.ring as SharedArrayBuffer);
  const words = new Int32Array(workerData.ring as SharedArrayBuffer);
  const errArea = new Uint8Array(workerData.err as SharedArrayBuffer);
  const mask = ring.length - 1;
  const nap = new Int32Array(new SharedArrayBuffer(4));
  const ex = makeExec(req('node:fs'), (ms: number) => { Atomics.wait(nap, 0, 0, ms); });
  const [dataK, setFdK, closeRenameK, unlinkK, endK] = workerData.kinds as number[];
  let r = Atomics.load(ctl, 1);
  let failed = false;
  const avail = (): number => (Atomics.load(ctl, 0) - r) | 0;
  const waitFor = (n: number): number => {
    let a: number;
    while ((a = avail()) < n) Atomics.wait(ctl, 0, (r + a) | 0);
    return a;
  };
  const advance = (n: number): void => { r = (r + n) | 0; Atomics.store(ctl, 1, r); Atomics.notify(ctl, 1); };
  const fail = (e: unknown): void => {
    const err = e as { code?: string; message?: string };
    const bytes = new TextEncoder().encode(`${err?.code ?? 'EIO'}\n${err?.message ?? String(e)}`).subarray(0, errArea.length);
    errArea.set(bytes);
    Atomics.store(ctl, 5, bytes.length);
    Atomics.store(ctl, 4, 1);
    failed = true;
  };
  const copyOut = (at: number, n: number): Uint8Array => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = ring[(at + i) & mask]!;
    return out;
  };
  const pad = (n: number): number => (8 - (n & 7)) & 7;
  try {
    Atomics.store(ctl, 2, 1);
    Atomics.notify(ctl, 2);
    for (;;) {
      waitFor(8);
      const p = r & mask;
      const kind = words[p >> 2]!;
      const arg = words[(p >> 2) + 1]!;
      if (kind === dataK) {
        advance(8);
        let left = arg;
        while (left > 0) {
          const a = waitFor(1);
          const at = r & mask;
          const n = Math.min(left, a, ring.length - at);
          if (!failed) { try { ex.data(ring.subarray(at, at + n)); } catch (e) { fail(e); } }
          advance(n);
          left -= n;
        }
        waitFor(pad(arg));
        advance(pad(arg));
      } else if (kind === setFdK) {
        ex.setFd(arg);
        advance(8);
      } else if (kind === endK) {
        advance(8);
        break;
      } else {
        // Paths: executed once the whole frame is in, then consumed (R counts executed bytes).
        waitFor(8 + arg + pad(arg));
        const text = new TextDecoder().decode(copyOut(r + 8, arg));
        if (!failed) {
          try {
            if (kind === closeRenameK) {
              const [fd, from, to] = text.split('\0');
              ex.closeRename(Number(fd), from!, to!);
            } else if (kind === unlinkK) ex.unlink(text);
          } catch (e) { fail(e); }
        }
        advance(8 + arg + pad(arg));
      }
    }
  } catch (e) {
    fail(e);
  } finally {
    Atomics.store(ctl, 3, 1);
    Atomics.notify(ctl, 3);
  }
}

/** How a channel runs its operations: inline, in a writer thread, or inline first then threaded. */
export type ChannelMode = 'direct' | 'thread' | 'auto';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * An ordered queue of output operations. Each method throws an OutputError of an earlier failed
 * operation (with a thread, failures surface at the next call, flush() or end()).
 */
export class Channel {
  readonly #where: string;
  #mode: ChannelMode;
  readonly #inline: Executor;
  #fd = -1;
  #inlineBytes = 0;
  #ended = false;
  #error: OutputError | null = null;
  // Thread state: created lazily.
  #worker: Worker | null = null;
  #ctl: Int32Array | null = null;
  #ring: Uint8Array | null = null;
  #words: Int32Array | null = null;
  #errArea: Uint8Array | null = null;
  #threaded = false;
  #w = 0;

  /** `where` names the output in error messages (a path, `<stdout>`). */
  constructor(mode: ChannelMode, where: string) {
    this.#mode = mode;
    this.#where = where;
    const nap = new Int32Array(new SharedArrayBuffer(4));
    this.#inline = makeExecutor(fs, (ms) => { Atomics.wait(nap, 0, 0, ms); });
    if (mode === 'thread') this.#spawn();
  }

  /** True once the writer thread carries the operations (for tests and the bench). */
  get threaded(): boolean { return this.#threaded; }

  /** The first failure seen so far, without throwing it. */
  get error(): OutputError | null { this.#poll(); return this.#error; }

  /** Writes `view` (copied before return when threaded, so the caller may reuse it). */
  data(view: Uint8Array): void {
    this.#check();
    if (view.length === 0) return;
    if (this.#threaded || this.#switch()) { this.#frame(DATA, view.length, view); return; }
    try { this.#inline.data(view); } catch (e) { this.#fail(e); }
    this.#inlineBytes += view.length;
    if (this.#mode === 'auto' && this.#worker === null && this.#inlineBytes >= THREAD_AFTER_BYTES) this.#spawn();
  }

  /**
   * Writes `views` (`total` bytes) inline with one writev per 1024 of them, and returns true;
   * returns false, writing nothing, when the writer thread carries the output (or is taking it
   * over): the caller then writes them with data().
   */
  datav(views: Uint8Array[], total: number): boolean {
    this.#check();
    if (this.#threaded || this.#switch()) return false;
    try { this.#inline.datav(views); } catch (e) { this.#fail(e); }
    this.#inlineBytes += total;
    if (this.#mode === 'auto' && this.#worker === null && this.#inlineBytes >= THREAD_AFTER_BYTES) this.#spawn();
    return true;
  }

  /** Makes `fd` the descriptor data goes to. */
  setFd(fd: number): void {
    this.#check();
    this.#fd = fd;
    if (this.#threaded || this.#switch()) this.#frame(SET_FD, fd, null); else this.#inline.setFd(fd);
  }

  /** Closes `fd` after everything queued before, then renames `from` to `to` ('' for none). */
  closeRename(fd: number, from: string, to: string): void {
    this.#check();
    if (fd === this.#fd) this.#fd = -1;
    if (this.#threaded || this.#switch()) { this.#frame(CLOSE_RENAME, -1, encoder.encode(`${fd}\0${from}\0${to}`)); return; }
    try { this.#inline.closeRename(fd, from, to); } catch (e) { this.#fail(e, from ? `${to}` : this.#where); }
  }

  /** Deletes `path` after everything queued before. */
  unlink(path: string): void {
    this.#check();
    if (this.#threaded || this.#switch()) { this.#frame(UNLINK, -1, encoder.encode(path)); return; }
    try { this.#inline.unlink(path); } catch (e) { this.#fail(e, path); }
  }

  /** Blocks until every queued operation has been executed; throws the first failure. */
  flush(): void {
    this.#check();
    if (!this.#threaded) return;
    const ctl = this.#ctl!;
    for (;;) {
      const r = Atomics.load(ctl, R);
      if (r === this.#w) break;
      this.#checkAlive();
      Atomics.wait(ctl, R, r, 200);
    }
    this.#check();
  }

  /** Executes what is queued, stops the writer thread and throws the first failure. Idempotent. */
  end(): void {
    if (this.#ended) { this.#check(); return; }
    this.#ended = true;
    if (this.#worker !== null) {
      const ctl = this.#ctl!;
      this.#frame(END, 0, null);
      // A thread that never took over (still starting) gets only END, everything else was done
      // inline: no need to wait for its start-up, it exits as soon as it runs.
      if (this.#threaded) while (Atomics.load(ctl, DONE) === 0) Atomics.wait(ctl, DONE, 0, 200);
      this.#poll();
    }
    this.#check();
  }

  #spawn(): void {
    const ctlSab = new SharedArrayBuffer(8 * 4);
    const ringSab = new SharedArrayBuffer(RING_BYTES);
    const errSab = new SharedArrayBuffer(ERR_AREA);
    this.#ctl = new Int32Array(ctlSab);
    this.#ring = new Uint8Array(ringSab);
    this.#words = new Int32Array(ringSab);
    this.#errArea = new Uint8Array(errSab);
    const source = `(${writerThread.toString()})(require, (${makeExecutor.toString()}))`;
    try {
      this.#worker = this.#startWorker(source, ctlSab, ringSab, errSab);
    } catch (e) {
      // No thread to be had (resource limits): `auto` goes on inline, `thread` cannot.
      if (this.#mode !== 'auto') throw outputError(e, this.#where);
      this.#mode = 'direct';
      this.#ctl = null;
    }
  }

  #startWorker(source: string, ctlSab: SharedArrayBuffer, ringSab: SharedArrayBuffer, errSab: SharedArrayBuffer): Worker {
    const worker = new Worker(source, {
      eval: true,
      workerData: { ctl: ctlSab, ring: ringSab, err: errSab, kinds: [DATA, SET_FD, CLOSE_RENAME, UNLINK, END] },
      // The thread needs little heap: its data lives in the ring.
      resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 },
      stdout: false,
      stderr: false,
      // The thread closes descriptors the main thread opened (each file at rotation): not a leak.
      trackUnmanagedFds: false,
    });
    // A failure inside the thread is reported through the error area; this only keeps an
    // unexpected one (out of memory at start-up) from becoming an unhandled 'error' event.
    worker.on('error', (e) => { this.#error ??= outputError(e, this.#where); });
    worker.unref();
    return worker;
  }

  // Hands the operations over to the thread once it runs: the descriptor state goes first.
  #switch(): boolean {
    if (this.#worker === null || this.#threaded) return this.#threaded;
    if (Atomics.load(this.#ctl!, READY) === 0) {
      if (this.#mode !== 'thread') return false;
      // Mode `thread`: everything goes through the thread, so wait for it to run.
      const deadline = Date.now() + THREAD_START_MS;
      while (Atomics.load(this.#ctl!, READY) === 0) {
        this.#checkAlive();
        // A thread that cannot even start (its 'error' event needs this thread's event loop).
        if (Date.now() > deadline) throw (this.#error = new OutputError('EAGAIN', `${this.#where}: the writer thread did not start within ${THREAD_START_MS / 1000} s`));
        Atomics.wait(this.#ctl!, READY, 0, 200);
      }
    }
    this.#threaded = true;
    if (this.#fd >= 0) this.#frame(SET_FD, this.#fd, null);
    return true;
  }

  #frame(kind: number, arg: number, payload: Uint8Array | null): void {
    const ctl = this.#ctl!;
    const ring = this.#ring!;
    const size = ring.length;
    const len = payload ? payload.length : 0;
    if (kind !== DATA && len > MAX_OP_BYTES) throw new OutputError('ENAMETOOLONG', `${this.#where}: path longer than ${MAX_OP_BYTES} bytes`);
    const padLen = (8 - (len & 7)) & 7;
    // Header: whole frames for path operations (the thread executes them whole), streamed
    // payload for data.
    this.#waitSpace(kind === DATA ? 8 : 8 + len + padLen);
    const at = this.#w & (size - 1);
    this.#words![at >> 2] = kind;
    this.#words![(at >> 2) + 1] = kind === DATA ? len : kind === SET_FD ? arg : len;
    this.#publish(8);
    let off = 0;
    while (off < len) {
      const free = this.#waitSpace(1);
      const p = this.#w & (size - 1);
      const n = Math.min(len - off, free, size - p);
      ring.set(payload!.subarray(off, off + n), p);
      off += n;
      this.#publish(n);
    }
    if (padLen) { this.#waitSpace(padLen); this.#publish(padLen); }
  }

  #publish(n: number): void {
    this.#w = (this.#w + n) | 0;
    Atomics.store(this.#ctl!, W, this.#w);
    Atomics.notify(this.#ctl!, W);
  }

  // Waits until `n` bytes are free in the ring; returns the free byte count.
  #waitSpace(n: number): number {
    const ctl = this.#ctl!;
    const size = this.#ring!.length;
    for (;;) {
      const r = Atomics.load(ctl, R);
      const free = size - ((this.#w - r) | 0);
      if (free >= n) return free;
      this.#checkAlive();
      Atomics.wait(ctl, R, r, 200);
    }
  }

  // A dead thread would leave the main thread waiting forever: fail instead.
  #checkAlive(): void {
    if (Atomics.load(this.#ctl!, DONE) !== 0) {
      this.#poll();
      throw this.#error ?? new OutputError('EIO', `${this.#where}: the writer thread stopped`);
    }
  }

  #poll(): void {
    if (this.#error !== null || this.#ctl === null || Atomics.load(this.#ctl, ERR) === 0) return;
    const text = decoder.decode(this.#errArea!.slice(0, Atomics.load(this.#ctl, ERR_LEN)));
    const nl = text.indexOf('\n');
    const err = Object.assign(new Error(text.slice(nl + 1)), { code: text.slice(0, nl) });
    this.#error = outputError(err, this.#where);
  }

  #check(): void {
    this.#poll();
    if (this.#error !== null) throw this.#error;
  }

  #fail(e: unknown, where = this.#where): never {
    this.#error = outputError(e, where);
    throw this.#error;
  }
}
