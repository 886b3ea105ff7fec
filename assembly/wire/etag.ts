// Port extender tags, each followed by the EtherType of what it tags, like an 802.1Q tag:
//
//   IEEE 802.1BR E-Tag (EtherType 0x893F), 6 bytes:
//     E-PCP(3) E-DEI(1) Ingress_E-CID_base(12) Res(2) GRP(2) E-CID_base(12) Ingress_E-CID_ext(8) E-CID_ext(8)
//   Cisco VN-Tag (EtherType 0x8926, its pre-standard), 4 bytes:
//     D(1) P(1) DVIF_ID(14) L(1) R(1) Ver(2) SVIF_ID(12)

import { be16, be32, u8at } from "../util/mem";
import { WireErr } from "./errors";

/** Bytes of an E-Tag (after its EtherType, before the next one). */
export const ETAG_LEN: i32 = 6;
/** Bytes of a VN-Tag (after its EtherType, before the next one). */
export const VNTAG_LEN: i32 = 4;

/** Decoded E-Tag or VN-Tag. */
export class PortTagRepr {
  /** E-Tag: E-CID (GRP and E-CID_base, with E-CID_ext above them); VN-Tag: destination VIF id. */
  dst: u32 = 0;
  /** E-Tag: ingress E-CID (base and ext); VN-Tag: source VIF id. */
  src: u32 = 0;
  /** E-Tag: E-PCP; VN-Tag: the direction bit. */
  pcp: u32 = 0;
  /** The EtherType after the tag. */
  etherType: u32 = 0;
  /** Bytes of the tag and the EtherType after it. */
  hdrLen: i32 = 0;
}

/** Decodes the E-Tag at p (after EtherType 0x893F) and the EtherType after it. */
export function parseEtag(p: usize, len: i32, r: PortTagRepr): WireErr {
  r.dst = 0; r.src = 0; r.pcp = 0; r.etherType = 0; r.hdrLen = 0;
  if (len < ETAG_LEN + 2) return WireErr.TRUNCATED;
  const a = be16(p), b = be16(p + 2);
  r.pcp = a >> 13;
  r.src = (u8at(p + 4) << 12) | (a & 0x0fff);
  r.dst = (u8at(p + 5) << 14) | (b & 0x3fff);
  r.etherType = be16(p + ETAG_LEN);
  r.hdrLen = ETAG_LEN + 2;
  return WireErr.OK;
}

/** Decodes the VN-Tag at p (after EtherType 0x8926) and the EtherType after it. */
export function parseVntag(p: usize, len: i32, r: PortTagRepr): WireErr {
  r.dst = 0; r.src = 0; r.pcp = 0; r.etherType = 0; r.hdrLen = 0;
  if (len < VNTAG_LEN + 2) return WireErr.TRUNCATED;
  const v = be32(p);
  r.pcp = v >> 31;
  r.dst = (v >> 16) & 0x3fff;
  r.src = v & 0x0fff;
  r.etherType = be16(p + VNTAG_LEN);
  r.hdrLen = VNTAG_LEN + 2;
  return WireErr.OK;
}
