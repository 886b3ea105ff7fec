// Network Service Header (RFC 8300 §2): a base header, a service path header, then context
// headers (MD type 1: four fixed 4-byte ones; MD type 2: variable-length ones),
//
//   Ver(2) O(1) U(1) TTL(6) Length(6) U(4) MDType(4) NextProtocol(8)
//   Service Path Identifier(24) Service Index(8)
//
// Length counts the whole header in 4-byte words (§2.2). The next protocol values are the
// registry VXLAN-GPE shares (§11.2.5): 1 IPv4, 2 IPv6, 3 Ethernet, 4 NSH, 5 MPLS.

import { be32 } from "../util/mem";
import { WireErr } from "./errors";
import { InnerKind } from "./tunnel";
import { gpeInnerKind } from "./vxlan";

/** Bytes of the base and service path headers: the shortest NSH (MD type 2 without context). */
export const NSH_MIN_LEN: i32 = 8;
/** Bytes of an MD type 1 NSH (§2.4: four mandatory context headers). */
export const NSH_MD1_LEN: i32 = 24;

/** Decoded Network Service Header. */
export class NshRepr {
  /** The O bit: an OAM packet. */
  oam: bool = false;
  /** TTL (6 bits). */
  ttl: u32 = 0;
  /** MD type (1 fixed context, 2 variable). */
  mdType: u32 = 0;
  /** Next protocol. */
  nextProtocol: u32 = 0;
  /** Service path identifier (24 bits). */
  spi: u32 = 0;
  /** Service index. */
  si: u32 = 0;
  /** Bytes of the whole header (Length × 4). */
  hdrLen: i32 = 0;
  /** What follows the header (IPv4, IPv6, ETHERNET, NSH, MPLS), else UNKNOWN. */
  inner: InnerKind = InnerKind.UNKNOWN;
}

/** Decodes the NSH at p (after EtherType 0x894F, or a VXLAN-GPE / GRE header that names it). */
export function parseNsh(p: usize, len: i32, r: NshRepr): WireErr {
  r.oam = false; r.ttl = 0; r.mdType = 0; r.nextProtocol = 0; r.spi = 0; r.si = 0; r.hdrLen = 0; r.inner = InnerKind.UNKNOWN;
  if (len < NSH_MIN_LEN) return WireErr.TRUNCATED;
  const v = be32(p);
  // §2.2: version 0 is the only one; a packet of another is dropped.
  if ((v >> 30) != 0) return WireErr.BAD_VERSION;
  r.oam = (v & 0x20000000) != 0;
  r.ttl = (v >> 22) & 0x3f;
  r.mdType = (v >> 8) & 0xf;
  r.nextProtocol = v & 0xff;
  const s = be32(p + 4);
  r.spi = s >> 8; r.si = s & 0xff;
  const n = <i32>((v >> 16) & 0x3f) << 2;
  // §2.4, §2.5: MD type 1 is exactly 24 bytes long, MD type 2 at least the 8 of the fixed headers.
  if (n < NSH_MIN_LEN || (r.mdType == 1 && n != NSH_MD1_LEN)) return WireErr.BAD_HEADER_LENGTH;
  if (len < n) return WireErr.TRUNCATED;
  r.hdrLen = n;
  r.inner = gpeInnerKind(r.nextProtocol);
  return WireErr.OK;
}

