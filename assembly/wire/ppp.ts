// PPP (RFC 1661 §2) in HDLC-like framing (RFC 1662 §3.1):
//
//   [Address 0xff  Control 0x03]  Protocol(8 or 16)  Information ...
//
// The address and control octets are absent when Address-and-Control-Field-Compression is in
// use (RFC 1661 §6.6), and the protocol field is one octet under Protocol-Field-Compression
// (§6.5). Protocol values have an even first octet and an odd last one (§2), so an odd first
// octet is a compressed field.

import { be16, u8at } from "../util/mem";
import { WireErr } from "./errors";
import { EtherNext } from "./ethertype";

/** The HDLC all-stations address octet (RFC 1662 §3.1). */
export const PPP_ADDRESS: u32 = 0xff;
/** The HDLC unnumbered-information control octet (RFC 1662 §3.1). */
export const PPP_CONTROL: u32 = 0x03;

/** PPP protocol numbers of network layers decoded (IANA PPP DLL protocol numbers). */
export const enum PppProtocol { IPV4 = 0x0021, IPV6 = 0x0057, MPLS = 0x0281, MPLS_MULTICAST = 0x0283 }

/** Decoded PPP header. */
export class PppRepr {
  /** The address and control octets were present. */
  framed: bool = false;
  /** The protocol field (one octet when compressed). */
  protocol: u32 = 0;
  /** Bytes of address, control and protocol. */
  hdrLen: i32 = 0;
}

/** Decodes the PPP header at p (after the link header, PPPoE, or a direction octet). */
export function parsePpp(p: usize, len: i32, r: PppRepr): WireErr {
  r.framed = false; r.protocol = 0; r.hdrLen = 0;
  let q = 0;
  if (len >= 2 && u8at(p) == PPP_ADDRESS && u8at(p + 1) == PPP_CONTROL) { r.framed = true; q = 2; }
  if (len < q + 1) return WireErr.TRUNCATED;
  const b0 = u8at(p + <usize>q);
  if ((b0 & 1) != 0) { r.protocol = b0; r.hdrLen = q + 1; return WireErr.OK; }
  if (len < q + 2) return WireErr.TRUNCATED;
  r.protocol = be16(p + <usize>q);
  r.hdrLen = q + 2;
  return WireErr.OK;
}

/** What follows a PPP protocol number, in the EtherType vocabulary (UNKNOWN: a control protocol, or not decoded). */
export function pppNext(protocol: u32): EtherNext {
  switch (protocol) {
    case PppProtocol.IPV4: return EtherNext.IPV4;
    case PppProtocol.IPV6: return EtherNext.IPV6;
    case PppProtocol.MPLS: case PppProtocol.MPLS_MULTICAST: return EtherNext.MPLS; // RFC 3032 §4.3
  }
  return EtherNext.UNKNOWN;
}
