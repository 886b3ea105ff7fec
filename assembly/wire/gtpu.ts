// GTP-U (3GPP TS 29.281 §5): the user-plane tunnel of GPRS, UMTS, LTE and 5G, after UDP.
//
//   Version(3) PT(1) (*)(1) E(1) S(1) PN(1) | Message Type(8) | Length(16) | TEID(32)
//   Sequence Number(16) N-PDU Number(8) Next Extension Header Type(8)   if any of E, S, PN (§5.1)
//   extension headers (§5.2): Length(8, in 4-byte units) | content | Next Extension Header Type(8)
//
// The Length counts everything after the first 8 bytes (optional fields, extension headers and
// the T-PDU). A G-PDU (message type 255) carries a T-PDU: the user's IPv4 or IPv6 packet, told
// apart by its version nibble (a 5G Ethernet or unstructured PDU session is left UNKNOWN).

import { be16, be32, u8at } from "../util/mem";
import { WireErr } from "./errors";
import { InnerKind, innerOfIpVersion } from "./tunnel";

/** Bytes of the mandatory GTP-U header. */
export const GTPU_HDR_LEN: i32 = 8;
import { MAX_GTPU_EXTENSIONS } from "../config";
/** Extension headers walked before giving up (config.ts). */
export { MAX_GTPU_EXTENSIONS };
/** Message type of a G-PDU, which carries a user packet (TS 29.281 §6.1). */
export const GTPU_G_PDU: u32 = 255;

/** Decoded GTP-U header. */
export class GtpuRepr {
  /** Version (3 bits; GTP-U is version 1). */
  version: u32 = 0;
  /** PT: protocol type, 1 for GTP (0 is GTP', a different header). */
  pt: u32 = 0;
  /** E: the next extension header type field is meaningful. */
  extFlag: bool = false;
  /** S: the sequence number is meaningful. */
  seqFlag: bool = false;
  /** PN: the N-PDU number is meaningful. */
  npduFlag: bool = false;
  /** Message type (255 = G-PDU). */
  msgType: u32 = 0;
  /** Length field: bytes after the mandatory 8-byte header. */
  length: u32 = 0;
  /** Tunnel endpoint identifier. */
  teid: u32 = 0;
  /** Sequence number (when S, else 0). */
  seq: u32 = 0;
  /** N-PDU number (when PN, else 0). */
  npdu: u32 = 0;
  /** Type of the first extension header (when E, else 0: none). */
  nextExtType: u32 = 0;
  /** Start of the first extension header. */
  exts: usize = 0;
  /** Bytes of extension headers. */
  extsLen: i32 = 0;
  /** Number of extension headers walked. */
  extCount: i32 = 0;
  /** Bytes of the whole header (8, optional fields, extension headers). */
  hdrLen: i32 = 0;
  /** Start of the T-PDU (or other message body). */
  payload: usize = 0;
  /** Captured bytes of the T-PDU, bounded by the length field. */
  payloadLen: i32 = 0;
  /** The length field points past the captured bytes. */
  truncated: bool = false;
  /** What the T-PDU is (only a G-PDU carries one). */
  inner: InnerKind = InnerKind.UNKNOWN;
}

/** Decodes the GTP-U header at p (a UDP payload) and walks its extension headers. */
export function parseGtpu(p: usize, len: i32, r: GtpuRepr): WireErr {
  r.seq = 0; r.npdu = 0; r.nextExtType = 0; r.exts = 0; r.extsLen = 0; r.extCount = 0;
  r.hdrLen = 0; r.payload = p; r.payloadLen = 0; r.truncated = false; r.inner = InnerKind.UNKNOWN;
  if (len < GTPU_HDR_LEN) return WireErr.TRUNCATED;
  const f = u8at(p);
  r.version = f >> 5;
  r.pt = (f >> 4) & 1;
  r.extFlag = (f & 4) != 0;
  r.seqFlag = (f & 2) != 0;
  r.npduFlag = (f & 1) != 0;
  r.msgType = u8at(p + 1);
  r.length = be16(p + 2);
  r.teid = be32(p + 4);
  // §5.1: GTP-U is version 1 with PT 1; GTP' (PT 0) and GTPv2 have other headers.
  if (r.version != 1 || r.pt != 1) return WireErr.BAD_VERSION;
  // The message ends where the length field says, or where the capture does.
  let end = GTPU_HDR_LEN + <i32>r.length;
  if (end > len) { r.truncated = true; end = len; }
  // Past `end` either the capture ended (TRUNCATED) or the length field lied (TOO_SMALL).
  const short = r.truncated ? WireErr.TRUNCATED : WireErr.TOO_SMALL;
  let q = GTPU_HDR_LEN;
  if (r.extFlag || r.seqFlag || r.npduFlag) {
    // §5.1: the 4 bytes are present when any of the three flags is, each meaningful only with its flag.
    if (end < q + 4) return short;
    r.seq = r.seqFlag ? be16(p + 8) : 0;
    r.npdu = r.npduFlag ? u8at(p + 10) : 0;
    r.nextExtType = r.extFlag ? u8at(p + 11) : 0;
    q += 4;
    r.exts = p + <usize>q;
    let nt = r.nextExtType;
    while (nt != 0) {
      if (r.extCount >= MAX_GTPU_EXTENSIONS) { r.extsLen = q - 12; r.hdrLen = q; return WireErr.TOO_MANY_GTP_EXTENSIONS; }
      if (end < q + 1) return short;
      // §5.2.1: the length is in 4-octet units and counts the length and next-type octets.
      const l = <i32>u8at(p + <usize>q) << 2;
      if (l == 0) return WireErr.BAD_GTP_EXTENSION;
      if (end < q + l) return short;
      nt = u8at(p + <usize>(q + l - 1));
      q += l;
      r.extCount++;
    }
    r.extsLen = q - 12;
  }
  r.hdrLen = q;
  r.payload = p + <usize>q;
  r.payloadLen = end - q;
  if (r.msgType == GTPU_G_PDU) r.inner = innerOfIpVersion(r.payload, r.payloadLen);
  return WireErr.OK;
}
