// VXLAN (RFC 7348 §5) and VXLAN-GPE (draft-ietf-nvo3-vxlan-gpe): an 8-byte header after UDP,
//
//   VXLAN:      flags(8: ....I...) reserved(24)                  VNI(24) reserved(8)
//   VXLAN-GPE:  flags(8: ..VVIPBO) reserved(16) next protocol(8) VNI(24) reserved(8)
//
// then the inner packet: an Ethernet frame for VXLAN, whatever the next protocol says for
// VXLAN-GPE. The P bit tells the two apart: it is reserved (zero) in VXLAN, and a GPE header
// without it is a plain VXLAN one (the draft keeps VXLAN's layout there).

import { be32, u8at } from "../util/mem";
import { WireErr } from "./errors";
import { InnerKind } from "./tunnel";

/** Bytes of a VXLAN or VXLAN-GPE header. */
export const VXLAN_HDR_LEN: i32 = 8;

/** Decoded VXLAN or VXLAN-GPE header. */
export class VxlanRepr {
  /** The flags octet. */
  flags: u32 = 0;
  /** I flag: the VNI is valid (RFC 7348 §5 requires it; it is reported, not enforced). */
  vniValid: bool = false;
  /** VXLAN Network Identifier (24 bits). */
  vni: u32 = 0;
  /** P flag: a VXLAN-GPE next protocol field is present. */
  gpe: bool = false;
  /** VXLAN-GPE version (2 bits, 0 is the only one defined); 0 without P. */
  gpeVersion: u32 = 0;
  /** VXLAN-GPE B flag: ingress-replicated broadcast, unknown unicast or multicast. */
  bum: bool = false;
  /** VXLAN-GPE O flag: an OAM packet. */
  oam: bool = false;
  /** VXLAN-GPE next protocol (1 IPv4, 2 IPv6, 3 Ethernet, 4 NSH, 5 MPLS); 0 without P. */
  nextProtocol: u32 = 0;
  /** Start of the inner packet. */
  payload: usize = 0;
  /** Captured bytes of the inner packet. */
  payloadLen: i32 = 0;
  /** What the inner packet is. */
  inner: InnerKind = InnerKind.UNKNOWN;
}

/** The inner kind of a VXLAN-GPE next protocol value. */
export function gpeInnerKind(np: u32): InnerKind {
  switch (np) {
    case 1: return InnerKind.IPV4;
    case 2: return InnerKind.IPV6;
    case 3: return InnerKind.ETHERNET;
    case 4: return InnerKind.NSH;
    case 5: return InnerKind.MPLS;
  }
  return InnerKind.UNKNOWN;
}

/** Decodes the VXLAN or VXLAN-GPE header at p (a UDP payload). */
export function parseVxlan(p: usize, len: i32, r: VxlanRepr): WireErr {
  r.payload = p; r.payloadLen = 0; r.inner = InnerKind.UNKNOWN;
  r.gpe = false; r.gpeVersion = 0; r.bum = false; r.oam = false; r.nextProtocol = 0;
  if (len < VXLAN_HDR_LEN) return WireErr.TRUNCATED;
  const f = u8at(p);
  r.flags = f;
  r.vniValid = (f & 0x08) != 0;
  r.vni = be32(p + 4) >> 8;
  if ((f & 0x04) != 0) {
    r.gpe = true;
    r.gpeVersion = (f >> 4) & 3;
    r.bum = (f & 0x02) != 0;
    r.oam = (f & 0x01) != 0;
    r.nextProtocol = u8at(p + 3);
    // The draft's Ver field: a receiver that does not know the version MUST drop the packet.
    if (r.gpeVersion != 0) return WireErr.BAD_VERSION;
  }
  r.payload = p + <usize>VXLAN_HDR_LEN;
  r.payloadLen = len - VXLAN_HDR_LEN;
  r.inner = r.gpe ? gpeInnerKind(r.nextProtocol) : InnerKind.ETHERNET;
  return WireErr.OK;
}
