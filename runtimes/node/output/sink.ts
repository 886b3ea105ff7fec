// The fast sink for a file descriptor (standard output, mostly): what the CLI hands the
// translator's output to. See README "Writing files" for the measurements behind the choices.
import * as fs from 'node:fs';
import { Channel, OutputError, outputError, type ChannelMode } from './channel.js';

export { OutputError, RING_BYTES, THREAD_AFTER_BYTES } from './channel.js';

/** Where output goes: whole NDJSON records in, written in order. */
export interface Sink {
  /** Writes `view` (only valid during the call: it is written or copied before return). */
  write(view: Uint8Array): void;
  /**
   * Writes `views` in order, as write() of each would (each only valid during the call); a
   * sink writing inline to its descriptor hands them to the kernel in one writev, uncopied.
   */
  writev?(views: Uint8Array[], total: number): void;
  /** Blocks until everything written so far is with the kernel. */
  flush(): void;
  /** Flushes and releases the sink; idempotent. A reader that went away (EPIPE) is not an error here. */
  close(): void;
  /** Bytes accepted by write(). */
  readonly bytes: number;
}

/** Options of createFdSink(). */
export interface FdSinkOptions {
  /** `auto` (default): inline, a writer thread once output is large and worth it; `direct`: always inline; `thread`: thread from the start. */
  mode?: ChannelMode;
  /** Name of the output in error messages (default `<stdout>` for fd 1, else `fd N`). */
  label?: string;
}

/** Kind of descriptor, as far as the sink cares. */
export type FdKind = 'fifo' | 'file' | 'null' | 'tty' | 'socket' | 'other';

/** Classifies a descriptor: pipes/FIFOs, regular files, /dev/null, terminals, sockets. */
export function fdKind(fd: number): FdKind {
  const st = fs.fstatSync(fd);
  if (st.isFIFO()) return 'fifo';
  if (st.isFile()) return 'file';
  if (st.isSocket()) return 'socket';
  if (st.isCharacterDevice()) {
    // /dev/null is character device 1:3 on Linux; other systems: compare with /dev/null itself.
    try { if (st.rdev === fs.statSync('/dev/null').rdev) return 'null'; } catch { /* no /dev/null */ }
    return 'tty';
  }
  return 'other';
}

/**
 * Opens a blocking file description for the pipe behind `fd` (Linux: through /proc/self/fd),
 * or returns -1. Node makes standard output non-blocking as soon as process.stdout is touched,
 * so a full pipe gives EAGAIN; the reopened description blocks in the kernel exactly until the
 * reader drains the pipe. The open for reading first (never blocks) keeps the open for writing
 * from blocking forever should the reader have gone already; closing it right after leaves the
 * real reader the only one, so EPIPE still reports a reader that leaves.
 */
export function reopenBlocking(fd: number): number {
  if (process.platform !== 'linux') return -1;
  const path = `/proc/self/fd/${fd}`;
  let rd = -1;
  try {
    rd = fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    return fs.openSync(path, fs.constants.O_WRONLY);
  } catch {
    return -1; // no /proc, or no permission on the pipe: the caller writes to fd as it is
  } finally {
    if (rd >= 0) fs.closeSync(rd);
  }
}

class FdSink implements Sink {
  readonly #channel: Channel;
  readonly #owned: number;
  #bytes = 0;
  #closed = false;

  constructor(fd: number, mode: ChannelMode, label: string) {
    const kind = fdKind(fd);
    const reopened = kind === 'fifo' ? reopenBlocking(fd) : -1;
    this.#owned = reopened;
    // `auto` keeps inline what a thread does not speed up (measured, README in this directory):
    // /dev/null and terminals (the write is free or paced by a human: a thread only adds a
    // copy), and a pipe reopened blocking (its reader is the other busy thread: on 2 cores a
    // thread gained nothing when quiet, 1.58 s against 1.55 s inline at DEBUG, and lost when
    // busy, 2.1 s against 1.4 s). Regular files (the page-cache copy costs a lot: 1.43 s
    // threaded against 2.76 s legacy) and
    // sockets (EAGAIN backoff off the translating thread) get the thread.
    const inline = kind === 'null' || kind === 'tty' || reopened >= 0;
    const effective = mode === 'auto' && inline ? 'direct' : mode;
    this.#channel = new Channel(effective, label);
    this.#channel.setFd(reopened >= 0 ? reopened : fd);
  }

  get bytes(): number { return this.#bytes; }

  /** True once the writer thread carries the output. */
  get threaded(): boolean { return this.#channel.threaded; }

  /** True when a pipe was reopened in blocking mode (writes wait in the kernel, no EAGAIN). */
  get reopened(): boolean { return this.#owned >= 0; }

  write(view: Uint8Array): void {
    if (this.#closed) throw new Error('write() after close()');
    this.#channel.data(view);
    this.#bytes += view.length;
  }

  #gather = new Uint8Array(0);

  writev(views: Uint8Array[], total: number): void {
    if (this.#closed) throw new Error('write() after close()');
    if (!this.#channel.datav(views, total)) {
      // The writer thread copies into its ring anyway: one piece per call, not one per view.
      if (this.#gather.length < total) this.#gather = new Uint8Array(Math.max(total, 1 << 20));
      let n = 0;
      for (const v of views) { this.#gather.set(v, n); n += v.length; }
      this.#channel.data(this.#gather.subarray(0, total));
    }
    this.#bytes += total;
  }

  flush(): void { this.#channel.flush(); }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#channel.end();
    } catch (e) {
      if (!(e instanceof OutputError && e.code === 'EPIPE')) throw e;
    } finally {
      if (this.#owned >= 0) { try { fs.closeSync(this.#owned); } catch { /* already gone */ } }
    }
  }
}

/**
 * A sink writing to `fd` as fast as the descriptor allows: pipes are reopened blocking (no
 * EAGAIN naps), large outputs go through a writer thread so translation overlaps the writes.
 * write() throws OutputError code EPIPE once the reader is gone (the CLI then stops and exits 0),
 * other write failures as OutputError with a one-line message. The descriptor itself is not
 * closed (it is standard output, usually).
 */
export function createFdSink(fd: number, options: FdSinkOptions = {}): Sink & { readonly threaded: boolean; readonly reopened: boolean } {
  const label = options.label ?? (fd === 1 ? '<stdout>' : `fd ${fd}`);
  try {
    return new FdSink(fd, options.mode ?? 'auto', label);
  } catch (e) {
    throw outputError(e, label);
  }
}
