// Tunnels and encapsulations: which tunnel an IP protocol number or a UDP port announces, and
// what a tunnel header says its inner packet is. The tunnel decoders (vxlan.ts, geneve.ts,
// gre.ts, erspan.ts, gtpu.ts, teredo.ts, ayiya.ts, etherip.ts, mpls.ts) report the inner
// packet's start and kind; they never decode the inner packet themselves.

import { u8at } from "../util/mem";
import { EtherNext, etherNext } from "./ethertype";

/** What a tunnel's inner packet is (where its decoder should start). */
export const enum InnerKind {
  /** Not known from the tunnel header (or nothing follows it). */
  UNKNOWN = 0,
  /** An Ethernet frame without FCS. */
  ETHERNET = 1,
  /** An IPv4 packet. */
  IPV4 = 2,
  /** An IPv6 packet. */
  IPV6 = 3,
  /** A PPP frame (GRE protocol 0x880B, RFC 2637 §4.1). */
  PPP = 4,
  /** An MPLS label stack (RFC 3032). */
  MPLS = 5,
  /** A Network Service Header (RFC 8300). */
  NSH = 6,
  /** An ERSPAN type II or III header (parseErspan), then the mirrored frame. */
  ERSPAN = 7,
  /** An IEEE 802.11 frame without FCS (Aruba's GRE protocol types 0x8200–0x8320). */
  DOT11 = 8,
  /** A Cisco MetaData header (GRE protocol 0x8909; wire/cmd.ts), then what its EtherType names. */
  CMD = 9,
}

/** A tunnel or encapsulation, as announced by the outer header. */
export const enum TunnelKind {
  /** Not a tunnel this module knows. */
  NONE = 0,
  /** IPv4 in IP: IP protocol 4 carries an IPv4 packet directly (RFC 2003 §3). */
  IPIP = 1,
  /** IPv6 in IP (6in4, 6to4, IPv6 in IPv6): IP protocol 41 carries an IPv6 packet directly (RFC 4213 §3.5, RFC 2473). */
  IPV6_IN_IP = 2,
  /** GRE: IP protocol 47 (RFC 2784); parseGre. */
  GRE = 3,
  /** EtherIP: IP protocol 97 (RFC 3378); parseEtherIp. */
  ETHERIP = 4,
  /** MPLS in IP: IP protocol 137 carries an MPLS label stack (RFC 4023 §2); parseMpls. */
  MPLS_IN_IP = 5,
  /** VXLAN: UDP port 4789 (RFC 7348 §5), or Linux's pre-IANA default 8472; parseVxlan. */
  VXLAN = 6,
  /** VXLAN-GPE: UDP port 4790 (draft-ietf-nvo3-vxlan-gpe); parseVxlan. */
  VXLAN_GPE = 7,
  /** Geneve: UDP port 6081 (RFC 8926 §3.3); parseGeneve. */
  GENEVE = 8,
  /** GTP-U: UDP port 2152 (3GPP TS 29.281 §4.4.2); parseGtpu. */
  GTPU = 9,
  /** Teredo: UDP port 3544, the servers' port (RFC 4380); parseTeredo. */
  TEREDO = 10,
  /** AYIYA: UDP port 5072 (IANA, draft-massar-v6ops-ayiya); parseAyiya. */
  AYIYA = 11,
  /** GRE in UDP: UDP port 4754 (RFC 8086 §3); parseGre on the UDP payload. */
  GRE_IN_UDP = 12,
  /** MPLS in UDP: UDP port 6635 (RFC 7510 §3); parseMpls on the UDP payload. */
  MPLS_IN_UDP = 13,
}

/** The tunnel (a TunnelKind) an IP protocol number (IPv4 protocol or IPv6 next header) carries, or NONE. */
export function ipInnerKind(protocol: u32): i32 {
  switch (protocol) {
    case 4: return TunnelKind.IPIP;
    case 41: return TunnelKind.IPV6_IN_IP;
    case 47: return TunnelKind.GRE;
    case 97: return TunnelKind.ETHERIP;
    case 137: return TunnelKind.MPLS_IN_IP;
  }
  return TunnelKind.NONE;
}

function udpPortKind(port: u32): i32 {
  switch (port) {
    case 4789: case 8472: return TunnelKind.VXLAN;
    case 4790: return TunnelKind.VXLAN_GPE;
    case 6081: return TunnelKind.GENEVE;
    case 2152: return TunnelKind.GTPU;
    case 3544: return TunnelKind.TEREDO;
    case 5072: return TunnelKind.AYIYA;
    case 4754: return TunnelKind.GRE_IN_UDP;
    case 6635: return TunnelKind.MPLS_IN_UDP;
  }
  return TunnelKind.NONE;
}

/**
 * The tunnel (a TunnelKind) a UDP datagram carries by its well-known port, or NONE. The
 * destination port decides first: VXLAN, Geneve, GRE-in-UDP and MPLS-in-UDP senders put flow
 * entropy in the source port (RFC 7348 §5, RFC 8926 §3.3, RFC 8086 §3, RFC 7510 §3), so a
 * source port says something only when the destination port does not, as in a Teredo server's
 * or an AYIYA server's replies (sent from 3544 or 5072 to the client's port).
 */
export function udpTunnelKind(dstPort: u32, srcPort: u32): i32 {
  const k = udpPortKind(dstPort);
  return k != TunnelKind.NONE ? k : udpPortKind(srcPort);
}

/** The inner kind an EtherType announces (GRE and Geneve protocol types are EtherTypes; the table is ethertype.ts). */
export function innerOfEtherType(t: u32): InnerKind {
  // Aruba's access points tunnel their clients' 802.11 frames to the controller in GRE with
  // protocol types 0x8200 to 0x8320, one per radio/SSID slot (as Wireshark's and Zeek's GRE
  // dissectors take them); these are not EtherTypes of any registered protocol.
  if (t >= 0x8200 && t <= 0x8320 && (t & 0xf) == 0) return InnerKind.DOT11;
  switch (etherNext(t)) {
    case EtherNext.IPV4: return InnerKind.IPV4;
    case EtherNext.IPV6: return InnerKind.IPV6;
    case EtherNext.TEB: return InnerKind.ETHERNET;
    case EtherNext.PPP: return InnerKind.PPP;
    case EtherNext.MPLS: return InnerKind.MPLS;
    case EtherNext.NSH: return InnerKind.NSH;
    case EtherNext.ERSPAN: return InnerKind.ERSPAN;
    case EtherNext.CMD: return InnerKind.CMD;
  }
  return InnerKind.UNKNOWN;
}

/** The inner kind of an IP packet at p by its version nibble (4 or 6), else UNKNOWN (also when nothing is captured). */
export function innerOfIpVersion(p: usize, len: i32): InnerKind {
  if (len < 1) return InnerKind.UNKNOWN;
  const v = u8at(p) >> 4;
  return v == 4 ? InnerKind.IPV4 : v == 6 ? InnerKind.IPV6 : InnerKind.UNKNOWN;
}
