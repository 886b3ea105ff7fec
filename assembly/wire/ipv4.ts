// IPv4 (RFC 791). parseIpv4 validates the header once; afterwards every field is in the repr
// and the options and payload are spans within the captured bytes.

import { be16 } from "../util/mem";
import { WireErr } from "./errors";

/** Decoded IPv4 header. */
export class Ipv4Repr {
  ihl: u32 = 0;
  tos: u32 = 0;
  totalLen: u32 = 0;
  id: u32 = 0;
  /** The three flag bits: 4 = reserved ("evil", RFC 3514), 2 = DF, 1 = MF. */
  flags: u32 = 0;
  fragOff: u32 = 0;
  ttl: u32 = 0;
  proto: u32 = 0;
  xsum: u32 = 0;
  src: usize = 0;
  dst: usize = 0;
  opts: usize = 0;
  optsLen: i32 = 0;
  payload: usize = 0;
  payloadLen: i32 = 0;
  /** The total length points past the captured bytes. */
  truncated: bool = false;
}

/** Decodes the IPv4 header at p. */
// @inline: every packet's decode and the tunnel walk call it; a call on every packet cost (bench/icount.js).
@inline export function parseIpv4(p: usize, len: i32, r: Ipv4Repr): WireErr {
  if (len < 20) return WireErr.TRUNCATED;
  const vihl = <u32>load<u8>(p);
  if (vihl >> 4 != 4) return WireErr.BAD_VERSION;
  r.ihl = vihl & 15;
  r.tos = <u32>load<u8>(p + 1);
  r.totalLen = be16(p + 2);
  r.id = be16(p + 4);
  const ff = be16(p + 6);
  r.flags = ff >> 13;
  r.fragOff = ff & 0x1fff;
  r.ttl = <u32>load<u8>(p + 8);
  r.proto = <u32>load<u8>(p + 9);
  r.xsum = be16(p + 10);
  r.src = p + 12;
  r.dst = p + 16;
  const hl = <i32>(r.ihl << 2);
  if (hl < 20) return WireErr.BAD_HEADER_LENGTH;
  if (len < hl) return WireErr.TRUNCATED;
  // TCP segmentation offload hands captures a total length of 0: use the captured bytes.
  let total = <i32>r.totalLen;
  if (total == 0) total = len;
  if (total < hl) return WireErr.BAD_TOTAL_LENGTH;
  r.truncated = total > len;
  if (r.truncated) total = len;
  r.opts = p + 20;
  r.optsLen = hl - 20;
  r.payload = p + <usize>hl;
  r.payloadLen = total - hl;
  return WireErr.OK;
}

/** Whether the packet is a fragment (MF set or a non-zero offset, RFC 791 §3.2). */
@inline export function isFragment(r: Ipv4Repr): bool { return (r.flags & 1) != 0 || r.fragOff != 0; }
