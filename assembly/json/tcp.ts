// The L4 object of a TCP segment (flags, options, window scale, endpoints; reference
// §2.3.6–§2.3.7), and the flag names the message uses.

import { frag, wi, fragBytes, w, b, raw, lp, u32dec, u64dec, u64decCached, i64dec, hex32, bin32, hexBytes, pos, rollback, setPos, renderBuffer } from "./writer";
import * as d from "../record/decode";
import { be16, be32 } from "../util/mem";
import { tcpPortName, udpPortName } from "../names";
import { K_ARROW, K_L4, comma, key, q } from "./emit";
import { K_EP_DST, K_EP_END, K_EP_FWD, K_EP_HASH, K_EP_SRC, L4_EP_CACHE } from "./l3";

const K_ACK = frag("\"ack\":");
const K_DPROTO = frag(",\"dproto\":\"");
const K_DST_N_Q = frag("\",\"dst\":");
const K_DST_N = frag(",\"dst\":");
const K_L4EP = frag(",\"endpoints\":{\"bwd\":\"");
const K_FLAGS_INFO = frag(",\"flags\":{\"dec\":");
const K_FLAGS_DBG = frag(",\"flags\":{\"bin\":\"0b");
const K_FLAGS_DEC = frag("\",\"dec\":");
const K_FLAGS_HEX = frag(",\"hex\":\"0x");
const K_FLAGS_MAP = frag("\",\"map\":{\"ACK\":");
const K_MAP_CWR = frag(",\"CWR\":");
const K_MAP_ECE = frag(",\"ECE\":");
const K_MAP_FIN = frag(",\"FIN\":");
const K_MAP_NS = frag(",\"NS\":");
const K_MAP_PSH = frag(",\"PSH\":");
const K_MAP_RST = frag(",\"RST\":");
const K_MAP_SYN = frag(",\"SYN\":");
const K_MAP_URG = frag(",\"URG\":");
const K_STR_C = frag("},\"str\":\"");
const K_STR = frag(",\"str\":\"");
const K_L4_FLOW = frag("\"},\"flow\":\"");
const K_L4_LEN = frag("\",\"len\":\"");
const K_OFF = frag("\",\"off\":");
const K_OPTS_ALWAYS = frag(",\"opts\":[");
const K_SEQ = frag("],\"seq\":");
export const K_SPROTO = frag(",\"sproto\":\"");
const K_SRC_N_Q = frag("\",\"src\":");
export const K_SRC_N = frag(",\"src\":");
const K_URG = frag(",\"urg\":");
const K_URG0_WIN = frag(",\"urg\":0,\"win\":");
const K_OFF8_OPTS = frag("\",\"off\":8,\"opts\":[");
const K_OFF5_OPTS = frag("\",\"off\":5,\"opts\":[");
const K_WIN = frag(",\"win\":");
export const K_XSUM = frag(",\"xsum\":");
const K_XWIN = frag(",\"xwin\":\"");
const K_TRUE = frag("true");
const K_FALSE = frag("false");

// Flag strings: pcap-sidecar's fixed table for common combinations, otherwise the set flags
// joined with '|' in bit order FIN, SYN, RST, PSH, ACK, URG, ECE, CWR (upstream uses Go map
// order there, which is random; this is tracecap's fixed rule).
const FLAG_STR = new StaticArray<u64>(256);
function initFlagStrings(): void {
  const names = ["FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"];
  for (let v = 0; v < 256; v++) {
    let s = "";
    for (let i = 0; i < 8; i++) if ((v >> i) & 1) s += (s.length ? "|" : "") + names[i];
    unchecked(FLAG_STR[v] = frag(s));
  }
  // The table entries whose order differs from bit order.
  unchecked(FLAG_STR[0x12] = frag("SYN|ACK")); unchecked(FLAG_STR[0x06] = frag("SYN|RST"));
  unchecked(FLAG_STR[0x18] = frag("PSH|ACK")); unchecked(FLAG_STR[0x11] = frag("FIN|ACK"));
  unchecked(FLAG_STR[0x14] = frag("RST|ACK")); unchecked(FLAG_STR[0x30] = frag("URG|ACK"));
  unchecked(FLAG_STR[0x1a] = frag("SYN|PSH|ACK")); unchecked(FLAG_STR[0x15] = frag("FIN|RST|ACK"));
}
initFlagStrings();

// The whole `flags` object of every flag byte (and NS bit at DEBUG), rendered once at start.
const FLAGS_DEBUG = new StaticArray<u64>(512);
const FLAGS_INFO = new StaticArray<u64>(256);
function initFlagObjects(): void {
  const scratch = renderBuffer(512);
  const save = pos;
  for (let v = 0; v < 512; v++) {
    const f = <u32>(v & 0xff), ns = v >= 256;
    setPos(scratch);
    w(K_FLAGS_DBG); bin32(f); w(K_FLAGS_DEC); u32dec(f); w(K_FLAGS_HEX); hex32(f);
    w(K_FLAGS_MAP); bool_((f & 0x10) != 0); w(K_MAP_CWR); bool_((f & 0x80) != 0); w(K_MAP_ECE); bool_((f & 0x40) != 0);
    w(K_MAP_FIN); bool_((f & 0x01) != 0); w(K_MAP_NS); bool_(ns); w(K_MAP_PSH); bool_((f & 0x08) != 0);
    w(K_MAP_RST); bool_((f & 0x04) != 0); w(K_MAP_SYN); bool_((f & 0x02) != 0); w(K_MAP_URG); bool_((f & 0x20) != 0);
    w(K_STR_C); flagStr(f);
    unchecked(FLAGS_DEBUG[v] = fragBytes(scratch, <i32>(pos - scratch)));
    if (v < 256) {
      setPos(scratch);
      w(K_FLAGS_INFO); u32dec(f); w(K_STR); flagStr(f);
      unchecked(FLAGS_INFO[v] = fragBytes(scratch, <i32>(pos - scratch)));
    }
  }
  setPos(save);
}

/** Writes the flags string of a TCP flag byte (no quotes). */
export function flagStr(v: u32): void { w(unchecked(FLAG_STR[v & 0xff])); }
initFlagObjects();

// gopacket TCPOptionKind names (kinds 0..15), else Unknown(<n>).
const OPT_NAMES = new StaticArray<u64>(16);
function initOptNames(): void {
  const n = ["EndList", "NOP", "MSS", "WindowScale", "SACKPermitted", "SACK", "Echo", "EchoReply", "Timestamps",
    "PartialOrderConnectionPermitted", "PartialOrderServiceProfile", "CC", "CCNew", "CCEcho", "AltChecksum", "AltChecksumData"];
  for (let i = 0; i < 16; i++) unchecked(OPT_NAMES[i] = frag(n[i]));
}
initOptNames();
const K_UNKNOWN_OPT = frag("Unknown(");

function optName(kind: u32): void {
  if (kind < 16) w(unchecked(OPT_NAMES[kind]));
  else { w(K_UNKNOWN_OPT); u32dec(kind); b(0x29); }
}

// Window scale found while rendering options; xwin is written at the end of L4.
let xwinSet = false;
let xwinVal: i64 = 0;

const K_WS_DEC = frag("{\"dec\":");
const K_WS_HEX = frag(",\"hex\":\"");
const K_WS_SCALE = frag("\",\"scale\":\"");
const K_WS_WIN = frag("\",\"win\":\"");
const K_WS_END = frag("\"}");

// Writes "0x<hex of data>" with trailing '0' characters removed (upstream trims the token
// with a cutset of "0"), inside quotes. Returns the address of the first hex digit.
function hexToken(p: usize, len: i32): usize {
  q(); b(0x30); b(0x78);
  const start = pos;
  hexBytes(p, len);
  let e = pos;
  while (e > start && load<u8>(e - 1) == 0x30) e--;
  rollback(e);
  q();
  return start;
}

function tcpOptions(dbg: bool): void {
  const t = d.tcp;
  xwinSet = false;
  for (let i = 0; i < t.optCount; i++) {
    if (i > 0) comma();
    const kind = <u32>unchecked(t.optKind[i]);
    const p = unchecked(t.optData[i]);
    const len = <i32>unchecked(t.optLen[i]);
    if (len == 0) { q(); optName(kind); q(); continue; }
    b(0x7b); q(); optName(kind); q(); b(0x3a); b(0x5b);
    if (kind == 2 && len >= 2) {
      q(); u32dec(be16(p)); q(); comma(); hexToken(p, len);
    } else if (kind == 8 && len == 8) {
      if (dbg) { q(); u32dec(be32(p)); q(); comma(); q(); u32dec(be32(p + 4)); q(); comma(); }
      hexToken(p, len);
    } else if (kind == 3) {
      windowScale(p, len, dbg);
    } else {
      hexToken(p, len);
    }
    b(0x5d); b(0x7d);
  }
}

// WindowScale: the trimmed hex token parsed as a number is the shift; upstream computes the
// scaled window as win * (2 << (shift - 1)) in 64-bit integers.
function windowScale(p: usize, len: i32, dbg: bool): void {
  const mark = pos;
  const start = hexToken(p, len);
  const end = pos - 1; // before the closing quote
  const digits = <i32>(end - start);
  if (digits == 0 || digits > 16) return; // "0x" alone (shift 0) does not parse: keep the token
  let shift: u64 = 0;
  for (let a = start; a < end; a++) {
    const c = <u32>load<u8>(a);
    shift = (shift << 4) | <u64>(c <= 0x39 ? c - 0x30 : c - 0x57);
  }
  if (shift > <u64>i64.MAX_VALUE) return;
  const scale: i64 = shift - 1 >= 64 ? 0 : <i64>(<u64>2 << (shift - 1));
  const win: i64 = <i64>d.tcp.window * scale;
  xwinSet = true; xwinVal = win;
  if (!dbg) { rollback(mark); return; }
  // DEBUG replaces the token by an object; copy the token first, it is overwritten.
  const tokLen = digits;
  const tmp = tokenScratch;
  memory.copy(tmp, start, <usize>tokLen);
  rollback(mark);
  w(K_WS_DEC); u64dec(shift); w(K_WS_HEX); b(0x30); b(0x78); raw(tmp, tokLen);
  w(K_WS_SCALE); i64dec(scale); w(K_WS_WIN); i64dec(win); w(K_WS_END);
}
const tokenScratch: usize = heap.alloc(32);

function portName(tcp: bool, port: u32): usize { return tcp ? tcpPortName(port) : udpPortName(port); }

export function l4Endpoints(sp: u32, dp: u32, typeId: u64): void {
  const key = (typeId << 32) | (<u64>sp << 16) | <u64>dp;
  if (L4_EP_CACHE.emit(key, 0)) return;
  const start = pos;
  l4EndpointsText(sp, dp, typeId);
  L4_EP_CACHE.put(key, 0, start);
}

function l4EndpointsText(sp: u32, dp: u32, typeId: u64): void {
  w(K_L4EP); u32dec(dp); w(K_ARROW); u32dec(sp);
  w(K_EP_DST); u32dec(dp); w(K_EP_FWD); u32dec(sp); w(K_ARROW); u32dec(dp);
  w(K_EP_HASH); u64decCached(d.portHash(sp, dp, typeId)); w(K_EP_SRC); u32dec(sp); w(K_EP_END);
}

function bool_(v: bool): void { w(v ? K_TRUE : K_FALSE); }

// Where renderTcp wrote seq and ack in the current record (the message repeats them).
export let seqText: usize = 0, seqTextLen: i32 = 0, ackText: usize = 0, ackTextLen: i32 = 0;
export let seqAckFor: u64 = <u64>-1;

export function renderTcp(dbg: bool, num: u64): void {
  const t = d.tcp;
  wi(K_L4); wi(K_ACK); ackText = pos; u32dec(t.ack); ackTextLen = <i32>(pos - ackText);
  if (dbg) { const dn = tcpPortName(t.dstPort); if (dn) { wi(K_DPROTO); lp(dn); wi(K_DST_N_Q); } else wi(K_DST_N); }
  else wi(K_DST_N);
  u32dec(t.dstPort);
  if (dbg) {
    l4Endpoints(t.srcPort, t.dstPort, 4);
    wi(unchecked(FLAGS_DEBUG[(t.flags & 0xff) | (t.ns ? 0x100 : 0)]));
  } else {
    wi(unchecked(FLAGS_INFO[t.flags & 0xff]));
  }
  wi(K_L4_FLOW); u64decCached(d.l4Flow); wi(K_L4_LEN); u32dec(<u32>t.payloadLen);
  if (t.dataOff == 8) wi(K_OFF8_OPTS); else if (t.dataOff == 5) wi(K_OFF5_OPTS); else { wi(K_OFF); u32dec(t.dataOff); wi(K_OPTS_ALWAYS); }
  tcpOptions(dbg);
  wi(K_SEQ); seqText = pos; u32dec(t.seq); seqTextLen = <i32>(pos - seqText); seqAckFor = num;
  if (dbg) { const sn = tcpPortName(t.srcPort); if (sn) { wi(K_SPROTO); lp(sn); q(); } }
  wi(K_SRC_N); u32dec(t.srcPort);
  if (t.urg == 0) wi(K_URG0_WIN); else { wi(K_URG); u32dec(t.urg); wi(K_WIN); }
  u32dec(t.window);
  wi(K_XSUM); u32dec(t.xsum);
  if (xwinSet) { wi(K_XWIN); i64dec(xwinVal); q(); }
  b(0x7d); comma();
}
