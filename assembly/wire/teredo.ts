// Teredo (RFC 4380 §5.1.1): IPv6 over UDP through NATs. The UDP payload is an IPv6 packet,
// optionally preceded by, in this order,
//
//   an authentication encapsulation: 0x0001 | ID-len(8) | AU-len(8) | client identifier
//     (ID-len bytes) | authentication value (AU-len bytes) | nonce(8 bytes) | confirmation(1 byte)
//   an origin indication: 0x0000 | origin port(16) | origin IPv4 address(32), both obfuscated
//     (every bit inverted, §5.1.1)
//
// An IPv6 packet starts with version 6, so its first two bytes are never 0x0000 or 0x0001.

import { be16, be32, u8at } from "../util/mem";
import { WireErr } from "./errors";
import { InnerKind } from "./tunnel";

/** Bytes of an origin indication. */
export const TEREDO_ORIGIN_LEN: i32 = 8;
/** Bytes of an authentication encapsulation without its client identifier and authentication value. */
export const TEREDO_AUTH_FIXED_LEN: i32 = 13;

/** Decoded Teredo indicators, and where the IPv6 packet starts. */
export class TeredoRepr {
  /** An authentication encapsulation is present. */
  hasAuth: bool = false;
  /** Start of the client identifier. */
  clientId: usize = 0;
  /** Bytes of the client identifier (ID-len). */
  clientIdLen: i32 = 0;
  /** Start of the authentication value. */
  auth: usize = 0;
  /** Bytes of the authentication value (AU-len). */
  authLen: i32 = 0;
  /** Start of the 8-byte nonce. */
  nonce: usize = 0;
  /** Confirmation byte. */
  confirmation: u32 = 0;
  /** An origin indication is present. */
  hasOrigin: bool = false;
  /** Origin UDP port, de-obfuscated. */
  originPort: u32 = 0;
  /** Origin IPv4 address, de-obfuscated (a.b.c.d as 0xaabbccdd). */
  originAddr: u32 = 0;
  /** Start of the IPv6 packet. */
  payload: usize = 0;
  /** Captured bytes of the IPv6 packet. */
  payloadLen: i32 = 0;
  /** What follows the indicators: IPv6 when decoded without error. */
  inner: InnerKind = InnerKind.UNKNOWN;
}

/** Decodes the Teredo indicators at p (a UDP payload) and finds the IPv6 packet. */
export function parseTeredo(p: usize, len: i32, r: TeredoRepr): WireErr {
  r.hasAuth = false; r.clientId = 0; r.clientIdLen = 0; r.auth = 0; r.authLen = 0; r.nonce = 0;
  r.confirmation = 0; r.hasOrigin = false; r.originPort = 0; r.originAddr = 0;
  r.payload = p; r.payloadLen = 0; r.inner = InnerKind.UNKNOWN;
  let q = 0;
  if (len >= 2 && be16(p) == 0x0001) {
    if (len < 4) return WireErr.TRUNCATED;
    r.hasAuth = true;
    r.clientIdLen = <i32>u8at(p + 2);
    r.authLen = <i32>u8at(p + 3);
    const al = TEREDO_AUTH_FIXED_LEN + r.clientIdLen + r.authLen;
    if (len < al) return WireErr.TRUNCATED;
    r.clientId = p + 4;
    r.auth = r.clientId + <usize>r.clientIdLen;
    r.nonce = r.auth + <usize>r.authLen;
    r.confirmation = u8at(r.nonce + 8);
    q = al;
  }
  if (len >= q + 2 && be16(p + <usize>q) == 0x0000) {
    if (len < q + TEREDO_ORIGIN_LEN) return WireErr.TRUNCATED;
    r.hasOrigin = true;
    r.originPort = be16(p + <usize>q + 2) ^ 0xffff;
    r.originAddr = ~be32(p + <usize>q + 4);
    q += TEREDO_ORIGIN_LEN;
  }
  r.payload = p + <usize>q;
  r.payloadLen = len - q;
  // An IPv6 packet must follow (a bubble is one too: an IPv6 header with no payload). A lone
  // 0x00 may be the start of an indicator cut short.
  if (r.payloadLen < 1) return WireErr.TRUNCATED;
  const b0 = u8at(r.payload);
  if (b0 >> 4 != 6) return r.payloadLen == 1 && b0 == 0 ? WireErr.TRUNCATED : WireErr.BAD_VERSION;
  r.inner = InnerKind.IPV6;
  return WireErr.OK;
}
