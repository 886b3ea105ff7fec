// The abort of the WASI command's core (asconfig "wasi": --use abort=…): a bug in tracecap, never a
// property of the input. Self-contained — it may run while any module is still initialising, so
// it reads no global of another file: one line on standard error, then exit status 70.

@external("wasi_snapshot_preview1", "fd_write") declare function fd_write(fd: u32, iovs: usize, iovsLen: u32, nwritten: usize): u16;
@external("wasi_snapshot_preview1", "proc_exit") declare function proc_exit(code: u32): void;

/** Writes `tracecap: internal error at LINE:COLUMN …` and exits with status 70. */
export function wasiAbort(message: string | null, file: string | null, line: u32, column: u32): void {
  void message; void file;
  const text = String.UTF8.encode("tracecap: internal error at " + line.toString() + ":" + column.toString() + " (a bug in tracecap; please report it with the capture)\n");
  const iov = memory.data(16, 8), nret = memory.data(8, 8);
  store<u32>(iov, <u32>changetype<usize>(text)); store<u32>(iov, <u32>text.byteLength, 4);
  fd_write(2, iov, 1, nret);
  proc_exit(70);
}
