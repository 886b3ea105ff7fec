// Cisco HDLC (RFC 1547 §4.3.1; libpcap LINKTYPE_C_HDLC 104): a 4-byte header,
//
//   Address(8: 0x0f unicast, 0x8f broadcast) Control(8: 0x00) Protocol(16, an EtherType)
//
// then the packet the protocol names (IPv4 0x0800, IPv6 0x86dd, SLARP 0x8035, CDP 0x2000, ...).

import { be16, u8at } from "../util/mem";
import { WireErr } from "./errors";

/** Bytes of a Cisco HDLC header. */
export const CHDLC_HDR_LEN: i32 = 4;
/** The address octet of unicast frames. */
export const CHDLC_UNICAST: u32 = 0x0f;
/** The address octet of broadcast frames. */
export const CHDLC_BROADCAST: u32 = 0x8f;

/** Decoded Cisco HDLC header. */
export class ChdlcRepr {
  /** Address octet. */
  address: u32 = 0;
  /** Protocol (an EtherType). */
  protocol: u32 = 0;
}

/** Whether the octet b is a Cisco HDLC address (how LINKTYPE_PPP_HDLC tells Cisco framing from PPP's 0xff). */
export function isChdlcAddress(b: u32): bool { return b == CHDLC_UNICAST || b == CHDLC_BROADCAST; }

/** Decodes the Cisco HDLC header at p. */
export function parseChdlc(p: usize, len: i32, r: ChdlcRepr): WireErr {
  r.address = 0; r.protocol = 0;
  if (len < CHDLC_HDR_LEN) return WireErr.TRUNCATED;
  r.address = u8at(p);
  r.protocol = be16(p + 2);
  return WireErr.OK;
}
