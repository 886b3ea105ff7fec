// IEEE 802.11 MAC header (IEEE 802.11-2020 §9.2.3, §9.2.4; libpcap LINKTYPE_IEEE802_11 105):
//
//   Frame Control(16) Duration/ID(16) Address1(48) [Address2(48) Address3(48) Sequence Control(16)
//   [Address4(48)] [QoS Control(16)] [HT Control(32)]]
//
// Frame control, first octet: protocol version(2) type(2) subtype(4) from the low bits; second
// octet: To DS, From DS, More Fragments, Retry, Power Management, More Data, Protected Frame,
// +HTC/Order. A data frame (type 2) has Address4 when To DS and From DS are both set, QoS
// Control in the QoS subtypes (subtype bit 3) and HT Control when a QoS frame sets +HTC
// (§9.2.4.1.10); subtypes with bit 2 set (Null, CF-Ack, CF-Poll, ...) carry no body. Its
// destination and source addresses (§9.3.2.1, Table 9-30):
//
//   To DS  From DS   DA  SA
//     0      0       A1  A2
//     0      1       A1  A3
//     1      0       A3  A2
//     1      1       A3  A4
//
// A management frame (type 0) is addressed DA A1, SA A2; control frames name no source here.

import { u8at } from "../util/mem";
import { WireErr } from "./errors";

/** Bytes of the shortest frame (a control frame: frame control, duration, Address1). */
export const DOT11_MIN_LEN: i32 = 10;
/** Bytes of the management and data header without Address4, QoS and HT Control. */
export const DOT11_HDR_LEN: i32 = 24;
/** Frame types. */
export const enum Dot11Type { MANAGEMENT = 0, CONTROL = 1, DATA = 2, EXTENSION = 3 }
/** Second frame control octet: To DS. */
export const DOT11_TO_DS: u32 = 0x01;
/** Second frame control octet: From DS. */
export const DOT11_FROM_DS: u32 = 0x02;
/** Second frame control octet: Protected Frame. */
export const DOT11_PROTECTED: u32 = 0x40;
/** Second frame control octet: +HTC/Order. */
export const DOT11_ORDER: u32 = 0x80;

/** Decoded 802.11 MAC header. */
export class Dot11Repr {
  /** Frame type and subtype. */
  type: u32 = 0;
  subtype: u32 = 0;
  /** The second frame control octet. */
  flags: u32 = 0;
  /** Destination and source addresses (0 when the frame names none, as control frames). */
  dst: usize = 0;
  src: usize = 0;
  /** Bytes of the MAC header (the frame body starts there; data padding not included). */
  hdrLen: i32 = 0;
  /** A data frame with a body (not a Null or CF subtype). */
  body: bool = false;
  /** The body is encrypted (Protected Frame). */
  isProtected: bool = false;
  /** The body is an A-MSDU (QoS Control bit 7): subframes, not one LLC packet. */
  amsdu: bool = false;
}

/** Decodes the 802.11 MAC header at p. */
export function parseDot11(p: usize, len: i32, r: Dot11Repr): WireErr {
  r.type = 0; r.subtype = 0; r.flags = 0; r.dst = 0; r.src = 0; r.hdrLen = 0;
  r.body = false; r.isProtected = false; r.amsdu = false;
  if (len < DOT11_MIN_LEN) return WireErr.TRUNCATED;
  const fc = u8at(p);
  if ((fc & 3) != 0) return WireErr.BAD_VERSION;
  r.type = (fc >> 2) & 3; r.subtype = fc >> 4; r.flags = u8at(p + 1);
  r.isProtected = (r.flags & DOT11_PROTECTED) != 0;
  if (r.type == Dot11Type.MANAGEMENT) {
    if (len < DOT11_HDR_LEN) return WireErr.TRUNCATED;
    r.dst = p + 4; r.src = p + 10; r.hdrLen = DOT11_HDR_LEN;
    return WireErr.OK;
  }
  if (r.type != Dot11Type.DATA) { r.hdrLen = DOT11_MIN_LEN; return WireErr.OK; }
  const ds = r.flags & (DOT11_TO_DS | DOT11_FROM_DS);
  const qos = (r.subtype & 8) != 0;
  let n = DOT11_HDR_LEN;
  if (ds == (DOT11_TO_DS | DOT11_FROM_DS)) n += 6;
  const qosAt = n;
  if (qos) n += 2;
  if (qos && (r.flags & DOT11_ORDER) != 0) n += 4;
  if (len < n) return WireErr.TRUNCATED;
  r.hdrLen = n;
  r.dst = (ds & DOT11_TO_DS) != 0 ? p + 16 : p + 4;
  r.src = ds == (DOT11_TO_DS | DOT11_FROM_DS) ? p + 24 : (ds & DOT11_FROM_DS) != 0 ? p + 16 : p + 10;
  r.body = (r.subtype & 4) == 0;
  r.amsdu = qos && (u8at(p + <usize>qosAt) & 0x80) != 0;
  return WireErr.OK;
}
