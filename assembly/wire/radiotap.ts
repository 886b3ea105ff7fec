// Radiotap (radiotap.org, "Radiotap header" and "Radiotap fields"; libpcap LINKTYPE_IEEE802_11_RADIOTAP
// 127) before an 802.11 frame:
//
//   version(8)=0 pad(8) length(16) present(32) [present(32) ... while bit 31 is set]
//
// little-endian, then the fields the present bits name, each aligned to its own size from the
// header's start. Only Flags (bit 1) is read: the one field before it is TSFT (bit 0, 8 bytes,
// aligned to 8). Flags 0x10: the frame ends in its 4-byte FCS; 0x20: the 802.11 header is
// padded to a multiple of 4 bytes.

import { le16, le32, u8at } from "../util/mem";
import { WireErr } from "./errors";

/** Bytes of the fixed radiotap header (version, pad, length, the first present word). */
export const RADIOTAP_MIN_LEN: i32 = 8;
/** Flags bit: the frame ends in its 4-byte FCS (radiotap.org "Flags"). */
export const RT_FLAG_FCS: u32 = 0x10;
/** Flags bit: the 802.11 header is padded to a multiple of 4 bytes. */
export const RT_FLAG_DATAPAD: u32 = 0x20;

/** Decoded radiotap header. */
export class RadiotapRepr {
  /** Bytes of the whole header (the 802.11 frame starts there). */
  hdrLen: i32 = 0;
  /** The Flags field is present. */
  hasFlags: bool = false;
  /** The Flags field (0 when absent). */
  flags: u32 = 0;
}

/** Decodes the radiotap header at p. */
export function parseRadiotap(p: usize, len: i32, r: RadiotapRepr): WireErr {
  r.hdrLen = 0; r.hasFlags = false; r.flags = 0;
  if (len < RADIOTAP_MIN_LEN) return WireErr.TRUNCATED;
  if (u8at(p) != 0) return WireErr.BAD_VERSION;
  const n = <i32>le16(p + 2);
  if (n < RADIOTAP_MIN_LEN) return WireErr.BAD_HEADER_LENGTH;
  if (len < n) return WireErr.TRUNCATED;
  const first = le32(p + 4);
  // The present words: bit 31 of each says another follows; all of them lie within the header.
  let q = 4;
  let w = first;
  while ((w & 0x80000000) != 0) {
    q += 4;
    if (q + 4 > n) return WireErr.BAD_HEADER_LENGTH;
    w = le32(p + <usize>q);
  }
  q += 4;
  if ((first & 2) != 0) {
    if ((first & 1) != 0) q = ((q + 7) & ~7) + 8;
    if (q < n) { r.hasFlags = true; r.flags = u8at(p + <usize>q); }
  }
  r.hdrLen = n;
  return WireErr.OK;
}
