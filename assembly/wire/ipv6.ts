// IPv6 (RFC 8200) with the extension-header walk of §4 down to the transport. Extension
// headers with the generic (next header, length in 8-octet units) shape are skipped; the
// Fragment header (§4.5) ends the walk: a fragment's transport cannot be decoded alone.

import { MAX_IPV6_EXT } from "../config";
import { be16, be32 } from "../util/mem";
import { WireErr } from "./errors";

/** Decoded IPv6 header plus the transport found after its extension headers. */
export class Ipv6Repr {
  tclass: u32 = 0;
  flowLabel: u32 = 0;
  payloadLen: u32 = 0;
  nextHeader: u32 = 0;
  hopLimit: u32 = 0;
  src: usize = 0;
  dst: usize = 0;
  /** Protocol after the extension headers (the fixed header's next header when there are none). */
  proto: u32 = 0;
  /** Transport payload span (after extension headers). */
  payload: usize = 0;
  payloadCap: i32 = 0;
  /** A Fragment header was found. */
  fragment: bool = false;
  /** Its fragment offset in bytes, M flag and identification (RFC 8200 §4.5). */
  fragOff: u32 = 0;
  fragMore: bool = false;
  fragId: u32 = 0;
  /** Number of extension headers walked. */
  extCount: i32 = 0;
  truncated: bool = false;
}

/** Decodes the fixed IPv6 header at p and walks its extension headers. */
export function parseIpv6(p: usize, len: i32, r: Ipv6Repr): WireErr {
  if (len < 40) return WireErr.TRUNCATED;
  const w = be32(p);
  if (w >> 28 != 6) return WireErr.BAD_VERSION;
  r.tclass = (w >> 20) & 0xff;
  r.flowLabel = w & 0xfffff;
  r.payloadLen = be16(p + 4);
  r.nextHeader = <u32>load<u8>(p + 6);
  r.hopLimit = <u32>load<u8>(p + 7);
  r.src = p + 8;
  r.dst = p + 24;
  r.fragment = false; r.extCount = 0;
  let avail = len - 40;
  // A payload length of 0 with a hop-by-hop header is a jumbogram (RFC 2675): use what was captured.
  let plen = <i32>r.payloadLen;
  if (plen == 0 && r.nextHeader == 0) plen = avail;
  r.truncated = plen > avail;
  if (plen > avail) plen = avail;
  let q = p + 40;
  let nh = r.nextHeader;
  while (true) {
    if (nh == 0 || nh == 43 || nh == 60 || nh == 135 || nh == 139 || nh == 140 || nh == 51 || nh == 44) {
      if (r.extCount >= MAX_IPV6_EXT) { r.proto = nh; r.payload = q; r.payloadCap = plen; return WireErr.TOO_MANY_EXTENSIONS; }
      if (plen < 8) { r.proto = nh; r.payload = q; r.payloadCap = plen; return WireErr.TRUNCATED; }
      let hl: i32;
      if (nh == 44) {
        hl = 8; r.fragment = true;
        const om = be16(q + 2);
        r.fragOff = om & 0xfff8; r.fragMore = (om & 1) != 0; r.fragId = be32(q + 4);
      }
      else if (nh == 51) hl = (<i32>load<u8>(q + 1) + 2) << 2; // RFC 4302 §2.2: length in 4-octet units
      else hl = (<i32>load<u8>(q + 1) + 1) << 3;
      if (hl > plen) { r.proto = nh; r.payload = q; r.payloadCap = plen; return WireErr.TRUNCATED; }
      const next = <u32>load<u8>(q);
      r.extCount++;
      q += <usize>hl; plen -= hl;
      nh = next;
      if (r.fragment) break;
      continue;
    }
    break;
  }
  r.proto = nh;
  r.payload = q;
  r.payloadCap = plen;
  return WireErr.OK;
}
