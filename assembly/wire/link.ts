// Link layers: Ethernet II with 802.1Q / 802.1ad tags (IEEE 802.1Q), Linux cooked SLL (113) and
// SLL2 (276), BSD loopback/null (0), OpenBSD LOOP (108) and raw IP (101, 228, 229, and the
// historical DLT 12/14). Stateless: parseLink fills a LinkRepr from (p, len).

import { MAX_VLAN_TAGS } from "../config";
import { be16, be32, le32 } from "../util/mem";
import { WireErr } from "./errors";

/** pcap LINKTYPE_* values this decoder understands. */
export const enum LinkType {
  NULL = 0, ETHERNET = 1, RAW_OLD12 = 12, RAW_OLD14 = 14, RAW = 101, LOOP = 108,
  LINUX_SLL = 113, IPV4 = 228, IPV6 = 229, LINUX_SLL2 = 276,
}

/** What the network layer is, as told by the link layer. */
export const enum NetKind { NONE = 0, IPV4 = 1, IPV6 = 2, ARP = 3, OTHER = 4 }

/** Decoded link layer. */
export class LinkRepr {
  /** Link layer understood at all (false: unsupported link type). */
  known: bool = false;
  /** Ethernet header present (gives the L2 object). */
  ethernet: bool = false;
  /** Destination and source MAC addresses (Ethernet). */
  dst: usize = 0;
  src: usize = 0;
  /** EtherType of the Ethernet header itself (0 = 802.3 length field, i.e. LLC). */
  etherType: u32 = 0;
  /** EtherType (or SLL protocol) of what follows the link header and any VLAN tags. */
  innerType: u32 = 0;
  /** VLAN ids, outermost first. */
  vlanCount: i32 = 0;
  vlans: StaticArray<u16> = new StaticArray<u16>(MAX_VLAN_TAGS);
  /** Bytes of link header (network layer starts here). */
  hdrLen: i32 = 0;
  /** Network layer kind. */
  net: NetKind = NetKind.NONE;
}

function netFromEtherType(t: u32): NetKind {
  if (t == 0x0800) return NetKind.IPV4;
  if (t == 0x86dd) return NetKind.IPV6;
  if (t == 0x0806) return NetKind.ARP;
  return NetKind.OTHER;
}

function netFromVersion(p: usize, len: i32): NetKind {
  if (len < 1) return NetKind.NONE;
  const v = <u32>load<u8>(p) >> 4;
  return v == 4 ? NetKind.IPV4 : v == 6 ? NetKind.IPV6 : NetKind.OTHER;
}

// BSD address families of IPv4 and IPv6 (AF_INET6 differs between systems: Linux 10,
// NetBSD/OpenBSD 24, FreeBSD 28, Darwin 30).
function netFromFamily(f: u32): NetKind {
  if (f == 2) return NetKind.IPV4;
  if (f == 10 || f == 24 || f == 28 || f == 30) return NetKind.IPV6;
  return NetKind.OTHER;
}

/** Decodes the link header of a packet of the given link type. */
export function parseLink(link: u32, p: usize, len: i32, r: LinkRepr): WireErr {
  r.known = true; r.ethernet = false; r.vlanCount = 0; r.hdrLen = 0; r.net = NetKind.NONE;
  r.etherType = 0; r.innerType = 0;
  switch (link) {
    case LinkType.ETHERNET: {
      if (len < 14) return WireErr.TRUNCATED;
      r.ethernet = true; r.dst = p; r.src = p + 6;
      let t = be16(p + 12);
      // IEEE 802.3: values up to 1500 are a length, and an LLC header follows.
      if (t < 0x0600) t = 0;
      r.etherType = t;
      let off = 14;
      while ((t == 0x8100 || t == 0x88a8 || t == 0x9100) && r.vlanCount < MAX_VLAN_TAGS) {
        if (len < off + 4) { r.hdrLen = off; r.innerType = t; return WireErr.TRUNCATED; }
        unchecked(r.vlans[r.vlanCount++] = <u16>(be16(p + off) & 0x0fff));
        t = be16(p + off + 2);
        if (t < 0x0600) t = 0;
        off += 4;
      }
      r.innerType = t; r.hdrLen = off;
      r.net = netFromEtherType(t);
      return WireErr.OK;
    }
    case LinkType.LINUX_SLL: {
      if (len < 16) return WireErr.TRUNCATED;
      r.innerType = be16(p + 14); r.hdrLen = 16;
      r.net = netFromEtherType(r.innerType);
      return WireErr.OK;
    }
    case LinkType.LINUX_SLL2: {
      if (len < 20) return WireErr.TRUNCATED;
      r.innerType = be16(p); r.hdrLen = 20;
      r.net = netFromEtherType(r.innerType);
      return WireErr.OK;
    }
    case LinkType.NULL: {
      if (len < 4) return WireErr.TRUNCATED;
      // The family is in the capturing host's byte order; a real family fits in 16 bits.
      let f = le32(p);
      if (f > 0xffff) f = bswap<u32>(f);
      r.hdrLen = 4; r.net = netFromFamily(f);
      return WireErr.OK;
    }
    case LinkType.LOOP: {
      if (len < 4) return WireErr.TRUNCATED;
      r.hdrLen = 4; r.net = netFromFamily(be32(p));
      return WireErr.OK;
    }
    case LinkType.RAW: case LinkType.RAW_OLD12: case LinkType.RAW_OLD14:
      r.net = netFromVersion(p, len); return WireErr.OK;
    case LinkType.IPV4: r.net = NetKind.IPV4; return WireErr.OK;
    case LinkType.IPV6: r.net = NetKind.IPV6; return WireErr.OK;
  }
  r.known = false;
  return WireErr.OK;
}
