// The `timing` object (README "Output"): what the analysis measured of an exchange — an HTTP/1
// exchange at top level, an HTTP/2 stream in the frame that ends it — or of a TLS handshake,
// from the packet's facts (facts/timing.ts). Durations are whole nanoseconds of capture time
// (`…_ns`), relative to the request's first byte (`start`, RFC 3339) for an exchange, to the
// SYN (`connect.syn`) for the handshake; counts are segments sent by the client / the server.

import { frag, w, b, i64dec, u32dec } from "./writer";
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
const K_OOO = frag("\"out_of_order\":{\"client\":");
const K_REQ_END = frag("\"request_end_ns\":");
const K_RESET_C = frag("\"reset\":\"client\"");
const K_RESET_S = frag("\"reset\":\"server\"");
const K_RES_END = frag("\"response_end_ns\":");
const K_RES_START = frag("\"response_start_ns\":");
const K_RETR = frag("\"retransmissions\":{\"client\":");
const K_START = frag("\"start\":\"");
const K_TLS = frag("\"tls_ns\":");
const K_ZW = frag("\"zero_windows\":{\"client\":");
const K_SERVER = frag(",\"server\":");

// A capture time in ns as RFC 3339.
function time(t: i64): void {
  let s = t / 1000000000, n = t % 1000000000;
  if (n < 0) { s--; n += 1000000000; }
  rfc3339(s, <i32>n);
  b(0x22);
}

function pair(k: u64, client: u32, server: u32): void { w(k); u32dec(client); w(K_SERVER); u32dec(server); b(0x7d); }

/** Writes `,"timing":{…}` for slot i of the packet's timings. */
export function renderTiming(i: i32): void {
  w(K_TIMING);
  const tls = unchecked(F.tKind[i]) == <u8>F.TimingKind.TLS;
  const start = unchecked(F.tReqFirst[i]);
  const reqLast = unchecked(F.tReqLast[i]), resFirst = unchecked(F.tResFirst[i]), resLast = unchecked(F.tResLast[i]);
  if (!tls && (reqLast != 0 || resLast != 0)) {
    w(K_BYTES);
    if (reqLast != 0) { w(K_BREQ); i64dec(unchecked(F.tReqBytes[i])); if (resLast != 0) b(0x2c); }
    if (resLast != 0) { w(K_BRES); i64dec(unchecked(F.tResBytes[i])); }
    b(0x7d); b(0x2c);
  }
  const syn = unchecked(F.tSyn[i]);
  if (syn != 0) {
    w(K_CONNECT);
    const ack = unchecked(F.tAck[i]), synAck = unchecked(F.tSynAck[i]);
    if (ack != 0) { w(K_ACK); i64dec(ack - syn); b(0x2c); }
    w(K_SYN); time(syn);
    if (synAck != 0) { b(0x2c); w(K_SYNACK); i64dec(synAck - syn); }
    b(0x7d); b(0x2c);
  }
  pair(K_OOO, unchecked(F.tOooC[i]), unchecked(F.tOooS[i])); b(0x2c);
  if (!tls && reqLast != 0) { w(K_REQ_END); i64dec(reqLast - start); b(0x2c); }
  const rst = unchecked(F.tReset[i]);
  if (rst != 0) { w(rst == 1 ? K_RESET_C : K_RESET_S); b(0x2c); }
  if (!tls && resLast != 0) { w(K_RES_END); i64dec(resLast - start); b(0x2c); }
  if (!tls && resFirst != 0) { w(K_RES_START); i64dec(resFirst - start); b(0x2c); }
  pair(K_RETR, unchecked(F.tRetrC[i]), unchecked(F.tRetrS[i])); b(0x2c);
  if (tls) {
    const ts = unchecked(F.tTlsStart[i]);
    w(K_START); time(ts); b(0x2c);
    w(K_TLS); i64dec(unchecked(F.tTlsEnd[i]) - ts); b(0x2c);
  } else { w(K_START); time(start); b(0x2c); }
  pair(K_ZW, unchecked(F.tZwC[i]), unchecked(F.tZwS[i]));
  b(0x7d);
}
