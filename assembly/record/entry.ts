// The record index: one fixed-size entry per record written, for hosts that keep a compact
// per-packet index beside the NDJSON (the browser app). It is off by default, so the CLI and
// the Workers pay nothing; when on, an entry is written after each record and the entries are
// drained with the output window (index.ts: idxPtr/idxCount, reset by outReset).
//
// Entry layout (ENTRY_BYTES, little-endian; offsets are within the record's NDJSON line):
//   0 u32 record length in bytes, newline included
//   4 u32 offset of the HTTP object's value (0: none)      8 u32 its length
//  12 u32 offset of the top-level `logging.googleapis.com/trace` value's text (0: none)
//  16 u32 its length (the text between the quotes)
//  20 u16 L4 source port   22 u16 L4 destination port (0 without TCP/UDP)
//  24 f64 serial (pcap.num)
//  32 f64 capture time, seconds since the epoch   40 u32 nanoseconds within the second
//  44 u32 captured length  48 u32 original length
//  52 u8 network: 0 none, 1 ARP, 4 IPv4, 6 IPv6   53 u8 IP protocol number (0: none)
//  54 u8 TCP flags (FIN 0x01 … CWR 0x80)          55 u8 1 when the record has severity ERROR
//  56 u64 the record's top-level `flow` (the same for both directions of a connection; 0 for L2)
//  64 f64 file offset of the packet's captured bytes (for a host showing them as hex)
//  72 16 bytes source address, 88 16 bytes destination address (IPv4 in the first 4 bytes)
// 104 u32 record kind (decode.Kind)
// 108 u32 offset of the `message` value's text (the bytes between its quotes, JSON-escaped; 0: none)
// 112 u32 its length
// 116 u8 the connection part of a TCP packet analysed at DEBUG (flow/part.ts; 0xff: none): with
//        Translator.setShard(part, CONN_PARTS) a host re-renders the packet's record alone
// 117 reserved (0)
// 118 u16 the packet's file in a merged capture (src/merge.ts) plus one; 0 for any other capture
// 120 u32 offset of the top-level `timing` object's value (0: none)   124 u32 its length

import { IDX_CAP, OUT_WINDOWS } from "../config";
import * as d from "./decode";
import { Transport, Kind } from "./decode";
import { NetKind } from "../wire/link";
import * as reader from "../capture/reader";

/** Bytes of one index entry. */
export const ENTRY_BYTES: i32 = 128;
/** Start of the first entry array (each further output window gets its own, json/writer.ts). */
export const IDX_BASE: usize = heap.alloc(<usize>(IDX_CAP * ENTRY_BYTES));
const idxBases = new StaticArray<usize>(OUT_WINDOWS);
/** Start of the entries of the window being rendered into. */
export let idxBase: usize = IDX_BASE;

/** Whether entries are written (setIndexing). */
export let enabled = false;
/** Entries waiting to be drained. */
export let count: i32 = 0;

// Writer positions of the record being rendered (set by render.ts and trace/pick.ts).
let recStart: usize = 0;
let httpAt: usize = 0;
let timingAt: usize = 0;
let timingLen: i32 = 0;
let httpLen: i32 = 0;
let traceAt: usize = 0;
let traceLen: i32 = 0;
let msgAt: usize = 0;
let msgLen: i32 = 0;

/** Turns the index on or off (before the first chunk). */
export function setEnabled(on: bool): void { enabled = on; count = 0; }
/** Whether the entry array has no room for another record's entry. */
@inline export function full(): bool { return enabled && count >= IDX_CAP; }
/** The host drained the entries (with the output window), which is now window `w`. */
export function reset(w: i32): void { count = 0; idxBase = w == 0 ? IDX_BASE : unchecked(idxBases[w]); }

/** Keeps entries for n output windows (json/writer.ts setWindows). */
export function setWindows(n: i32): void {
  for (let k = 1; k < n && k < OUT_WINDOWS; k++) if (unchecked(idxBases[k]) == 0) unchecked(idxBases[k] = heap.alloc(<usize>(IDX_CAP * ENTRY_BYTES)));
}

/** A record starts at writer position p. */
@inline export function begin(p: usize): void { recStart = p; httpAt = 0; httpLen = 0; traceAt = 0; traceLen = 0; msgAt = 0; msgLen = 0; timingAt = 0; timingLen = 0; }
/** The record's `timing` value spans [p, p + len). */
@inline export function timing(p: usize, len: i32): void { timingAt = p; timingLen = len; }
/** The record's HTTP value spans [p, p + len). */
@inline export function http(p: usize, len: i32): void { httpAt = p; httpLen = len; }
/** The record's top-level trace text spans [p, p + len). */
@inline export function trace(p: usize, len: i32): void { traceAt = p; traceLen = len; }
/** The record's message text (between its quotes) spans [p, p + len). */
@inline export function message(p: usize, len: i32): void { msgAt = p; msgLen = len; }

/** Writes the entry of the record that ended at writer position end (after its newline). */
export function commit(end: usize, serial: u64, errored: bool, part: i32): void {
  const e = idxBase + <usize>(count * ENTRY_BYTES);
  memory.fill(e, 0, <usize>ENTRY_BYTES);
  store<u32>(e, <u32>(end - recStart));
  if (httpLen > 0) { store<u32>(e, <u32>(httpAt - recStart), 4); store<u32>(e, <u32>httpLen, 8); }
  if (traceLen > 0) { store<u32>(e, <u32>(traceAt - recStart), 12); store<u32>(e, <u32>traceLen, 16); }
  let sp: u32 = 0, dp: u32 = 0;
  if (d.transport == Transport.TCP) { sp = d.tcp.srcPort; dp = d.tcp.dstPort; store<u8>(e, <u8>d.tcp.flags, 54); }
  else if (d.transport == Transport.UDP) { sp = d.udp.srcPort; dp = d.udp.dstPort; }
  store<u16>(e, <u16>sp, 20); store<u16>(e, <u16>dp, 22);
  store<f64>(e, <f64>serial, 24);
  store<f64>(e, <f64>reader.pktSec, 32); store<u32>(e, <u32>reader.pktNsec, 40);
  store<u32>(e, <u32>reader.pktCapLen, 44); store<u32>(e, reader.pktOrigLen, 48);
  if (d.net == NetKind.IPV4) {
    store<u8>(e, 4, 52); store<u8>(e, <u8>d.proto, 53);
    memory.copy(e + 72, d.ip4.src, 4); memory.copy(e + 88, d.ip4.dst, 4);
  } else if (d.net == NetKind.IPV6) {
    store<u8>(e, 6, 52); store<u8>(e, <u8>d.proto, 53);
    memory.copy(e + 72, d.ip6.src, 16); memory.copy(e + 88, d.ip6.dst, 16);
  } else if (d.net == NetKind.ARP) store<u8>(e, 1, 52);
  store<u8>(e, errored ? 1 : 0, 55);
  if (d.kind != Kind.L2) store<u64>(e, d.flow, 56);
  store<f64>(e, <f64>reader.pktFileOffset(), 64);
  store<u32>(e, <u32>d.kind, 104);
  if (msgLen > 0) { store<u32>(e, <u32>(msgAt - recStart), 108); store<u32>(e, <u32>msgLen, 112); }
  store<u8>(e, part < 0 ? 0xff : <u8>part, 116);
  if (reader.srcFile >= 0) store<u16>(e, <u16>(reader.srcFile + 1), 118);
  if (timingLen > 0) { store<u32>(e, <u32>(timingAt - recStart), 120); store<u32>(e, <u32>timingLen, 124); }
  count++;
}
