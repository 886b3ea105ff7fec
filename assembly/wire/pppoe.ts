// PPPoE (RFC 2516 §4): a 6-byte header after the Ethernet header,
//
//   VER(4)=1 TYPE(4)=1 CODE(8) SESSION_ID(16) LENGTH(16)
//
// then LENGTH bytes of payload. In the session stage (EtherType 0x8864, CODE 0x00, §6) the
// payload is a PPP frame that starts with its protocol field (§7); the discovery stage (0x8863)
// carries tags, no network layer.

import { be16, u8at } from "../util/mem";
import { WireErr } from "./errors";

/** Bytes of a PPPoE header. */
export const PPPOE_HDR_LEN: i32 = 6;
/** VER and TYPE, both 1 (RFC 2516 §4). */
export const PPPOE_VER_TYPE: u32 = 0x11;

/** Decoded PPPoE header. */
export class PppoeRepr {
  /** CODE (0x00 in the session stage). */
  code: u32 = 0;
  /** SESSION_ID. */
  session: u32 = 0;
  /** LENGTH of the payload. */
  length: u32 = 0;
  /** Start of the payload. */
  payload: usize = 0;
  /** Captured bytes of the payload, at most LENGTH (what follows is Ethernet padding). */
  payloadLen: i32 = 0;
}

/** Decodes the PPPoE header at p (after EtherType 0x8864 or 0x8863). */
export function parsePppoe(p: usize, len: i32, r: PppoeRepr): WireErr {
  r.code = 0; r.session = 0; r.length = 0; r.payload = p; r.payloadLen = 0;
  if (len < PPPOE_HDR_LEN) return WireErr.TRUNCATED;
  if (u8at(p) != PPPOE_VER_TYPE) return WireErr.BAD_VERSION;
  r.code = u8at(p + 1);
  r.session = be16(p + 2);
  r.length = be16(p + 4);
  r.payload = p + <usize>PPPOE_HDR_LEN;
  r.payloadLen = min(len - PPPOE_HDR_LEN, <i32>r.length);
  return WireErr.OK;
}
