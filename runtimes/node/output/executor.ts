// The part of the output layer that touches file descriptors: it runs either on the main thread
// (small outputs, /dev/null) or inside the writer thread (sink.ts). It is one self-contained
// function on purpose: the writer thread is started from its source text (Function#toString), so
// that it works unchanged from the tsc output, the esbuild CLI bundle and vitest, without a
// separate worker file whose path would differ between the three.

/** What an executor does; every method blocks until done and throws the fs error on failure. */
export interface Executor {
  /** Writes all of `bytes` to the current descriptor. */
  data(bytes: Uint8Array): void;
  /** Writes all of `views`, in order, to the current descriptor (writev: no copy into one buffer). */
  datav(views: Uint8Array[]): void;
  /** Makes `fd` the descriptor data() writes to. */
  setFd(fd: number): void;
  /** Closes `fd`, then renames `from` to `to` (both empty: no rename). */
  closeRename(fd: number, from: string, to: string): void;
  /** Deletes a file (a missing file is not an error: someone else removed it). */
  unlink(path: string): void;
}

/**
 * Creates an executor over Node's fs module. `wait(ms)` sleeps the calling thread; it is only
 * used when a descriptor that could not be made blocking (a socket, say) returns EAGAIN.
 */
export function makeExecutor(fs: typeof import('node:fs'), wait: (ms: number) => void): Executor {
  // Backoff for EAGAIN, doubling from EAGAIN_MIN_MS up to EAGAIN_MAX_MS: only descriptors the
  // sink could not reopen in blocking mode get here (pipes and FIFOs are reopened, see sink.ts).
  const EAGAIN_MIN_MS = 0.05;
  const EAGAIN_MAX_MS = 2;
  let fd = -1;
  return {
    data(bytes) {
      let off = 0;
      let nap = EAGAIN_MIN_MS;
      while (off < bytes.length) {
        try {
          off += fs.writeSync(fd, bytes, off, bytes.length - off);
          nap = EAGAIN_MIN_MS;
        } catch (e) {
          if ((e as { code?: string }).code !== 'EAGAIN') throw e;
          wait(nap);
          nap = Math.min(nap * 2, EAGAIN_MAX_MS);
        }
      }
    },
    datav(views) {
      // writev takes at most IOV_MAX (1024 on Linux) buffers; a short write leaves the rest.
      let i = 0;
      let nap = EAGAIN_MIN_MS;
      while (i < views.length) {
        const batch = views.slice(i, i + 1024);
        let n;
        try {
          n = fs.writevSync(fd, batch);
          nap = EAGAIN_MIN_MS;
        } catch (e) {
          if ((e as { code?: string }).code !== 'EAGAIN') throw e;
          wait(nap);
          nap = Math.min(nap * 2, EAGAIN_MAX_MS);
          continue;
        }
        while (i < views.length && n >= views[i]!.length) { n -= views[i]!.length; i++; }
        if (n > 0) views[i] = views[i]!.subarray(n);
      }
    },
    setFd(next) { fd = next; },
    closeRename(closeFd, from, to) {
      if (closeFd === fd) fd = -1;
      fs.closeSync(closeFd);
      if (from !== '') fs.renameSync(from, to);
    },
    unlink(path) {
      try { fs.unlinkSync(path); } catch (e) { if ((e as { code?: string }).code !== 'ENOENT') throw e; }
    },
  };
}
