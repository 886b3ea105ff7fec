// Cisco FabricPath (Wireshark's cfp dissector; Cisco NX-OS FabricPath documentation): the outer
// MAC addresses carry the switch ids, EtherType 0x8903, then 2 bytes,
//
//   FTag(10) TTL(6)
//
// then the classic Ethernet frame the fabric carries: DA(6) SA(6) EtherType.

import { be16 } from "../util/mem";
import { WireErr } from "./errors";

/** Bytes of FTag and TTL (after EtherType 0x8903). */
export const FABRICPATH_TAG_LEN: i32 = 2;

/** Decoded FabricPath tag. */
export class FabricPathRepr {
  /** Forwarding tag (10 bits): the multidestination tree. */
  ftag: u32 = 0;
  /** Hop limit (6 bits). */
  ttl: u32 = 0;
}

/** Decodes the FTag/TTL at p (after EtherType 0x8903); the classic Ethernet frame follows it. */
export function parseFabricPath(p: usize, len: i32, r: FabricPathRepr): WireErr {
  r.ftag = 0; r.ttl = 0;
  if (len < FABRICPATH_TAG_LEN) return WireErr.TRUNCATED;
  const v = be16(p);
  r.ftag = v >> 6; r.ttl = v & 0x3f;
  return WireErr.OK;
}
