// FDDI (ANSI X3.139; libpcap LINKTYPE_FDDI 10): a 13-byte MAC header,
//
//   Frame Control(8) DA(6) SA(6)
//
// then, in asynchronous LLC frames (frame control 0101 rrrr), an IEEE 802.2 LLC header. The
// addresses are taken as captured: Linux delivers them in canonical order and tcpdump prints
// them so; tshark reads this link type as bit-swapped FDDI and shows each octet bit-reversed.
// No padding precedes the header (libpcap pads only on Ultrix, Digital UNIX and NetBSD).

import { u8at } from "../util/mem";
import { WireErr } from "./errors";

/** Bytes of the FDDI MAC header. */
export const FDDI_HDR_LEN: i32 = 13;

/** Decoded FDDI MAC header. */
export class FddiRepr {
  /** Frame control octet. */
  fc: u32 = 0;
  /** An LLC frame: an 802.2 header follows. */
  llc: bool = false;
}

/** Decodes the FDDI header at p; the addresses are at p + 1 (destination) and p + 7 (source). */
export function parseFddi(p: usize, len: i32, r: FddiRepr): WireErr {
  r.fc = 0; r.llc = false;
  if (len < FDDI_HDR_LEN) return WireErr.TRUNCATED;
  r.fc = u8at(p);
  // Frame control CLFFZZZZ: C 0 asynchronous, L 1 48-bit addresses, FF 01 LLC (tcpdump's FDDIFC_LLC_ASYNC).
  r.llc = (r.fc & 0xf0) == 0x50;
  return WireErr.OK;
}
