// EtherTypes (IEEE 802 Numbers, the IEEE Registration Authority's EtherType list): the one table
// of what an EtherType announces, read by the link walk (link.ts) and by the tunnels whose
// protocol field is an EtherType (GRE, Geneve: tunnel.ts innerOfEtherType).

/** EtherType values with a meaning here. */
export const enum EtherType {
  IPV4 = 0x0800, ARP = 0x0806, TEB = 0x6558, VLAN = 0x8100, IPV6 = 0x86dd, PPP = 0x880b,
  MPLS = 0x8847, MPLS_MULTICAST = 0x8848, PPPOE_DISCOVERY = 0x8863, PPPOE_SESSION = 0x8864,
  QINQ = 0x88a8, ERSPAN_II = 0x88be, PBB = 0x88e7, FABRICPATH = 0x8903, VNTAG = 0x8926,
  ETAG = 0x893f, NSH = 0x894f, QINQ_OLD = 0x9100, ERSPAN_III = 0x22eb, CMD = 0x8909,
}

/** Smallest EtherType (IEEE 802.3 §3.2.6): values up to 1500 are a length, and an LLC header follows. */
export const ETHERTYPE_MIN: u32 = 0x0600;

/** What follows an EtherType. */
export const enum EtherNext {
  UNKNOWN = 0,
  /** IPv4 (RFC 894). */
  IPV4 = 1,
  /** IPv6 (RFC 2464). */
  IPV6 = 2,
  /** ARP (RFC 826). */
  ARP = 3,
  /** An 802.1Q / 802.1ad tag (IEEE 802.1Q §9.6), also the old QinQ 0x9100. */
  VLAN = 4,
  /** Transparent Ethernet Bridging: an Ethernet frame (RFC 1701 §3). */
  TEB = 5,
  /** A PPP frame (RFC 2637 §4.1). */
  PPP = 6,
  /** A PPPoE session stage packet (RFC 2516 §4). */
  PPPOE_SESSION = 7,
  /** An MPLS label stack, unicast or multicast (RFC 3032, RFC 5332). */
  MPLS = 8,
  /** A Network Service Header (RFC 8300 §2). */
  NSH = 9,
  /** An ERSPAN type II or III header. */
  ERSPAN = 10,
  /** An 802.1ah I-TAG (IEEE 802.1Q §9.7, Provider Backbone Bridges). */
  PBB = 11,
  /** Cisco FabricPath's FTag/TTL, then the classic Ethernet frame. */
  FABRICPATH = 12,
  /** Cisco VN-Tag (the pre-standard of IEEE 802.1Qbh). */
  VNTAG = 13,
  /** IEEE 802.1BR E-Tag. */
  ETAG = 14,
  /** Cisco MetaData: a TrustSec security group tag, then an EtherType (wire/cmd.ts). */
  CMD = 15,
}

/** What the EtherType t announces. */
export function etherNext(t: u32): EtherNext {
  switch (t) {
    case EtherType.IPV4: return EtherNext.IPV4;
    case EtherType.IPV6: return EtherNext.IPV6;
    case EtherType.ARP: return EtherNext.ARP;
    case EtherType.VLAN: case EtherType.QINQ: case EtherType.QINQ_OLD: return EtherNext.VLAN;
    case EtherType.TEB: return EtherNext.TEB;
    case EtherType.PPP: return EtherNext.PPP;
    case EtherType.PPPOE_SESSION: return EtherNext.PPPOE_SESSION;
    case EtherType.MPLS: case EtherType.MPLS_MULTICAST: return EtherNext.MPLS;
    case EtherType.NSH: return EtherNext.NSH;
    case EtherType.ERSPAN_II: case EtherType.ERSPAN_III: return EtherNext.ERSPAN;
    case EtherType.PBB: return EtherNext.PBB;
    case EtherType.FABRICPATH: return EtherNext.FABRICPATH;
    case EtherType.VNTAG: return EtherNext.VNTAG;
    case EtherType.ETAG: return EtherNext.ETAG;
    case EtherType.CMD: return EtherNext.CMD;
  }
  return EtherNext.UNKNOWN;
}
