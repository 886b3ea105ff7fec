// Geneve (RFC 8926 §3.4): an 8-byte base header after UDP,
//
//   Ver(2) Opt Len(6) | O(1) C(1) Rsvd(6) | Protocol Type(16) | VNI(24) Reserved(8)
//
// then Opt Len 4-byte words of options (TLVs of §3.5: class(16) type(8) R(3) length(5, in
// 4-byte words)), then the inner packet, whose EtherType is the Protocol Type. The options are
// walked only to check that they fill their area; their content is not decoded.

import { be16, be32, u8at } from "../util/mem";
import { WireErr } from "./errors";
import { InnerKind, innerOfEtherType } from "./tunnel";

/** Bytes of the Geneve base header, before the options. */
export const GENEVE_HDR_LEN: i32 = 8;

/** Decoded Geneve header. */
export class GeneveRepr {
  /** Version (2 bits; 0 is the only one, RFC 8926 §3.4). */
  version: u32 = 0;
  /** O flag: a control (OAM) packet. */
  oam: bool = false;
  /** C flag: some option is critical (its type's high bit is set). */
  critical: bool = false;
  /** Protocol Type: the EtherType of the inner packet (0x6558 Ethernet, 0x0800 IPv4, 0x86DD IPv6). */
  protocol: u32 = 0;
  /** Virtual Network Identifier (24 bits). */
  vni: u32 = 0;
  /** Start of the options. */
  opts: usize = 0;
  /** Bytes of options (Opt Len × 4). */
  optsLen: i32 = 0;
  /** Number of options in the option area. */
  optCount: i32 = 0;
  /** Bytes of the whole header (8 + options). */
  hdrLen: i32 = 0;
  /** Start of the inner packet. */
  payload: usize = 0;
  /** Captured bytes of the inner packet. */
  payloadLen: i32 = 0;
  /** What the inner packet is. */
  inner: InnerKind = InnerKind.UNKNOWN;
}

/** Decodes the Geneve header at p (a UDP payload) and checks its options' lengths. */
export function parseGeneve(p: usize, len: i32, r: GeneveRepr): WireErr {
  r.optCount = 0; r.optsLen = 0; r.opts = p + <usize>GENEVE_HDR_LEN; r.hdrLen = 0;
  r.payload = p; r.payloadLen = 0; r.inner = InnerKind.UNKNOWN;
  if (len < GENEVE_HDR_LEN) return WireErr.TRUNCATED;
  const b0 = u8at(p), b1 = u8at(p + 1);
  r.version = b0 >> 6;
  r.oam = (b1 & 0x80) != 0;
  r.critical = (b1 & 0x40) != 0;
  r.protocol = be16(p + 2);
  r.vni = be32(p + 4) >> 8;
  // §3.4: "Packets received by a tunnel endpoint with an unknown version MUST be dropped."
  if (r.version != 0) return WireErr.BAD_VERSION;
  const ol = <i32>(b0 & 0x3f) << 2;
  r.optsLen = ol;
  r.hdrLen = GENEVE_HDR_LEN + ol;
  if (len < r.hdrLen) return WireErr.TRUNCATED;
  r.payload = p + <usize>r.hdrLen;
  r.payloadLen = len - r.hdrLen;
  r.inner = innerOfEtherType(r.protocol);
  // §3.5: each option is a 4-byte header and Length 4-byte words of data, all within Opt Len
  // (a multiple of 4, so an option's header always fits).
  let q = 0;
  while (q < ol) {
    q += 4 + (<i32>(u8at(r.opts + <usize>q + 3) & 0x1f) << 2);
    if (q > ol) return WireErr.BAD_OPTION;
    r.optCount++;
  }
  return WireErr.OK;
}
