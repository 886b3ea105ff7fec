// tracecap as a WASI command (build/tracecap-wasi.wasm, `npm run build`): the same core as the
// library module, driven from inside instead of by a host. It reads a capture on standard input
// and writes NDJSON on standard output, with the CLI's options (those that describe a capture
// file), exit statuses and one-line errors. The imports are WASI preview 1's, written by hand
// (five functions; see the README on why not @assemblyscript/wasi-shim); the library module
// (index.ts) never imports WASI, so browsers and Workers are unchanged.
//
// Exit status: 0 success; 1 a usage error (one line, then the usage, on standard error); 2 the
// input is not a capture or is damaged (every record before the damage is written, then
// `tracecap: <stdin>: REASON at byte offset N (packet M)`), or the output cannot be written.

import { push, resume, finish, inPtr, inCap, outPtr, outLen, outReset, setLimit, recordsWritten, errOffset, errPacket, errReason, optScratch, setOption, addAddr, setVerbosity, setIfaceIndex } from "./index";
import { Err } from "./errors";
import { MAX_OPTION } from "./config";
import { Opt } from "./record/options";
import { parseAddr } from "./util/addr";
// The core's abort in this build (asconfig "wasi": --use abort=assembly/wasi/abort/wasiAbort).
import "./wasi/abort";

// ---- WASI preview 1 (wasi_snapshot_preview1), the functions used -------------------------

@external("wasi_snapshot_preview1", "args_sizes_get") declare function args_sizes_get(argc: usize, bufSize: usize): u16;
@external("wasi_snapshot_preview1", "args_get") declare function args_get(argv: usize, buf: usize): u16;
@external("wasi_snapshot_preview1", "environ_sizes_get") declare function environ_sizes_get(count: usize, bufSize: usize): u16;
@external("wasi_snapshot_preview1", "environ_get") declare function environ_get(environ: usize, buf: usize): u16;
@external("wasi_snapshot_preview1", "fd_read") declare function fd_read(fd: u32, iovs: usize, iovsLen: u32, nread: usize): u16;
@external("wasi_snapshot_preview1", "fd_write") declare function fd_write(fd: u32, iovs: usize, iovsLen: u32, nwritten: usize): u16;
@external("wasi_snapshot_preview1", "proc_exit") declare function proc_exit(code: u32): void;

const ERRNO_AGAIN: u16 = 6;
const ERRNO_INTR: u16 = 27;
const ERRNO_PIPE: u16 = 64;

const IOV: usize = memory.data(16, 8);
const NRET: usize = memory.data(8, 8);

// The -c limit: like the CLI, stop reading once that many records are written.
let maxRecords: f64 = 0;

/** Exit statuses, as the CLI's. */
const enum Exit { OK = 0, USAGE = 1, FAILED = 2, INTERNAL = 70 }

// The errno of the last failed write (ERRNO_PIPE: the reader went away).
let writeErr: u16 = 0;

// Writes all of [p, p + n) to fd; false when the descriptor refuses.
function writeAll(fd: u32, p: usize, n: i32): bool {
  while (n > 0) {
    store<u32>(IOV, <u32>p); store<u32>(IOV, <u32>n, 4);
    const e = fd_write(fd, IOV, 1, NRET);
    if (e == ERRNO_AGAIN || e == ERRNO_INTR) continue; // a non-blocking pipe that is full
    if (e != 0) { writeErr = e; return false; }
    const w = <i32>load<u32>(NRET);
    p += <usize>w; n -= w;
  }
  return true;
}

function writeStr(fd: u32, s: string): void {
  const b = String.UTF8.encode(s);
  writeAll(fd, changetype<usize>(b), b.byteLength);
}

const USAGE = `usage: tracecap-wasi [options] [-] < CAPTURE
Reads a pcap or pcapng capture on standard input and writes one JSON record per packet (NDJSON)
on standard output, in the format pcap-sidecar writes to Cloud Logging (the tracecap CLI's
translation, run by any WASI runtime).

  --verbosity info|debug   record detail (default: debug)
  --project ID             Google Cloud project for trace names (default: $PROJECT_ID)
  -c N                     stop after N records
  --iface NAME             capture interface name (default: pcapng if_name, else "any")
  --iface-index N          capture interface index (default: the capture's interface id)
  --iface-addr ADDR        an address of the capture interface (repeatable); marks "local"
  --log-name NAME          log name, the operation's producer (default: log/tracecap)
  --id ID                  context id, prefix of the operation id (default: tracecap)
  -h, --help               show this help

Exit status: 0 success; 1 usage error; 2 the input is not a capture or is damaged (every record
before the damage is written, then one line on standard error), or the output cannot be written.
`;

function usage(message: string): u32 {
  writeStr(2, "tracecap: " + message + "\n" + USAGE);
  return Exit.USAGE;
}

// Sets a string option from the bytes [p, p + n); false when longer than MAX_OPTION.
function option(key: i32, p: usize, n: i32): bool {
  if (n > MAX_OPTION) return false;
  memory.copy(optScratch(), p, <usize>n);
  setOption(key, n);
  return true;
}

// A decimal number of at most 15 digits, or -1.
function decimal(s: string): f64 {
  if (s.length == 0 || s.length > 15) return -1;
  let v: f64 = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    v = v * 10 + <f64>(c - 48);
  }
  return v;
}

function bytesOf(s: string): ArrayBuffer { return String.UTF8.encode(s); }

// The environment's PROJECT_ID, or null.
function envProject(): string | null {
  if (environ_sizes_get(NRET, NRET + 4) != 0) return null;
  const count = load<u32>(NRET), size = load<u32>(NRET + 4);
  const ptrs = heap.alloc(<usize>(count * 4 + 4)), buf = heap.alloc(<usize>size + 1);
  if (environ_get(ptrs, buf) != 0) return null;
  for (let i: u32 = 0; i < count; i++) {
    const e = String.UTF8.decodeUnsafe(load<u32>(ptrs + <usize>(i * 4)), <usize>strlen(load<u32>(ptrs + <usize>(i * 4))));
    if (e.startsWith("PROJECT_ID=")) return e.substring(11);
  }
  return null;
}

function strlen(p: usize): i32 { let n = 0; while (load<u8>(p + <usize>n) != 0) n++; return n; }

function args(): string[] {
  const out = new Array<string>();
  if (args_sizes_get(NRET, NRET + 4) != 0) return out;
  const count = load<u32>(NRET), size = load<u32>(NRET + 4);
  const ptrs = heap.alloc(<usize>(count * 4 + 4)), buf = heap.alloc(<usize>size + 1);
  if (args_get(ptrs, buf) != 0) return out;
  for (let i: u32 = 1; i < count; i++) { const p = load<u32>(ptrs + <usize>(i * 4)); out.push(String.UTF8.decodeUnsafe(p, <usize>strlen(p))); }
  return out;
}

// Reads the command line into the core's options; 0, or the exit status of a usage error (or
// of --help).
function configure(argv: string[]): i32 {
  // The CLI's defaults (src/translator.ts configure()).
  const project = envProject();
  const p = bytesOf(project === null ? "" : project);
  option(Opt.PROJECT, changetype<usize>(p), p.byteLength);
  const ln = bytesOf("log/tracecap"); option(Opt.LOG_NAME, changetype<usize>(ln), ln.byteLength);
  const id = bytesOf("tracecap"); option(Opt.ID, changetype<usize>(id), id.byteLength);
  setVerbosity(1);
  let i = 0;
  let seenInput = false;
  while (i < argv.length) {
    const a = argv[i++];
    if (a == "-h" || a == "--help") { writeStr(1, USAGE); return -1; }
    if (a == "-") { if (seenInput) return <i32>usage("one input only"); seenInput = true; continue; }
    if (!a.startsWith("-")) return <i32>usage("the capture is read on standard input (tracecap-wasi < " + a + ")");
    let name = a, value: string | null = null;
    const eq = a.indexOf("=");
    if (a.startsWith("--") && eq > 0) { name = a.substring(0, eq); value = a.substring(eq + 1); }
    const known = name == "--verbosity" || name == "--project" || name == "-c" || name == "--iface" || name == "--iface-index"
      || name == "--iface-addr" || name == "--log-name" || name == "--id";
    if (!known) return <i32>usage("unknown option " + name);
    if (value === null) {
      if (i >= argv.length) return <i32>usage("option " + name + " needs a value");
      value = argv[i++];
    }
    const v = changetype<string>(value);
    const b = bytesOf(v);
    if (name == "--verbosity") {
      const lower = v.toLowerCase();
      if (lower != "info" && lower != "debug") return <i32>usage("--verbosity must be info or debug, not \"" + v + "\"");
      setVerbosity(lower == "info" ? 0 : 1);
    } else if (name == "-c") {
      const n = decimal(v);
      if (n < 1) return <i32>usage("-c must be a positive integer, not \"" + v + "\"");
      maxRecords = n;
      setLimit(n);
    } else if (name == "--iface-index") {
      const n = decimal(v);
      if (n < 0 || n > 2147483647) return <i32>usage("--iface-index must be a non-negative integer, not \"" + v + "\"");
      setIfaceIndex(<i32>n);
    } else if (name == "--iface-addr") {
      const len = parseAddr(changetype<usize>(b), b.byteLength, optScratch());
      if (len == 0) return <i32>usage("not an IP address: \"" + v + "\"");
      if (!addAddr(len)) return <i32>usage("too many interface addresses (limit 64)");
    } else {
      const key = name == "--project" ? Opt.PROJECT : name == "--iface" ? Opt.IFACE_NAME : name == "--log-name" ? Opt.LOG_NAME : Opt.ID;
      if (!option(key, changetype<usize>(b), b.byteLength)) return <i32>usage(name + " is longer than " + MAX_OPTION.toString() + " bytes");
    }
  }
  return 0;
}

// Drains the output window to standard output; false when it cannot be written.
function drain(): bool {
  const n = outLen();
  const ok = n == 0 || writeAll(1, outPtr(), n);
  outReset();
  return ok;
}

// Follows a status of push/resume/finish: drains on OUTPUT_FULL; 0 OK, -1 output failed, or an error code.
function follow(status: i32): i32 {
  while (status == Err.OUTPUT_FULL) {
    if (!drain()) return -1;
    status = resume();
  }
  if (!drain()) return -1;
  return status;
}

// Standard output refused a write: a reader that went away ends the run quietly, as the CLI's EPIPE.
function outputFailed(): u32 {
  if (writeErr == ERRNO_PIPE) return Exit.OK;
  writeStr(2, "tracecap: <stdout>: cannot be written (WASI errno " + writeErr.toString() + ")\n");
  return Exit.FAILED;
}

function failure(code: i32): u32 {
  const n = errReason(code);
  const reason = String.UTF8.decodeUnsafe(optScratch(), <usize>n);
  // As src/errors.ts CaptureError: an empty input has no place to point at.
  const where = code == Err.EMPTY ? "" : " at byte offset " + (<u64>errOffset()).toString() + " (packet " + (<u64>errPacket() + 1).toString() + ")";
  writeStr(2, "tracecap: <stdin>: " + reason + where + "\n");
  return Exit.FAILED;
}

function run(): u32 {
  const c = configure(args());
  if (c != 0) return c < 0 ? Exit.OK : <u32>c;
  let limit = false;
  while (true) {
    const room = inCap();
    store<u32>(IOV, <u32>inPtr()); store<u32>(IOV, <u32>room, 4);
    const e = fd_read(0, IOV, 1, NRET);
    if (e == ERRNO_AGAIN || e == ERRNO_INTR) continue;
    if (e != 0) { writeStr(2, "tracecap: <stdin>: cannot be read (WASI errno " + e.toString() + ")\n"); return Exit.FAILED; }
    const n = <i32>load<u32>(NRET);
    if (n == 0) break;
    const r = follow(push(n));
    if (r < 0) return outputFailed();
    if (r != Err.OK) return failure(r);
    if (limitReached()) { limit = true; break; }
  }
  const r = follow(finish());
  if (r < 0) return outputFailed();
  if (r != Err.OK && !limit) return failure(r);
  return Exit.OK;
}

function limitReached(): bool { return maxRecords > 0 && recordsWritten() >= maxRecords; }

/** The command's entry point (WASI `_start`). */
export function _start(): void {
  const code = run();
  if (code != Exit.OK) proc_exit(code);
}
