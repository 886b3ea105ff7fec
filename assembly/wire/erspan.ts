// ERSPAN (draft-foschiano-erspan-03, never an RFC; the field layout is Wireshark's
// packet-erspan.c): the header of a mirrored frame sent in GRE.
//
//   Type I   (GRE 0x88BE, no sequence number): no header, the frame follows GRE.
//   Type II  (GRE 0x88BE with a sequence number, Ver 1), 8 bytes:
//     Ver(4) VLAN(12) | COS(3) En(2) T(1) Session ID(10) | Reserved(12) Index(20)
//   Type III (GRE 0x22EB, Ver 2), 12 bytes:
//     Ver(4) VLAN(12) | COS(3) BSO(2) T(1) Session ID(10) | Timestamp(32) |
//     SGT(16) | P(1) FT(5) Hw ID(6) D(1) Gra(2) O(1)
//     then, when O is set, an 8-byte platform-specific subheader (Platf ID in its top 6 bits).
//
// The version field, not the GRE protocol type, decides the layout (as Wireshark does).

import { be16, be32 } from "../util/mem";
import { WireErr } from "./errors";
import { InnerKind, innerOfIpVersion } from "./tunnel";

/** Bytes of an ERSPAN type II header. */
export const ERSPAN2_HDR_LEN: i32 = 8;
/** Bytes of an ERSPAN type III header without its platform-specific subheader. */
export const ERSPAN3_HDR_LEN: i32 = 12;
/** Bytes of the optional type III platform-specific subheader. */
export const ERSPAN3_PLATFORM_LEN: i32 = 8;

/** Decoded ERSPAN type II or III header. */
export class ErspanRepr {
  /** Version field: 1 = type II, 2 = type III. */
  version: u32 = 0;
  /** VLAN of the mirrored frame's source port (12 bits). */
  vlan: u32 = 0;
  /** Class of service of the mirrored frame (3 bits). */
  cos: u32 = 0;
  /** Type II En: how the frame was tagged (0 untagged, 1 ISL, 2 802.1Q, 3 tag kept in the frame); 0 for type III. */
  encap: u32 = 0;
  /** Type III BSO: frame integrity (0 good, 1 short, 2 oversized, 3 CRC error); 0 for type II. */
  bso: u32 = 0;
  /** T bit: the mirrored frame was cut to fit the MTU. */
  frameTruncated: bool = false;
  /** Session ID (10 bits). */
  sessionId: u32 = 0;
  /** Type II index: the port of the mirrored frame (20 bits). */
  index: u32 = 0;
  /** Type III timestamp, in units of the granularity. */
  timestamp: u32 = 0;
  /** Type III Security Group Tag. */
  sgt: u32 = 0;
  /** Type III P bit: the frame is an Ethernet PDU. */
  pdu: bool = false;
  /** Type III frame type (5 bits: 0 Ethernet, 2 IP). */
  frameType: u32 = 0;
  /** Type III hardware (ASIC) id (6 bits). */
  hwId: u32 = 0;
  /** Type III D bit: mirrored at egress (else ingress). */
  egress: bool = false;
  /** Type III timestamp granularity (0 100 µs, 1 100 ns, 2 IEEE 1588, 3 custom). */
  gra: u32 = 0;
  /** Type III O bit: the platform-specific subheader follows. */
  hasPlatform: bool = false;
  /** Platform ID of the subheader (6 bits); 0 without one. */
  platformId: u32 = 0;
  /** Start of the 8-byte platform-specific subheader (0 without one). */
  platform: usize = 0;
  /** Bytes of the ERSPAN header (with the subheader). */
  hdrLen: i32 = 0;
  /** Start of the mirrored frame. */
  payload: usize = 0;
  /** Captured bytes of the mirrored frame. */
  payloadLen: i32 = 0;
  /** What the mirrored frame is: Ethernet, or for a type III frame type 2 an IP packet. */
  inner: InnerKind = InnerKind.UNKNOWN;
}

/**
 * Whether a GRE payload is an ERSPAN type I frame, i.e. has no ERSPAN header: GRE protocol
 * 0x88BE without the sequence number, which type II always carries (draft-foschiano-erspan-03,
 * the GRE header of type II; Wireshark's dissect_erspan_88BE decides the same way).
 */
export function erspanTypeI(greProtocol: u32, greSeqPresent: bool): bool {
  return greProtocol == 0x88be && !greSeqPresent;
}

/** Decodes the ERSPAN type II or III header at p (a GRE payload; see erspanTypeI for type I). */
export function parseErspan(p: usize, len: i32, r: ErspanRepr): WireErr {
  r.encap = 0; r.bso = 0; r.index = 0; r.timestamp = 0; r.sgt = 0; r.pdu = false; r.frameType = 0;
  r.hwId = 0; r.egress = false; r.gra = 0; r.hasPlatform = false; r.platformId = 0; r.platform = 0;
  r.hdrLen = 0; r.payload = p; r.payloadLen = 0; r.inner = InnerKind.UNKNOWN;
  if (len < 2) return WireErr.TRUNCATED;
  const w0 = be16(p);
  r.version = w0 >> 12;
  if (r.version != 1 && r.version != 2) return WireErr.BAD_VERSION;
  const hl = r.version == 1 ? ERSPAN2_HDR_LEN : ERSPAN3_HDR_LEN;
  if (len < hl) return WireErr.TRUNCATED;
  r.vlan = w0 & 0x0fff;
  const w1 = be16(p + 2);
  r.cos = w1 >> 13;
  r.frameTruncated = (w1 & 0x0400) != 0;
  r.sessionId = w1 & 0x03ff;
  if (r.version == 1) {
    r.encap = (w1 >> 11) & 3;
    r.index = be32(p + 4) & 0xfffff;
    r.hdrLen = hl;
    r.inner = InnerKind.ETHERNET;
  } else {
    r.bso = (w1 >> 11) & 3;
    r.timestamp = be32(p + 4);
    r.sgt = be16(p + 8);
    const w5 = be16(p + 10);
    r.pdu = (w5 & 0x8000) != 0;
    r.frameType = (w5 >> 10) & 0x1f;
    r.hwId = (w5 >> 4) & 0x3f;
    r.egress = (w5 & 0x0008) != 0;
    r.gra = (w5 >> 1) & 3;
    r.hasPlatform = (w5 & 1) != 0;
    r.hdrLen = hl;
    if (r.hasPlatform) {
      r.hdrLen = hl + ERSPAN3_PLATFORM_LEN;
      if (len < r.hdrLen) return WireErr.TRUNCATED;
      r.platform = p + <usize>hl;
      r.platformId = be32(r.platform) >> 26;
    }
  }
  r.payload = p + <usize>r.hdrLen;
  r.payloadLen = len - r.hdrLen;
  if (r.version == 2) {
    r.inner = r.frameType == 0 ? InnerKind.ETHERNET
      : r.frameType == 2 ? innerOfIpVersion(r.payload, r.payloadLen) : InnerKind.UNKNOWN;
  }
  return WireErr.OK;
}
