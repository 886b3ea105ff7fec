// Provider Backbone Bridges (IEEE 802.1ah, now IEEE 802.1Q §9.7): after EtherType 0x88E7 the
// 4-byte I-TAG,
//
//   I-PCP(3) I-DEI(1) UCA(1) Res(3) I-SID(24)
//
// then the customer's frame: C-DA(6) C-SA(6) EtherType, possibly C-tags first.

import { be32 } from "../util/mem";
import { WireErr } from "./errors";

/** Bytes of an I-TAG (after its EtherType). */
export const ITAG_LEN: i32 = 4;

/** Decoded I-TAG. */
export class PbbRepr {
  /** Priority code point (3 bits). */
  pcp: u32 = 0;
  /** Drop eligible indicator. */
  dei: bool = false;
  /** Use customer addresses. */
  uca: bool = false;
  /** Backbone service instance identifier (24 bits). */
  isid: u32 = 0;
}

/** Decodes the I-TAG at p (after EtherType 0x88E7); the customer frame follows it. */
export function parsePbb(p: usize, len: i32, r: PbbRepr): WireErr {
  r.pcp = 0; r.dei = false; r.uca = false; r.isid = 0;
  if (len < ITAG_LEN) return WireErr.TRUNCATED;
  const v = be32(p);
  r.pcp = v >> 29; r.dei = (v & 0x10000000) != 0; r.uca = (v & 0x08000000) != 0;
  r.isid = v & 0xffffff;
  return WireErr.OK;
}
