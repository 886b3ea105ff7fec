// Link layers, down to the network layer. Link types: Ethernet II with 802.1Q / 802.1ad tags
// (IEEE 802.1Q) and 802.3 LLC/SNAP, Linux cooked SLL (113) and SLL2 (276), BSD loopback/null
// (0), OpenBSD LOOP (108), raw IP (101, 228, 229, and the historical DLT 12/14), PPP (9),
// PPP in HDLC-like framing (50), PPP with direction (204), Cisco HDLC (104), MPLS (219), Linux
// NFLOG (239), IEEE 802.11 (105), 802.11 with radiotap (127) and FDDI (10) — pcap's
// LINKTYPE_* values. After the link header, a walk follows the link-level encapsulations an
// EtherType or a protocol field names — PPPoE (RFC 2516), PPP (RFC 1661), MPLS (RFC 3032),
// LLC/SNAP (RFC 1042), PBB (IEEE 802.1ah), VN-Tag, E-Tag (IEEE 802.1BR), NSH (RFC 8300),
// FabricPath, an inner Ethernet frame — LINK_ENCAP_DEPTH of them at most, each by its wire/
// decoder. Stateless: parseLink fills a LinkRepr from (p, len); the encapsulations' values
// are kept as numbers and offsets into the frame, nothing is copied.

import { MAX_VLAN_TAGS, LINK_ENCAP_DEPTH } from "../config";
import { be16, be32, le32, u8at } from "../util/mem";
import { WireErr } from "./errors";
import { CmdRepr, parseCmd, CMD_LEN } from "./cmd";
import { EtherType, EtherNext, etherNext, ETHERTYPE_MIN } from "./ethertype";
import { InnerKind } from "./tunnel";
import { PppRepr, parsePpp, pppNext } from "./ppp";
import { PppoeRepr, parsePppoe, PPPOE_HDR_LEN } from "./pppoe";
import { ChdlcRepr, parseChdlc, isChdlcAddress, CHDLC_HDR_LEN } from "./chdlc";
import { LlcRepr, parseLlc } from "./llc";
import { MplsRepr, parseMpls, pwEthernetStart } from "./mpls";
import { PbbRepr, parsePbb, ITAG_LEN } from "./pbb";
import { PortTagRepr, parseEtag, parseVntag } from "./etag";
import { NshRepr, parseNsh } from "./nsh";
import { FabricPathRepr, parseFabricPath, FABRICPATH_TAG_LEN } from "./fabricpath";
import { NflogRepr, parseNflog, NFPROTO_IPV4, NFPROTO_IPV6 } from "./nflog";
import { RadiotapRepr, parseRadiotap, RT_FLAG_FCS, RT_FLAG_DATAPAD } from "./radiotap";
import { Dot11Repr, parseDot11 } from "./dot11";
import { FddiRepr, parseFddi, FDDI_HDR_LEN } from "./fddi";

/** pcap LINKTYPE_* values this decoder understands. */
export const enum LinkType {
  NULL = 0, ETHERNET = 1, PPP = 9, FDDI = 10, RAW_OLD12 = 12, RAW_OLD14 = 14, PPP_HDLC = 50, RAW = 101,
  C_HDLC = 104, IEEE802_11 = 105, LOOP = 108, LINUX_SLL = 113, IEEE802_11_RADIOTAP = 127, PPP_WITH_DIR = 204,
  MPLS = 219, IPV4 = 228, IPV6 = 229, NFLOG = 239, LINUX_SLL2 = 276,
}

/** What the network layer is, as told by the link layer. */
export const enum NetKind { NONE = 0, IPV4 = 1, IPV6 = 2, ARP = 3, OTHER = 4 }

/** A link-level encapsulation: an entry of LinkRepr's list (the record's `L2.encap`), or where an error is. */
export const enum Encap {
  /** None: the link type's own header (Ethernet, SLL, loopback). */
  NONE = 0, RADIOTAP = 1, DOT11 = 2, FDDI = 3, CHDLC = 4, PPP = 5, PPPOE = 6, LLC_SNAP = 7, MPLS = 8, PBB = 9,
  /** An Ethernet frame inside another (PBB, FabricPath, NSH, an MPLS pseudowire): its addresses. */
  ETHERNET = 10,
  VNTAG = 11, ETAG = 12, NSH = 13, FABRICPATH = 14, NFLOG = 15,
  /** Cisco MetaData (EtherType 0x8909): its security group tag. */
  CMD = 16,
}

/** parseLink flag: the capture's byte order is big-endian (NFLOG's TLV headers are in it). */
export const LINK_BIG_ENDIAN: u32 = 1;
/** parseLink flag: an MPLS payload that is not IP by its label or first nibble is an Ethernet pseudowire (RFC 4448). */
export const LINK_MPLS_PW_ETHERNET: u32 = 2;

/** Decoded link layer. */
export class LinkRepr {
  /** Link layer understood at all (false: unsupported link type). */
  known: bool = false;
  /** Destination and source MAC addresses are known (Ethernet, FDDI, 802.11 data and management frames). */
  macs: bool = false;
  /** Destination and source MAC addresses. */
  dst: usize = 0;
  src: usize = 0;
  /** The L2 object has a `type`: the Ethernet header's EtherType, or FDDI's / 802.11's SNAP one. */
  hasType: bool = false;
  /** That EtherType (0 = 802.3 length field, i.e. LLC). */
  etherType: u32 = 0;
  /** EtherType (or SLL protocol) of what follows the link header, its VLAN tags and encapsulations. */
  innerType: u32 = 0;
  /** VLAN ids, outermost first (also those inside an encapsulation, such as PBB's customer tags). */
  vlanCount: i32 = 0;
  vlans: StaticArray<u16> = new StaticArray<u16>(MAX_VLAN_TAGS);
  /** Link-level encapsulations, outermost first: kind (Encap) and two values (encapA, encapB: see pushEncap's callers). */
  encapCount: i32 = 0;
  encapKind: StaticArray<u8> = new StaticArray<u8>(LINK_ENCAP_DEPTH);
  encapA: StaticArray<u32> = new StaticArray<u32>(LINK_ENCAP_DEPTH);
  encapB: StaticArray<u32> = new StaticArray<u32>(LINK_ENCAP_DEPTH);
  /** Start of the frame (encapsulation values that are offsets count from here). */
  base: usize = 0;
  /** Where the error parseLink returned is: the encapsulation whose header is at fault (NONE: the link header). */
  errAt: Encap = Encap.NONE;
  /** Bytes of link header (network layer starts here). */
  hdrLen: i32 = 0;
  /** Bytes after the network layer's packet that are not part of it (NFLOG TLVs after the payload). */
  trailer: i32 = 0;
  /** The frame ends in a 4-byte FCS, when captured whole (radiotap's Flags). */
  fcs: bool = false;
  /** Network layer kind. */
  net: NetKind = NetKind.NONE;

  /** The record gets an L2 object: addresses, encapsulations or VLAN tags are known. */
  @inline hasL2(): bool { return this.macs || this.encapCount > 0 || this.vlanCount > 0; }
}

function netOf(n: EtherNext): NetKind {
  if (n == EtherNext.IPV4) return NetKind.IPV4;
  if (n == EtherNext.IPV6) return NetKind.IPV6;
  if (n == EtherNext.ARP) return NetKind.ARP;
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

// The decoders' Reprs: scratch for one call, nothing survives it but what LinkRepr keeps.
const ppp = new PppRepr();
const pppoe = new PppoeRepr();
const chdlc = new ChdlcRepr();
const llc = new LlcRepr();
const mpls = new MplsRepr();
const pbb = new PbbRepr();
const tag = new PortTagRepr();
const nsh = new NshRepr();
const cmd = new CmdRepr();
const fp = new FabricPathRepr();
const nflog = new NflogRepr();
const rt = new RadiotapRepr();
const dot11 = new Dot11Repr();
const fddi = new FddiRepr();

/** Decodes the link header of a packet of the given link type, and the encapsulations after it; flags: LINK_* bits. */
export function parseLink(link: u32, p: usize, len: i32, r: LinkRepr, flags: u32 = 0): WireErr {
  r.known = true; r.macs = false; r.hasType = false; r.vlanCount = 0; r.encapCount = 0; r.errAt = Encap.NONE;
  r.hdrLen = 0; r.trailer = 0; r.fcs = false; r.net = NetKind.NONE; r.etherType = 0; r.innerType = 0; r.base = p;
  switch (link) {
    case LinkType.ETHERNET: {
      if (len < 14) return WireErr.TRUNCATED;
      r.macs = true; r.hasType = true; r.dst = p; r.src = p + 6;
      let t = be16(p + 12);
      // IEEE 802.3: values up to 1500 are a length, and an LLC header follows.
      if (t < ETHERTYPE_MIN) t = 0;
      r.etherType = t; r.innerType = t; r.hdrLen = 14;
      // The common case costs one comparison; everything else is the walk's.
      if (t == EtherType.IPV4) { r.net = NetKind.IPV4; return WireErr.OK; }
      return walk(Step.ETHERTYPE, t, p, len, 14, r, flags);
    }
    case LinkType.LINUX_SLL: {
      if (len < 16) return WireErr.TRUNCATED;
      return cooked(be16(p + 14), p, len, 16, r, flags);
    }
    case LinkType.LINUX_SLL2: {
      if (len < 20) return WireErr.TRUNCATED;
      return cooked(be16(p), p, len, 20, r, flags);
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
    // LINKTYPE_PPP may be HDLC-framed or not; LINKTYPE_PPP_HDLC's first octet 0x0f or 0x8f is
    // Cisco HDLC instead (RFC 1547 §4.3.1; Wireshark tells them apart the same way on both).
    case LinkType.PPP: case LinkType.PPP_HDLC:
      return walk(len >= 1 && isChdlcAddress(u8at(p)) ? Step.CHDLC : Step.PPP, 0, p, len, 0, r, flags);
    // One octet of direction (0 received, else sent), then PPP (libpcap's LINKTYPE_PPP_WITH_DIR).
    case LinkType.PPP_WITH_DIR: {
      if (len < 1) { r.errAt = Encap.PPP; return WireErr.TRUNCATED; }
      return walk(Step.PPP, 0, p, len, 1, r, flags);
    }
    case LinkType.C_HDLC: return walk(Step.CHDLC, 0, p, len, 0, r, flags);
    case LinkType.MPLS: return walk(Step.MPLS, 0, p, len, 0, r, flags);
    case LinkType.NFLOG: {
      const e = parseNflog(p, len, (flags & LINK_BIG_ENDIAN) != 0, nflog);
      if (e != WireErr.OK) { r.errAt = Encap.NFLOG; return e; }
      pushEncap(r, Encap.NFLOG, 0, 0);
      if (!nflog.hasPayload) { r.hdrLen = len; return WireErr.OK; }
      r.hdrLen = nflog.payloadOff; r.trailer = len - nflog.payloadOff - nflog.payloadLen;
      r.net = nflog.family == NFPROTO_IPV4 ? NetKind.IPV4 : nflog.family == NFPROTO_IPV6 ? NetKind.IPV6 : NetKind.OTHER;
      return WireErr.OK;
    }
    case LinkType.IEEE802_11: return dot11At(p, len, 0, false, r, flags);
    case LinkType.IEEE802_11_RADIOTAP: {
      const e = parseRadiotap(p, len, rt);
      if (e != WireErr.OK) { r.errAt = Encap.RADIOTAP; return e; }
      pushEncap(r, Encap.RADIOTAP, 0, 0);
      r.fcs = (rt.flags & RT_FLAG_FCS) != 0;
      return dot11At(p, len, rt.hdrLen, (rt.flags & RT_FLAG_DATAPAD) != 0, r, flags);
    }
    case LinkType.FDDI: {
      const e = parseFddi(p, len, fddi);
      if (e != WireErr.OK) { r.errAt = Encap.FDDI; return e; }
      pushEncap(r, Encap.FDDI, 0, 0);
      r.macs = true; r.dst = p + 1; r.src = p + 7; r.hdrLen = FDDI_HDR_LEN;
      if (!fddi.llc) return WireErr.OK;
      return walk(Step.LLC, 0, p, len, FDDI_HDR_LEN, r, flags);
    }
  }
  r.known = false;
  return WireErr.OK;
}

// Linux cooked capture: the protocol is an EtherType from 0x0600 on; below, one of Linux's
// LINUX_SLL_P_* values (802.2 LLC, 802.3 without LLC, CAN, ...), not decoded.
function cooked(t: u32, p: usize, len: i32, off: i32, r: LinkRepr, flags: u32): WireErr {
  r.innerType = t; r.hdrLen = off;
  if (t == EtherType.IPV4) { r.net = NetKind.IPV4; return WireErr.OK; }
  if (t < ETHERTYPE_MIN) { r.net = NetKind.OTHER; return WireErr.OK; }
  return walk(Step.ETHERTYPE, t, p, len, off, r, flags);
}

// An 802.11 frame at off (after radiotap, whose Flags may say the header is padded to 4 bytes).
function dot11At(p: usize, len: i32, off: i32, pad: bool, r: LinkRepr, flags: u32): WireErr {
  const e = parseDot11(p + <usize>off, len - off, dot11);
  if (e != WireErr.OK) { r.errAt = Encap.DOT11; r.hdrLen = off; return e; }
  if (!pushEncap(r, Encap.DOT11, dot11.isProtected ? 1 : 0, 0)) return tooDeep(r, Encap.DOT11, off);
  if (dot11.dst != 0) { r.macs = true; r.dst = dot11.dst; r.src = dot11.src; }
  let h = dot11.hdrLen;
  if (pad) h = (h + 3) & ~3;
  r.hdrLen = off + h;
  // An encrypted body is not decrypted, and an A-MSDU's subframes are not split: no network layer.
  if (!dot11.body || dot11.isProtected || dot11.amsdu) return WireErr.OK;
  return walk(Step.LLC, 0, p, len, off + h, r, flags);
}

/** Adds an encapsulation to r's list; false when the list is full (LINK_ENCAP_DEPTH). */
function pushEncap(r: LinkRepr, kind: Encap, a: u32, b: u32): bool {
  const i = r.encapCount;
  if (i >= LINK_ENCAP_DEPTH) return false;
  unchecked(r.encapKind[i] = <u8>kind); unchecked(r.encapA[i] = a); unchecked(r.encapB[i] = b);
  r.encapCount = i + 1;
  return true;
}

function fail(r: LinkRepr, at: Encap, off: i32, e: WireErr): WireErr { r.errAt = at; r.hdrLen = off; r.net = NetKind.NONE; return e; }
function tooDeep(r: LinkRepr, at: Encap, off: i32): WireErr { return fail(r, at, off, WireErr.TOO_MANY_ENCAPS); }

// What the walk decodes next at off.
const enum Step { ETHERTYPE = 0, ETHERNET = 1, LLC = 2, PPP = 3, CHDLC = 4, MPLS = 5, NSH = 6 }

// The walk: from one header to the next until the network layer (or something else) is found.
// Every step but ETHERTYPE adds an encapsulation, and ETHERTYPE either ends the walk, adds one,
// or hands over to a step that does: the list's bound (LINK_ENCAP_DEPTH) bounds the walk.
// Values kept per encapsulation: PPP and Cisco HDLC their protocol, PPPoE its session id, MPLS
// its label count and the stack's offset, PBB its I-SID, NSH its service path id and index, an
// inner Ethernet frame its offset, 802.11 whether it is protected (1).
function walk(step: Step, t: u32, p: usize, len: i32, off: i32, r: LinkRepr, flags: u32): WireErr {
  while (true) {
    switch (step) {
      case Step.ETHERTYPE: {
        // 802.1Q / 802.1ad tags (IEEE 802.1Q §9.6), each 4 bytes before the next EtherType.
        while ((t == EtherType.VLAN || t == EtherType.QINQ || t == EtherType.QINQ_OLD) && r.vlanCount < MAX_VLAN_TAGS) {
          if (len < off + 4) { r.hdrLen = off; r.innerType = t; return WireErr.TRUNCATED; }
          unchecked(r.vlans[r.vlanCount++] = <u16>(be16(p + <usize>off) & 0x0fff));
          t = be16(p + <usize>off + 2);
          if (t < ETHERTYPE_MIN) t = 0;
          off += 4;
        }
        r.innerType = t; r.hdrLen = off;
        const n = etherNext(t);
        switch (n) {
          case EtherNext.IPV4: case EtherNext.IPV6: case EtherNext.ARP: r.net = netOf(n); return WireErr.OK;
          case EtherNext.PPPOE_SESSION: {
            const e = parsePppoe(p + <usize>off, len - off, pppoe);
            if (e != WireErr.OK) return fail(r, Encap.PPPOE, off, e);
            if (!pushEncap(r, Encap.PPPOE, pppoe.session, 0)) return tooDeep(r, Encap.PPPOE, off);
            off += PPPOE_HDR_LEN; step = Step.PPP; break;
          }
          case EtherNext.MPLS: step = Step.MPLS; break;
          case EtherNext.NSH: step = Step.NSH; break;
          case EtherNext.PBB: {
            const e = parsePbb(p + <usize>off, len - off, pbb);
            if (e != WireErr.OK) return fail(r, Encap.PBB, off, e);
            if (!pushEncap(r, Encap.PBB, pbb.isid, 0)) return tooDeep(r, Encap.PBB, off);
            off += ITAG_LEN; step = Step.ETHERNET; break;
          }
          case EtherNext.FABRICPATH: {
            const e = parseFabricPath(p + <usize>off, len - off, fp);
            if (e != WireErr.OK) return fail(r, Encap.FABRICPATH, off, e);
            if (!pushEncap(r, Encap.FABRICPATH, 0, 0)) return tooDeep(r, Encap.FABRICPATH, off);
            off += FABRICPATH_TAG_LEN; step = Step.ETHERNET; break;
          }
          case EtherNext.VNTAG: case EtherNext.ETAG: {
            const k = n == EtherNext.VNTAG ? Encap.VNTAG : Encap.ETAG;
            const e = n == EtherNext.VNTAG ? parseVntag(p + <usize>off, len - off, tag) : parseEtag(p + <usize>off, len - off, tag);
            if (e != WireErr.OK) return fail(r, k, off, e);
            if (!pushEncap(r, k, 0, 0)) return tooDeep(r, k, off);
            t = tag.etherType;
            if (t < ETHERTYPE_MIN) t = 0;
            off += tag.hdrLen;
            break;
          }
          case EtherNext.CMD: {
            const e = parseCmd(p + <usize>off, len - off, false, cmd);
            if (e != WireErr.OK) return fail(r, Encap.CMD, off, e);
            if (!pushEncap(r, Encap.CMD, cmd.sgt, 0)) return tooDeep(r, Encap.CMD, off);
            t = cmd.etherType;
            if (t < ETHERTYPE_MIN) t = 0;
            off += CMD_LEN;
            break;
          }
          default:
            if (t == 0) { step = Step.LLC; break; }
            r.net = NetKind.OTHER;
            return WireErr.OK;
        }
        break;
      }
      case Step.ETHERNET: {
        if (len < off + 14) return fail(r, Encap.ETHERNET, off, WireErr.TRUNCATED);
        if (!pushEncap(r, Encap.ETHERNET, 0, <u32>off)) return tooDeep(r, Encap.ETHERNET, off);
        t = be16(p + <usize>off + 12);
        if (t < ETHERTYPE_MIN) t = 0;
        off += 14; step = Step.ETHERTYPE;
        break;
      }
      case Step.LLC: {
        const e = parseLlc(p + <usize>off, len - off, llc);
        if (e != WireErr.OK) return fail(r, Encap.LLC_SNAP, off, e);
        // LLC without SNAP (STP, IS-IS, NetBIOS, ...) or SNAP of another organisation: not followed.
        if (!llc.snap || !llc.etherType) { r.hdrLen = off; r.net = NetKind.OTHER; return WireErr.OK; }
        if (!pushEncap(r, Encap.LLC_SNAP, 0, 0)) return tooDeep(r, Encap.LLC_SNAP, off);
        t = llc.pid;
        if (!r.hasType) { r.hasType = true; r.etherType = t; }
        off += llc.hdrLen; step = Step.ETHERTYPE;
        break;
      }
      case Step.PPP: {
        const e = parsePpp(p + <usize>off, len - off, ppp);
        if (e != WireErr.OK) return fail(r, Encap.PPP, off, e);
        if (!pushEncap(r, Encap.PPP, ppp.protocol, 0)) return tooDeep(r, Encap.PPP, off);
        off += ppp.hdrLen; r.hdrLen = off;
        const n = pppNext(ppp.protocol);
        if (n == EtherNext.MPLS) { step = Step.MPLS; break; }
        r.net = netOf(n);
        return WireErr.OK;
      }
      case Step.CHDLC: {
        const e = parseChdlc(p + <usize>off, len - off, chdlc);
        if (e != WireErr.OK) return fail(r, Encap.CHDLC, off, e);
        if (!pushEncap(r, Encap.CHDLC, chdlc.protocol, 0)) return tooDeep(r, Encap.CHDLC, off);
        t = chdlc.protocol; off += CHDLC_HDR_LEN; step = Step.ETHERTYPE;
        break;
      }
      case Step.MPLS: {
        const e = parseMpls(p + <usize>off, len - off, mpls);
        if (e != WireErr.OK) return fail(r, Encap.MPLS, off, e);
        if (!pushEncap(r, Encap.MPLS, <u32>mpls.count, <u32>off)) return tooDeep(r, Encap.MPLS, off);
        off += mpls.hdrLen; r.hdrLen = off;
        if (mpls.inner == InnerKind.IPV4) { r.net = NetKind.IPV4; return WireErr.OK; }
        if (mpls.inner == InnerKind.IPV6) { r.net = NetKind.IPV6; return WireErr.OK; }
        // What a label carries is signalled, not in the packet: an Ethernet pseudowire only when
        // the caller says so (RFC 4448 §3; after its control word, RFC 4385 §3).
        if ((flags & LINK_MPLS_PW_ETHERNET) != 0 && !mpls.ach) {
          const s = pwEthernetStart(mpls);
          if (s < 0) return fail(r, Encap.MPLS, off, WireErr.TRUNCATED);
          off += s; step = Step.ETHERNET; break;
        }
        r.net = NetKind.OTHER;
        return WireErr.OK;
      }
      case Step.NSH: {
        const e = parseNsh(p + <usize>off, len - off, nsh);
        if (e != WireErr.OK) return fail(r, Encap.NSH, off, e);
        if (!pushEncap(r, Encap.NSH, nsh.spi, nsh.si)) return tooDeep(r, Encap.NSH, off);
        off += nsh.hdrLen; r.hdrLen = off;
        const k = nsh.inner;
        if (k == InnerKind.IPV4) { r.net = NetKind.IPV4; return WireErr.OK; }
        if (k == InnerKind.IPV6) { r.net = NetKind.IPV6; return WireErr.OK; }
        if (k == InnerKind.ETHERNET) { step = Step.ETHERNET; break; }
        if (k == InnerKind.NSH) break;
        if (k == InnerKind.MPLS) { step = Step.MPLS; break; }
        r.net = NetKind.OTHER;
        return WireErr.OK;
      }
    }
  }
  return WireErr.OK; // not reached: every step returns or moves on
}
