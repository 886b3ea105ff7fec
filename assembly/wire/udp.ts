// UDP (RFC 768). The length field bounds the payload; 0 means a jumbogram (RFC 2675 §4):
// the payload is everything captured.

import { be16 } from "../util/mem";
import { WireErr } from "./errors";

/** Decoded UDP header. */
export class UdpRepr {
  srcPort: u32 = 0;
  dstPort: u32 = 0;
  length: u32 = 0;
  xsum: u32 = 0;
  payload: usize = 0;
  payloadLen: i32 = 0;
  truncated: bool = false;
}

/** Decodes the UDP header at p. */
export function parseUdp(p: usize, len: i32, r: UdpRepr): WireErr {
  if (len < 8) return WireErr.TRUNCATED;
  r.srcPort = be16(p);
  r.dstPort = be16(p + 2);
  r.length = be16(p + 4);
  r.xsum = be16(p + 6);
  r.payload = p + 8;
  r.truncated = false;
  if (r.length == 0) { r.payloadLen = len - 8; return WireErr.OK; }
  if (r.length < 8) { r.payloadLen = 0; return WireErr.TOO_SMALL; }
  let l = <i32>r.length;
  if (l > len) { r.truncated = true; l = len; }
  r.payloadLen = l - 8;
  return WireErr.OK;
}
