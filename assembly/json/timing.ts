// The `timing` object (README "Output", "Exchange timing"): what the analysis measured of an
// exchange — an HTTP/1 exchange at top level (further ones ending in the same segment in
// `more`), HTTP/2 streams in `streams` — or of a TLS handshake, from the packet's facts
// (facts/timing.ts). Durations are whole nanoseconds of capture time (`…_ns`), relative to the
// request's first byte (`start`, RFC 3339) for an exchange, to the SYN (`connect.syn`) for the
// handshake; counts are segments sent by the client / the server; `request_num` and
// `response_num` are the serials (pcap.num) of the records with the heads. Keys are sorted.

import { frag, w, b, i64dec, u32dec, u64dec } from "./writer";
import { rfc3339 } from "./format";
import * as F from "../facts/timing";

const K_TIMING = frag(",\"timing\":{");
const K_BYTES = frag("\"bytes\":{");
const K_BREQ = frag("\"request\":");
const K_BRES = frag("\"response\":");
const K_CONNECT = frag("\"connect\":{");
const K_ACK = frag("\"ack_ns\":");
const K_SYN = frag("\"syn\":\"");
const K_SYNACK = frag("\"syn_ack_ns\":");
const K_MORE = frag("\"more\":[");
const K_MORE_LOST = frag("\"more_not_timed\":");
const K_OOO = frag("\"out_of_order\":{\"client\":");
const K_REQ_END = frag("\"request_end_ns\":");
const K_REQ_NUM = frag("\"request_num\":");
const K_RESET_C = frag("\"reset\":\"client\"");
const K_RESET_S = frag("\"reset\":\"server\"");
const K_RESET_STREAM = frag("\"reset\":\"stream\"");
const K_RESET_CODE = frag("\"reset_code\":\"");
const K_RES_END = frag("\"response_end_ns\":");
const K_RES_NUM = frag("\"response_num\":");
const K_RES_START = frag("\"response_start_ns\":");
const K_RETR = frag("\"retransmissions\":{\"client\":");
const K_START = frag("\"start\":\"");
const K_STREAM = frag("\"stream\":");
const K_STREAMS = frag("\"streams\":[");
const K_STREAMS_LOST = frag("\"streams_not_timed\":");
const K_TLS = frag("\"tls_ns\":");
const K_ZW = frag("\"zero_windows\":{\"client\":");
const K_SERVER = frag(",\"server\":");

// RFC 9113 §7's error codes by value (0x0-0xd); others are written in hex.
const CODES: StaticArray<u64> = [frag("NO_ERROR"), frag("PROTOCOL_ERROR"), frag("INTERNAL_ERROR"), frag("FLOW_CONTROL_ERROR"),
  frag("SETTINGS_TIMEOUT"), frag("STREAM_CLOSED"), frag("FRAME_SIZE_ERROR"), frag("REFUSED_STREAM"), frag("CANCEL"),
  frag("COMPRESSION_ERROR"), frag("CONNECT_ERROR"), frag("ENHANCE_YOUR_CALM"), frag("INADEQUATE_SECURITY"), frag("HTTP_1_1_REQUIRED")];
const HEX = "0123456789abcdef";

// A capture time in ns as RFC 3339.
function time(t: i64): void {
  let s = t / 1000000000, n = t % 1000000000;
  if (n < 0) { s--; n += 1000000000; }
  rfc3339(s, <i32>n);
  b(0x22);
}

function pair(k: u64, client: u32, server: u32): void { w(k); u32dec(client); w(K_SERVER); u32dec(server); b(0x7d); }

function code(v: u32): void {
  w(K_RESET_CODE);
  if (v < <u32>CODES.length) w(unchecked(CODES[v]));
  else {
    b(0x30); b(0x78);
    let started = false;
    for (let sh = 28; sh >= 0; sh -= 4) {
      const x = (v >> <u32>sh) & 15;
      if (x != 0 || started || sh == 0) { b(<i32>HEX.charCodeAt(<i32>x)); started = true; }
    }
  }
  b(0x22);
}

// Slots of kind k other than skip, as a JSON array's members.
function list(k: F.TimingKind, skip: i32): bool {
  let any = false;
  for (let j = 0; j < F.timingN; j++) {
    if (j == skip || unchecked(F.tKind[j]) != <u8>k) continue;
    if (any) b(0x2c);
    b(0x7b); members(j, false); b(0x7d);
    any = true;
  }
  return any;
}

@inline function has(k: F.TimingKind, skip: i32): bool {
  for (let j = 0; j < F.timingN; j++) if (j != skip && unchecked(F.tKind[j]) == <u8>k) return true;
  return false;
}

// The members of slot i's object; outer: the record's top-level one, which also lists `more` and `streams`.
function members(i: i32, outer: bool): void {
  const kind = unchecked(F.tKind[i]);
  const tls = kind == <u8>F.TimingKind.TLS;
  const bits = unchecked(F.tBits[i]);
  const start = unchecked(F.tReqFirst[i]);
  const reqLast = (bits & F.T_REQ_LAST) != 0, resLast = (bits & F.T_RES_LAST) != 0;
  if (!tls && (reqLast || resLast)) {
    w(K_BYTES);
    if (reqLast) { w(K_BREQ); i64dec(unchecked(F.tReqBytes[i])); if (resLast) b(0x2c); }
    if (resLast) { w(K_BRES); i64dec(unchecked(F.tResBytes[i])); }
    b(0x7d); b(0x2c);
  }
  if ((bits & F.T_SYN) != 0) {
    const syn = unchecked(F.tSyn[i]);
    w(K_CONNECT);
    if ((bits & F.T_ACK) != 0) { w(K_ACK); i64dec(unchecked(F.tAck[i]) - syn); b(0x2c); }
    w(K_SYN); time(syn);
    if ((bits & F.T_SYNACK) != 0) { b(0x2c); w(K_SYNACK); i64dec(unchecked(F.tSynAck[i]) - syn); }
    b(0x7d); b(0x2c);
  }
  if (outer && has(F.TimingKind.EXCHANGE, i)) { w(K_MORE); list(F.TimingKind.EXCHANGE, i); b(0x5d); b(0x2c); }
  if (outer && F.timingLostEx > 0) { w(K_MORE_LOST); u32dec(<u32>F.timingLostEx); b(0x2c); }
  pair(K_OOO, unchecked(F.tOooC[i]), unchecked(F.tOooS[i])); b(0x2c);
  if (!tls && reqLast) { w(K_REQ_END); i64dec(unchecked(F.tReqLast[i]) - start); b(0x2c); }
  if (!tls && (bits & F.T_REQ_NUM) != 0) { w(K_REQ_NUM); u64dec(unchecked(F.tReqNum[i])); b(0x2c); }
  const rst = unchecked(F.tReset[i]);
  if (rst == 3) {
    w(K_RESET_STREAM); b(0x2c);
    if ((bits & F.T_CODE) != 0) { code(unchecked(F.tResetCode[i])); b(0x2c); }
  } else if (rst != 0) { w(rst == 1 ? K_RESET_C : K_RESET_S); b(0x2c); }
  if (!tls && resLast) { w(K_RES_END); i64dec(unchecked(F.tResLast[i]) - start); b(0x2c); }
  if (!tls && (bits & F.T_RES_NUM) != 0) { w(K_RES_NUM); u64dec(unchecked(F.tResNum[i])); b(0x2c); }
  if (!tls && (bits & F.T_RES_FIRST) != 0) { w(K_RES_START); i64dec(unchecked(F.tResFirst[i]) - start); b(0x2c); }
  pair(K_RETR, unchecked(F.tRetrC[i]), unchecked(F.tRetrS[i])); b(0x2c);
  if (tls) {
    const ts = unchecked(F.tTlsStart[i]);
    w(K_START); time(ts); b(0x2c);
  } else { w(K_START); time(start); b(0x2c); }
  if (kind == <u8>F.TimingKind.STREAM) { w(K_STREAM); u32dec(unchecked(F.tStream[i])); b(0x2c); }
  if (outer && has(F.TimingKind.STREAM, i)) { w(K_STREAMS); list(F.TimingKind.STREAM, i); b(0x5d); b(0x2c); }
  if (outer && F.timingLostStreams > 0) { w(K_STREAMS_LOST); u32dec(<u32>F.timingLostStreams); b(0x2c); }
  if (tls) { w(K_TLS); i64dec(unchecked(F.tTlsEnd[i]) - unchecked(F.tTlsStart[i])); b(0x2c); }
  pair(K_ZW, unchecked(F.tZwC[i]), unchecked(F.tZwS[i]));
}

/** Whether the packet's record has a `timing` key. */
export function hasTiming(): bool { return F.timingN > 0 || F.timingLostEx > 0 || F.timingLostStreams > 0; }

/** Writes `,"timing":{…}`: the top-level slot's members, or (HTTP/2) the streams that ended in this packet. */
export function renderTiming(): void {
  w(K_TIMING);
  const top = F.timingTop;
  if (top >= 0) members(top, true);
  else {
    // No exchange or handshake of its own: the HTTP/1 exchanges or HTTP/2 streams that ended here.
    let sep = false;
    if (has(F.TimingKind.EXCHANGE, -1)) { w(K_MORE); list(F.TimingKind.EXCHANGE, -1); b(0x5d); sep = true; }
    if (F.timingLostEx > 0) { if (sep) b(0x2c); w(K_MORE_LOST); u32dec(<u32>F.timingLostEx); sep = true; }
    if (has(F.TimingKind.STREAM, -1)) { if (sep) b(0x2c); w(K_STREAMS); list(F.TimingKind.STREAM, -1); b(0x5d); sep = true; }
    if (F.timingLostStreams > 0) { if (sep) b(0x2c); w(K_STREAMS_LOST); u32dec(<u32>F.timingLostStreams); }
  }
  b(0x7d);
}
