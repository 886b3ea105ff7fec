// tracecap core: the numbers-only WebAssembly ABI. The host (src/translator.ts) copies capture
// bytes into the input window, calls push(), and drains NDJSON from the output window.
//
//   loop: n = min(inCap(), left); copy n bytes to inPtr(); status = push(n)
//         while status == OUTPUT_FULL: drain outPtr()/outLen(), outReset(), status = resume()
//   end:  status = finish(); drain
//
// status: 0 OK, 1 OUTPUT_FULL, ≥ 10 an error code (errors.ts) — sticky, with errOffset() and
// errPacket(). Records rendered before an error stay in the output window.
//
// filters (before the first chunk): write count × 8 bytes at bpfScratch(), setBpf(linktype,
// count) → 0 or a BPF_* code; filterL3/L4/Port/Net/TcpFlags/DenySocket for the software
// filters. A rejected packet writes no record but consumes its serial number.

import { Err, reason } from "./errors";
import { RECORD_RESERVE, MAX_OPTION, BPF_MAXINSNS } from "./config";
import * as reader from "./capture/reader";
import { Next } from "./capture/reader";
import { outBase, outLen as wOutLen, outReset as wOutReset, outFree, setWindows as wSetWindows, window as wWindow } from "./json/writer";
import { renderPacket, resetSerial, setFirstSerial, serial as serialNow, setRenderRange as setRenderRangeOf } from "./record/render";
import { resetAnalysis, setFlowCap } from "./flow/track";
import { fragReset } from "./ip/reassembly";
import { setHeadLimit } from "./http/h1";
import * as opts from "./record/options";
import * as bpf from "./filter/bpf";
import * as pf from "./filter/packet";
import * as E from "./record/entry";
import * as Sh from "./record/shard";
import { CONN_PARTS, OUT_WINDOWS, SHARD_BLOCK } from "./config";
import { Why, skipCount as skipCountOf } from "./flow/skips";
import { limitExchanges } from "./flow/conn";
import { heads, samples } from "./http/buffers";
import { tablePool } from "./http/hpackpool";

let limit: u64 = 0;   // stop after this many records (0 = no limit)
let records: u64 = 0; // records written (packets that passed the filters)
let done = false;     // the record limit was reached

/** Address where the host writes the next input chunk. */
export function inPtr(): usize { return reader.inPtr(); }
/** Bytes the host may write at inPtr() now. */
export function inCap(): i32 { return reader.inCap(); }
/** Address of the rendered NDJSON. */
export function outPtr(): usize { return outBase; }
/** Bytes of NDJSON waiting in the output window. */
export function outLen(): i32 { return wOutLen(); }
/** The host has drained the output window. */
export function outReset(): void { wOutReset(); E.reset(wWindow); Sh.resetMarks(wWindow); }

// Renders packets until the input runs dry, the output fills, or an error.
function run(): i32 {
  while (!done) {
    if (outFree() < RECORD_RESERVE || E.full() || Sh.marksFull()) return Err.OUTPUT_FULL;
    const r = reader.next();
    if (r == Next.NEED_MORE) break;
    if (r == Next.ERROR) return reader.errCode;
    if (renderPacket()) records++;
    // Like tcpdump -c, the limit counts packets that passed the filters (records written).
    if (limit != 0 && records >= limit) done = true;
  }
  reader.compact();
  return Err.OK;
}

/** Takes n bytes the host wrote at inPtr() and renders what they complete. */
export function push(n: i32): i32 {
  if (reader.errCode != Err.OK) return reader.errCode;
  if (done) return Err.OK;
  reader.append(n);
  return run();
}

/** Continues after OUTPUT_FULL once the host drained the output. */
export function resume(): i32 {
  if (reader.errCode != Err.OK) return reader.errCode;
  return run();
}

/** End of input: renders nothing more; reports truncation or an empty input. */
export function finish(): i32 {
  if (done) return Err.OK;
  const r = resume();
  if (r != Err.OK) return r;
  return reader.finishReader();
}

/** Starts over for a new capture (options are kept). */
export function reset(): void { reader.resetReader(); resetSerial(); resetAnalysis(); fragReset(); wOutReset(); E.reset(wWindow); Sh.resetMarks(wWindow); done = false; records = 0; }

/** Numbers the first packet n instead of 0 (a window cut from live traffic keeps its real serials). */
export function setSerial(n: f64): void { setFirstSerial(n > 0 ? <u64>n : 0); }

/** Stops after n records, i.e. packets that passed the filters (0 = all). */
export function setLimit(n: f64): void { limit = n > 0 ? <u64>n : 0; }

/** Serial of the next packet: every packet numbered below it has been rendered, filtered out, or left to another thread. */
export function nextSerial(): f64 { return <f64>serialNow; }

/** Bytes of memory the core has allocated so far (its allocator's top; each call allocates 16 bytes more, so it is for tests and measurement, not a loop). */
export function memoryUsed(): f64 { return <f64>heap.alloc(0); }

/** Sticky error code (0 when none). */
export function errCode(): i32 { return reader.errCode; }
/** File offset of the damaged record or block. */
export function errOffset(): f64 { return <f64>reader.errOffset; }
/** Packets read before the error (the damaged record would be number errPacket() + 1). */
export function errPacket(): f64 { return <f64>reader.packetCount; }
/** Packets read so far. */
export function packets(): f64 { return <f64>reader.packetCount; }
/** Records written so far (packets read minus those the filters rejected). */
export function recordsWritten(): f64 { return <f64>records; }

/** Writes the reason text of an error code at optScratch() and returns its length in bytes. */
export function errReason(code: i32): i32 {
  const s = reason(code);
  const n = String.UTF8.byteLength(s);
  if (n > MAX_OPTION) return 0;
  String.UTF8.encodeUnsafe(changetype<usize>(s), s.length, opts.OPT_SCRATCH);
  return n;
}

/** Scratch where the host writes option bytes. */
export function optScratch(): usize { return opts.OPT_SCRATCH; }
/** Capacity of the option scratch. */
export function optCap(): i32 { return MAX_OPTION; }
/** Sets string option key (1 project, 2 interface name, 3 log name, 4 id) from the scratch. */
export function setOption(key: i32, len: i32): bool { return opts.setOption(key, len); }
/** Adds a 4- or 16-byte interface address from the scratch. */
export function addAddr(len: i32): bool { return opts.addAddr(len); }
/** Adds OS interface `index` named by nameLen bytes in the scratch (attribution on `any`); 0 or an OsIfaceErr. */
export function addOsIface(index: i32, nameLen: i32): i32 { return opts.addOsIface(index, nameLen); }
/** Adds a 4- or 16-byte address from the scratch to the OS interface added last; 0 or an OsIfaceErr. */
export function addOsIfaceAddr(len: i32): i32 { return opts.addOsIfaceAddr(len); }
/** Empties the OS interface table (no attribution on `any`). */
export function clearOsIfaces(): void { opts.clearOsIfaces(); }
/** Sets the verbosity: 0 INFO, 1 DEBUG. */
export function setVerbosity(v: i32): void { opts.setVerbosity(v); }
/** Sets the interface index (-1: the capture's own interface ids). */
export function setIfaceIndex(i: i32): void { opts.setIfaceIndex(i); }
/** Takes MPLS payloads that are neither IPv4 nor IPv6 for Ethernet pseudowires (1) or not (0, the default). */
export function setMplsPseudowire(kind: i32): void { opts.setMplsPseudowire(kind); }
/** Sets the ephemeral port range used for `local`. */
export function setEphemeral(lo: i32, hi: i32): void { opts.setEphemeral(lo, hi); }
/** Caps the TCP connections tracked at DEBUG (0: the compiled maximum); before the first chunk. */
export function setMaxFlows(n: i32): void { setFlowCap(n); }
/** Caps the bytes of an HTTP/1 message head reassembled per direction (256..MAX_HEAD). */
export function setMaxHead(n: i32): void { setHeadLimit(n); }
/**
 * Lowers the DEBUG analysis' pools (0: the compiled size; each is shared out between the
 * connection parts, rounded up): exchanges held, head buffers, sample buffers, HPACK tables.
 * Before the first chunk.
 */
export function setPoolCaps(exchanges: i32, headBuffers: i32, sampleBuffers: i32, tables: i32): void {
  limitExchanges(exchanges); heads.limit(headBuffers); samples.limit(sampleBuffers); tablePool.limit(tables);
}

// ---- what the DEBUG analysis gave up (flow/skips.ts) ------------------------------------

/** Kinds of skipCount(): 1 … SKIP_KINDS, in the order of flow/skips.ts Why, then 12: buffers and tables reclaimed from idle live connections. */
export function skipKinds(): i32 { return <i32>Why.COUNT; }
/** How many times the analysis gave up something of kind k (skipKinds()) in this capture. */
export function skipCount(k: i32): f64 {
  if (k == <i32>Why.COUNT) return <f64>(heads.fromIdle + samples.fromIdle + tablePool.fromIdle);
  return <f64>skipCountOf(k);
}

// ---- record index (record/entry.ts): one entry per record, drained with the output ------

/** Turns the record index on (1) or off (0); before the first chunk. */
export function setIndexing(on: i32): void { E.setEnabled(on != 0); }
/** Address of the index entries of the records in the output window. */
export function idxPtr(): usize { return E.idxBase; }
/** Index entries waiting (one per record in the output window, in order). */
export function idxCount(): i32 { return E.count; }
/** Bytes of one index entry. */
export function idxEntryBytes(): i32 { return E.ENTRY_BYTES; }

// ---- parallel translation (record/shard.ts): set before the first chunk -----------------

/** Most threads of a parallel run (CONN_PARTS). */
export function maxShards(): i32 { return CONN_PARTS; }
/** Packets in one block of serials dealt to the threads of a parallel run (packets without a connection part). */
export function shardBlock(): i32 { return SHARD_BLOCK; }
/** Makes this translator thread k of n of a parallel run (1 ≤ n ≤ maxShards()); 0, or 1 when out of range. */
export function setShard(k: i32, n: i32): i32 { return Sh.setShard(k, n) ? 0 : 1; }
/**
 * Writes only the records numbered from..to (inclusive), any time between chunks; every packet
 * is still read and analysed, so those records are the bytes a whole run writes for them.
 */
export function setRenderRange(from: f64, to: f64): void { setRenderRangeOf(<u64>from, <u64>to); }
/**
 * Uses n output windows (1 ≤ n ≤ maxWindows()), before the first chunk: with more than one,
 * each outReset() hands the drained window (with its marks and index entries) to the host,
 * which may go on reading it while the core renders into the next ones, until the core comes
 * round to it again n − 1 drains later.
 */
export function setWindows(n: i32): void { wSetWindows(n); Sh.setWindows(n); E.setWindows(n); E.reset(0); Sh.resetMarks(0); }
/** Most output windows (OUT_WINDOWS). */
export function maxWindows(): i32 { return OUT_WINDOWS; }
/** Turns record marks on (1) or off (0): one mark (serial, length) per record, drained with the output. */
export function setMarks(on: i32): void { Sh.setMarking(on != 0); }
/** Address of the marks of the records in the output window. */
export function markPtr(): usize { return Sh.markBase; }
/** Marks waiting (one per record in the output window, in order). */
export function markCount(): i32 { return Sh.marks; }
/** Bytes of one mark. */
export function markBytes(): i32 { return Sh.MARK_BYTES; }

// ---- filters (filter/bpf.ts, filter/packet.ts): set before the first chunk ----------------

/** Where the host writes a classic BPF program: count × 8 bytes (u16 code, u8 jt, u8 jf, u32 k, little-endian). */
export function bpfScratch(): usize { return bpf.BPF_SCRATCH; }
/** Instructions a program may have (BPF_MAXINSNS). */
export function bpfCap(): i32 { return BPF_MAXINSNS; }
/** Validates the count instructions at bpfScratch() and sets them as the program of linkType; 0 or an Err code (errReason). */
export function setBpf(linkType: i32, count: i32): i32 { return bpf.setProgram(<u32>linkType, count); }
/** Instruction index the last rejected setBpf() complained about (-1: the whole program). */
export function bpfBadInsn(): i32 { return bpf.badInsn; }
/** Removes every BPF program. */
export function clearBpf(): void { bpf.clear(); }
/** Removes every software filter. */
export function clearFilters(): void { pf.reset(); }
/** Sets the software L3 set: bits 1 IPv4, 2 IPv6, 4 ARP. */
export function filterL3(mask: i32): void { pf.setL3(<u32>mask); }
/** Sets the software L4 set: bits 1 TCP, 2 UDP, 4 ICMP, 8 ICMPv6. */
export function filterL4(mask: i32): void { pf.setL4(<u32>mask); }
/** Sets the TCP flag mask (FIN 0x01 … CWR 0x80): a TCP segment needs one of them. */
export function filterTcpFlags(mask: i32): void { pf.setTcpFlags(<u32>mask); }
/** Allows (deny 0) or denies (deny 1) a port; false when out of range. */
export function filterPort(port: i32, deny: i32): bool { return pf.addPort(port, deny != 0); }
/** Adds the network of the len-byte (4/16) address at optScratch() with prefix bits; false when full or malformed. */
export function filterNet(len: i32, bits: i32): bool { return pf.addNet(opts.OPT_SCRATCH, len, bits); }
/** Denies a socket pair: addresses of len bytes at optScratch() and optScratch() + len; false when full or malformed. */
export function filterDenySocket(len: i32, portA: i32, portB: i32): bool {
  return pf.denySocket(opts.OPT_SCRATCH, portA, opts.OPT_SCRATCH + <usize>len, portB, len);
}
