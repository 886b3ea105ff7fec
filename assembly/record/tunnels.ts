// The tunnels a packet carries (VXLAN, Geneve, GRE and ERSPAN, GTP-U, Teredo, AYIYA, IP in IP,
// EtherIP, MPLS in IP or UDP): walked from the outer transport inward, TUNNEL_DEPTH deep at
// most, with the stateless decoders of wire/. What it finds: each encapsulation (its kind and its
// VNI, key, TEID, session or label), and where the innermost packet starts and what it is, for
// record/decode.ts to decode and the DEBUG analysis to follow. The scope tells one tunnel from
// another, so that the same inner connection in two tunnels stays two connections.

import { TUNNEL_DEPTH } from "../config";
import { LinkRepr, parseLink, LINK_MPLS_PW_ETHERNET } from "../wire/link";
import { Ipv4Repr, parseIpv4, isFragment } from "../wire/ipv4";
import { Ipv6Repr, parseIpv6 } from "../wire/ipv6";
import { UdpRepr, parseUdp } from "../wire/udp";
import { WireErr } from "../wire/errors";
import { InnerKind, TunnelKind, ipInnerKind, udpTunnelKind, innerOfIpVersion, innerOfEtherType } from "../wire/tunnel";
import { VxlanRepr, parseVxlan } from "../wire/vxlan";
import { GeneveRepr, parseGeneve } from "../wire/geneve";
import { GreRepr, parseGre } from "../wire/gre";
import { ErspanRepr, parseErspan, erspanTypeI } from "../wire/erspan";
import { GtpuRepr, parseGtpu } from "../wire/gtpu";
import { TeredoRepr, parseTeredo } from "../wire/teredo";
import { AyiyaRepr, parseAyiya } from "../wire/ayiya";
import { EtherIpRepr, parseEtherIp } from "../wire/etherip";
import { MplsRepr, parseMpls, pwEthernetStart } from "../wire/mpls";
import { CmdRepr, parseCmd, CMD_LEN } from "../wire/cmd";
import { mplsPseudowire, MplsPseudowire } from "./options";
import { hashU64 } from "../util/fnv";

/** Encapsulations found (0: none). */
export let count: i32 = 0;
/** Each one's kind (TunnelKind, or ERSPAN_* below), its identifier and whether it has one. */
export const kinds = new StaticArray<i32>(TUNNEL_DEPTH);
export const ids = new StaticArray<u32>(TUNNEL_DEPTH);
export const hasId = new StaticArray<bool>(TUNNEL_DEPTH);
/** The innermost packet: what it is (InnerKind: ETHERNET, IPV4 or IPV6 are decoded), where, how many bytes. */
export let innerKind: InnerKind = InnerKind.UNKNOWN;
export let innerPtr: usize = 0;
export let innerLen: i32 = 0;
/**
 * The link type the innermost packet is decoded as (record/decode.ts, the link walk of wire/link.ts):
 * an Ethernet frame (1), a PPP frame (9: GRE 0x880B, PPTP), an MPLS label stack (219: GRE 0x8847),
 * an 802.11 frame (105: Aruba's GRE), an IP packet (101, by its version); -1 when it is none of these.
 */
export function innerLinkType(): i32 { return linkTypeOf(innerKind); }

function linkTypeOf(k: InnerKind): i32 {
  switch (k) {
    case InnerKind.ETHERNET: return 1;
    case InnerKind.PPP: return 9;
    case InnerKind.MPLS: return 219;
    case InnerKind.DOT11: return 105;
    case InnerKind.IPV4: case InnerKind.IPV6: return 101;
  }
  return -1;
}

/** Tells this packet's tunnels from others' (0 without a tunnel): folded into the connection key. */
export let scope: u32 = 0;

/** ERSPAN (a GRE payload) as an encapsulation of its own: its session id is the identifier. */
export const ERSPAN_KIND: i32 = 100;
/** Cisco MetaData in GRE (protocol 0x8909) as an encapsulation of its own: its security group tag is the identifier. */
export const CMD_KIND: i32 = 101;

const vx = new VxlanRepr();
const gn = new GeneveRepr();
const gre = new GreRepr();
const ers = new ErspanRepr();
const gtp = new GtpuRepr();
const ter = new TeredoRepr();
const ayi = new AyiyaRepr();
const eip = new EtherIpRepr();
const mpls = new MplsRepr();
const cmd = new CmdRepr();
const lk = new LinkRepr();
const v4 = new Ipv4Repr();
const v6 = new Ipv6Repr();
const ud = new UdpRepr();

function add(kind: i32, id: u32, has: bool): void {
  unchecked(kinds[count] = kind); unchecked(ids[count] = id); unchecked(hasId[count] = has);
  count++;
}

/** The packet carries no tunnel (its transport or IP protocol cannot start one). */
@inline export function none(): void { count = 0; innerKind = InnerKind.UNKNOWN; scope = 0; }

// Where the walk stands: the next encapsulation's kind and bytes.
let nextKind: i32 = TunnelKind.NONE;
let nextPtr: usize = 0;
let nextLen: i32 = 0;

/**
 * Walks the tunnels of a packet whose outer transport is UDP (ports sp, dp, payload p/len) or
 * whose IP protocol is proto (payload p/len, udp false); outerFlow is the outer L3 flow id.
 */
export function walk(udp: bool, proto: u32, sp: u32, dp: u32, p: usize, len: i32, outerFlow: u64): void {
  count = 0; innerKind = InnerKind.UNKNOWN; scope = 0;
  nextKind = udp ? udpTunnelKind(dp, sp) : ipInnerKind(proto);
  nextPtr = p; nextLen = len;
  if (nextKind == TunnelKind.NONE) return;
  let h: u64 = outerFlow;
  while (nextKind != TunnelKind.NONE && count < TUNNEL_DEPTH) {
    const k = nextKind;
    nextKind = TunnelKind.NONE;
    if (!step(k, nextPtr, nextLen)) break;
    h = hashU64(h ^ (<u64>unchecked(kinds[count - 1]) << 32) ^ <u64>unchecked(ids[count - 1]));
    if (linkTypeOf(innerKind) >= 0) findNested();
  }
  if (count > 0) scope = <u32>(h ^ (h >> 32)) | 1;
}

// Decodes one encapsulation of kind k at p; true when it was one (the inner packet is set).
function step(k: i32, p: usize, len: i32): bool {
  let ik = InnerKind.UNKNOWN, ip: usize = 0, il = 0;
  switch (k) {
    case TunnelKind.VXLAN: case TunnelKind.VXLAN_GPE: {
      if (parseVxlan(p, len, vx) != WireErr.OK) return false;
      add(k, vx.vni, vx.vniValid); ik = vx.inner; ip = vx.payload; il = vx.payloadLen; break;
    }
    case TunnelKind.GENEVE: {
      if (parseGeneve(p, len, gn) != WireErr.OK) return false;
      add(k, gn.vni, true); ik = gn.inner; ip = gn.payload; il = gn.payloadLen; break;
    }
    case TunnelKind.GRE: case TunnelKind.GRE_IN_UDP: {
      if (parseGre(p, len, gre) != WireErr.OK) return false;
      add(k, gre.key, gre.keyPresent); ik = gre.inner; ip = gre.payload; il = gre.payloadLen;
      // ERSPAN type I has no header of its own: the mirrored frame follows GRE directly.
      if (erspanTypeI(gre.protocol, gre.seqPresent)) { if (count < TUNNEL_DEPTH) add(ERSPAN_KIND, 0, false); ik = InnerKind.ETHERNET; }
      else if (ik == InnerKind.ERSPAN) {
        if (count >= TUNNEL_DEPTH || parseErspan(ip, il, ers) != WireErr.OK) { ik = InnerKind.UNKNOWN; break; }
        add(ERSPAN_KIND, ers.sessionId, true); ik = ers.inner; ip = ers.payload; il = ers.payloadLen;
      } else if (ik == InnerKind.CMD) {
        // A TrustSec tag between GRE and the packet (wire/cmd.ts): the EtherType after it says what follows.
        if (count >= TUNNEL_DEPTH || parseCmd(ip, il, true, cmd) != WireErr.OK) { ik = InnerKind.UNKNOWN; break; }
        add(CMD_KIND, cmd.sgt, true); ik = innerOfEtherType(cmd.etherType); ip += <usize>CMD_LEN; il -= CMD_LEN;
      }
      break;
    }
    case TunnelKind.GTPU: {
      if (parseGtpu(p, len, gtp) != WireErr.OK) return false;
      add(k, gtp.teid, true); ik = gtp.inner; ip = gtp.payload; il = gtp.payloadLen; break;
    }
    case TunnelKind.TEREDO: {
      if (parseTeredo(p, len, ter) != WireErr.OK || ter.inner != InnerKind.IPV6) return false;
      add(k, 0, false); ik = ter.inner; ip = ter.payload; il = ter.payloadLen; break;
    }
    case TunnelKind.AYIYA: {
      if (parseAyiya(p, len, ayi) != WireErr.OK) return false;
      add(k, 0, false); ik = ayi.inner; ip = ayi.payload; il = ayi.payloadLen; break;
    }
    case TunnelKind.ETHERIP: {
      if (parseEtherIp(p, len, eip) != WireErr.OK) return false;
      add(k, 0, false); ik = eip.inner; ip = eip.payload; il = eip.payloadLen; break;
    }
    case TunnelKind.IPIP: case TunnelKind.IPV6_IN_IP: {
      // The IP payload is the inner packet itself (RFC 2003 §3, RFC 4213 §3.5).
      ik = innerOfIpVersion(p, len);
      if (ik == InnerKind.UNKNOWN) return false;
      add(k, 0, false); ip = p; il = len; break;
    }
    case TunnelKind.MPLS_IN_IP: case TunnelKind.MPLS_IN_UDP: {
      if (parseMpls(p, len, mpls) != WireErr.OK) return false;
      add(k, mpls.count > 0 ? unchecked(mpls.labels[0]) : 0, mpls.count > 0); ik = mpls.inner; ip = mpls.payload; il = mpls.payloadLen;
      // An Ethernet pseudowire only when the host says so (option mplsPseudowire; RFC 4448 §3).
      if (ik == InnerKind.UNKNOWN && pwEthernet() && !mpls.ach) {
        const s = pwEthernetStart(mpls);
        if (s >= 0) { ik = InnerKind.ETHERNET; ip += <usize>s; il -= s; }
      }
      break;
    }
    default: return false;
  }
  innerKind = ik; innerPtr = ip; innerLen = il;
  return true;
}

@inline function pwEthernet(): bool { return mplsPseudowire == MplsPseudowire.ETHERNET; }

// The inner packet may carry a tunnel of its own: its IP protocol or UDP port says.
function findNested(): void {
  let p = innerPtr, len = innerLen, ipv = innerKind;
  // A frame (Ethernet, PPP, MPLS, 802.11) is walked to its network layer by the link walk.
  if (ipv == InnerKind.ETHERNET || ipv == InnerKind.PPP || ipv == InnerKind.MPLS || ipv == InnerKind.DOT11) {
    if (parseLink(<u32>linkTypeOf(ipv), p, len, lk, pwEthernet() ? LINK_MPLS_PW_ETHERNET : 0) != WireErr.OK || !lk.known) return;
    p += <usize>lk.hdrLen; len -= lk.hdrLen;
    ipv = innerOfIpVersion(p, len);
  }
  let proto: u32 = 0, tp: usize = 0, tl = 0;
  if (ipv == InnerKind.IPV4) {
    if (parseIpv4(p, len, v4) != WireErr.OK || isFragment(v4)) return;
    proto = v4.proto; tp = v4.payload; tl = v4.payloadLen;
  } else if (ipv == InnerKind.IPV6) {
    if (parseIpv6(p, len, v6) != WireErr.OK || v6.fragment) return;
    proto = v6.proto; tp = v6.payload; tl = v6.payloadCap;
  } else return;
  if (proto == 17) {
    if (parseUdp(tp, tl, ud) != WireErr.OK) return;
    nextKind = udpTunnelKind(ud.dstPort, ud.srcPort); nextPtr = ud.payload; nextLen = ud.payloadLen;
  } else {
    nextKind = ipInnerKind(proto); nextPtr = tp; nextLen = tl;
  }
}
