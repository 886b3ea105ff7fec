// The decode chain of one packet: link → network → transport → DNS, each layer a stateless
// wire/ decoder. Problems become entries of the `err` list and never stop the outer layers
// from being reported. Flow ids (reference §3.1) are computed here, once per packet.

import { LinkRepr, parseLink, NetKind, Encap, LINK_BIG_ENDIAN, LINK_MPLS_PW_ETHERNET } from "../wire/link";
import { Ipv4Repr, parseIpv4, isFragment } from "../wire/ipv4";
import { Ipv6Repr, parseIpv6 } from "../wire/ipv6";
import { ArpRepr, parseArp } from "../wire/arp";
import { TcpRepr, parseTcp } from "../wire/tcp";
import { UdpRepr, parseUdp } from "../wire/udp";
import { IcmpRepr, parseIcmp4, parseIcmp6 } from "../wire/icmp";
import { DnsRepr, parseDns } from "../wire/dns";
import { WireErr } from "../wire/errors";
import { hashU64, hashBytes, fnvU64, FNV_PRIME } from "../util/fnv";
import * as Tn from "./tunnels";
import { bigEndian } from "../capture/reader";
import { mplsPseudowire, MplsPseudowire } from "./options";
import { decodeQuote } from "./quoted";

/** Which message shape and operation kind the record gets (reference §2.4). */
export const enum Kind { L2 = 0, ARP = 1, ICMP = 2, L3 = 3, UDP = 4, TCP = 5 }

/** Transport layer actually decoded. */
export const enum Transport { NONE = 0, TCP = 1, UDP = 2, ICMP4 = 3, ICMP6 = 4 }

/**
 * Layer names of err entries (gopacket LayerType names where it has one). A link-level
 * encapsulation's layer is ENCAP + its Encap value (wire/link.ts), in that order.
 */
export const enum Layer { ETHERNET = 0, LINUX_SLL = 1, LOOPBACK = 2, ARP = 3, IPV4 = 4, IPV6 = 5, TCP = 6, UDP = 7, ICMPV4 = 8, ICMPV6 = 9, DNS = 10, ENCAP = 10 }

/** What parseLink needs to know that a packet does not say: the capture's byte order and the MPLS pseudowire option. */
export function linkFlags(): u32 {
  return (bigEndian() ? LINK_BIG_ENDIAN : 0) | (mplsPseudowire == MplsPseudowire.ETHERNET ? LINK_MPLS_PW_ETHERNET : 0);
}

/** Decoded layers of the current packet. */
export const link = new LinkRepr();
export const ip4 = new Ipv4Repr();
export const ip6 = new Ipv6Repr();
export const arp = new ArpRepr();
export const tcp = new TcpRepr();
export const udp = new UdpRepr();
export const icmp = new IcmpRepr();
export const dns = new DnsRepr();

/** Network layer decoded (NetKind.IPV4 / IPV6 / ARP) or NONE. */
export let net: NetKind = NetKind.NONE;
/** Transport decoded. */
export let transport: Transport = Transport.NONE;
/** IP protocol number as the message classification sees it (after IPv6 extension headers). */
export let proto: u32 = 0;
/** The IP packet is a fragment. */
export let fragment = false;
/** A fragment's payload (after the IP header and any Fragment header), its offset in bytes, MF / M, and identification. */
export let fragPtr: usize = 0;
export let fragLen: i32 = 0;
export let fragOffset: u32 = 0;
export let fragMore = false;
export let fragId: u32 = 0;
/** DNS decoded successfully. */
export let hasDns = false;
/** Message / operation kind. */
export let kind: Kind = Kind.L2;
/** Some layer saw fewer bytes than its headers announce. */
export let truncated = false;

/** Flow ids (reference §3.1). */
export let metaFlow: u64 = 0;
export let l3Flow: u64 = 0;
export let l4Flow: u64 = 0;
export let hasL4Flow = false;
export let arpFlow: u64 = 0;
export let flow: u64 = 0;

// Decode problems: up to 4 per packet (one per layer at most).
const MAX_ERRS = 4;
export let errCount: i32 = 0;
export const errLayer = new StaticArray<u8>(MAX_ERRS);
export const errCode = new StaticArray<u8>(MAX_ERRS);

function addErr(layer: Layer, e: WireErr): void {
  if (errCount < MAX_ERRS) { unchecked(errLayer[errCount] = <u8>layer); unchecked(errCode[errCount] = <u8>e); errCount++; }
  if (e == WireErr.TRUNCATED) truncated = true;
}

/** Endpoint hash of gopacket's Flow (reference §2.3.12): direction-independent. */
export function endpointHash(a: usize, b: usize, len: i32, typeId: u64): u64 {
  return ((hashBytes(a, len) + hashBytes(b, len)) ^ typeId) * FNV_PRIME;
}

// Port-pair endpoint hash: ports hashed as 2 big-endian bytes.
let portScratch: usize = heap.alloc(4);
/** Endpoint hash of a port pair (TCP = 4, UDP = 5). */
export function portHash(sp: u32, dp: u32, typeId: u64): u64 {
  store<u8>(portScratch, <u8>(sp >> 8)); store<u8>(portScratch + 1, <u8>sp);
  store<u8>(portScratch + 2, <u8>(dp >> 8)); store<u8>(portScratch + 3, <u8>dp);
  return ((hashBytes(portScratch, 2) + hashBytes(portScratch + 2, 2)) ^ typeId) * FNV_PRIME;
}

// Flow ids repeat for every packet of a connection, and each is a chain of 8 to 16 dependent
// 64-bit multiplies: the last ones computed are kept, by their inputs (direct-mapped memos).
const MEMO_SLOTS: i32 = 256;
let memoIf: i32 = -1;
let memoMeta: u64 = 0;
const l3Key = new StaticArray<u64>(MEMO_SLOTS);   // IPv4 address pair, lower address high
const l3Val = new StaticArray<u64>(MEMO_SLOTS);
const l3Set = new StaticArray<bool>(MEMO_SLOTS);
const l4Key = new StaticArray<u32>(MEMO_SLOTS);   // protocol + port sum, +1 (0 = empty)
const l4Val = new StaticArray<u64>(MEMO_SLOTS);
const flowKey = new StaticArray<u64>(MEMO_SLOTS * 3); // meta, L3, L4 (or 255)
const flowVal = new StaticArray<u64>(MEMO_SLOTS);
const flowSet = new StaticArray<bool>(MEMO_SLOTS);

@inline function memoSlot(h: u64): i32 { h ^= h >> 29; h *= 0xbf58476d1ce4e5b9; return <i32>(h >> 56); }

// hashU64(4 + hashBytes(a, 4) + hashBytes(b, 4)): symmetric in a and b.
function l3Flow4(a: usize, b: usize): u64 {
  const x = load<u32>(a), y = load<u32>(b);
  const k = x < y ? (<u64>x << 32) | <u64>y : (<u64>y << 32) | <u64>x;
  const i = memoSlot(k);
  if (unchecked(l3Set[i]) && unchecked(l3Key[i]) == k) return unchecked(l3Val[i]);
  const v = hashU64(4 + hashBytes(a, 4) + hashBytes(b, 4));
  unchecked(l3Key[i] = k); unchecked(l3Val[i] = v); unchecked(l3Set[i] = true);
  return v;
}

// hashU64(base + sp + dp) (TCP 6, UDP 17).
function l4FlowOf(base: u32, sp: u32, dp: u32): u64 {
  const k = base + sp + dp + 1;
  const i = <i32>(k & <u32>(MEMO_SLOTS - 1));
  if (unchecked(l4Key[i]) == k) return unchecked(l4Val[i]);
  const v = hashU64(<u64>(k - 1));
  unchecked(l4Key[i] = k); unchecked(l4Val[i] = v);
  return v;
}

/** Decodes the packet (ptr, capLen) of the given link type; ifIndex feeds meta.flow. */
export function decode(linkType: u32, ptr: usize, capLen: i32, origLen: u32, ifIndex: i32): void {
  net = NetKind.NONE; transport = Transport.NONE; proto = 0; fragment = false; hasDns = false;
  kind = Kind.L2; errCount = 0; truncated = <u32>capLen < origLen;
  hasL4Flow = false;
  // pcap-sidecar hashes the interface index as a uint8.
  if ((ifIndex & 0xff) != memoIf) { memoIf = ifIndex & 0xff; memoMeta = hashU64(<u64>memoIf); }
  metaFlow = memoMeta;
  decodeLayers(linkType, ptr, capLen);
  // Tunnels: after the outer transport (a UDP port) or IP protocol (4, 41, 47, 97, 137) says one follows.
  if (transport == Transport.UDP) Tn.walk(true, 17, udp.srcPort, udp.dstPort, udp.payload, udp.payloadLen, l3Flow);
  else if (transport == Transport.NONE && !fragment && (net == NetKind.IPV4 || net == NetKind.IPV6) && (proto == 4 || proto == 41 || proto == 47 || proto == 97 || proto == 137))
    Tn.walk(false, proto, 0, 0, net == NetKind.IPV4 ? ip4.payload : ip6.payload, net == NetKind.IPV4 ? ip4.payloadLen : ip6.payloadCap, l3Flow);
  else Tn.none();
}

/** Decodes the innermost packet of the current packet's tunnels (record/tunnels.ts) into the same layers, replacing the outer ones. */
export function decodeInner(): void {
  net = NetKind.NONE; transport = Transport.NONE; proto = 0; fragment = false; hasDns = false;
  kind = Kind.L2; errCount = 0; truncated = false; hasL4Flow = false;
  // An inner frame by its link type (Ethernet 1, PPP 9, MPLS 219); an IP packet as raw IP (101: by its version).
  decodeLayers(<u32>Tn.innerLinkType(), Tn.innerPtr, Tn.innerLen);
}

// The layers of (ptr, capLen) of the given link type, from the link down.
function decodeLayers(linkType: u32, ptr: usize, capLen: i32): void {
  const le = parseLink(linkType, ptr, capLen, link, linkFlags());
  if (le != WireErr.OK) {
    addErr(link.errAt != Encap.NONE ? <Layer>(Layer.ENCAP + <i32>link.errAt)
      : linkType == 1 ? Layer.ETHERNET : linkType == 113 || linkType == 276 ? Layer.LINUX_SLL : Layer.LOOPBACK, le);
  }
  if (!link.known || le != WireErr.OK) return;
  const np = ptr + <usize>link.hdrLen;
  // What follows the network layer's packet is not part of it: NFLOG's later TLVs, and an FCS
  // when the frame was captured whole.
  let nl = capLen - link.hdrLen - link.trailer;
  if (link.fcs && !truncated && nl >= 4) nl -= 4;

  let tp: usize = 0, tl: i32 = 0;
  switch (link.net) {
    case NetKind.ARP: {
      const e = parseArp(np, nl, arp);
      if (e != WireErr.OK) { addErr(Layer.ARP, e); return; }
      net = NetKind.ARP; kind = Kind.ARP;
      arpFlow = hashU64(hashBytes(arp.spa, arp.plen) + hashBytes(arp.tpa, arp.plen));
      flow = fnvU64(metaFlow, arpFlow);
      return;
    }
    case NetKind.IPV4: {
      const e = parseIpv4(np, nl, ip4);
      if (e != WireErr.OK) { addErr(Layer.IPV4, e); return; }
      if (ip4.truncated) truncated = true;
      net = NetKind.IPV4; proto = ip4.proto; fragment = isFragment(ip4);
      l3Flow = l3Flow4(ip4.src, ip4.dst);
      tp = ip4.payload; tl = ip4.payloadLen;
      break;
    }
    case NetKind.IPV6: {
      const e = parseIpv6(np, nl, ip6);
      if (e == WireErr.BAD_VERSION || (e == WireErr.TRUNCATED && nl < 40)) { addErr(Layer.IPV6, e); return; }
      net = NetKind.IPV6;
      l3Flow = hashU64(41 + hashBytes(ip6.src, 16) + hashBytes(ip6.dst, 16));
      if (ip6.truncated) truncated = true;
      if (e != WireErr.OK) { addErr(Layer.IPV6, e); proto = ip6.proto; kind = Kind.L3; finishFlow(); return; }
      proto = ip6.proto; fragment = ip6.fragment;
      tp = ip6.payload; tl = ip6.payloadCap;
      break;
    }
    default: return;
  }

  kind = Kind.L3;
  if (fragment) {
    // A fragment's transport header cannot be decoded alone; UDP keeps its shape with ports 0.
    // The reassembler (ip/reassembly.ts) may give the whole datagram: decodeTransport then.
    if (proto == 17) kind = Kind.UDP;
    fragPtr = tp; fragLen = tl;
    if (net == NetKind.IPV4) { fragOffset = ip4.fragOff << 3; fragMore = (ip4.flags & 1) != 0; fragId = ip4.id; }
    else { fragOffset = ip6.fragOff; fragMore = ip6.fragMore; fragId = ip6.fragId; }
    finishFlow();
    return;
  }
  decodeTransport(proto, tp, tl);
}

/** Decodes the transport (and DNS) of protocol proto in (tp, tl): a packet's, or a reassembled datagram's. */
// @inline: with a second caller (reassembly) binaryen stopped inlining it into every packet's decode (bench/icount.js).
@inline export function decodeTransport(proto: u32, tp: usize, tl: i32): void {
  switch (proto) {
    case 6: {
      const e = parseTcp(tp, tl, tcp);
      if (e != WireErr.OK) { addErr(Layer.TCP, e); break; }
      if (tcp.optErr != WireErr.OK) addErr(Layer.TCP, tcp.optErr);
      transport = Transport.TCP; kind = Kind.TCP;
      l4Flow = l4FlowOf(6, tcp.srcPort, tcp.dstPort); hasL4Flow = true;
      break;
    }
    case 17: {
      kind = Kind.UDP;
      const e = parseUdp(tp, tl, udp);
      if (e == WireErr.TRUNCATED) { addErr(Layer.UDP, e); break; }
      transport = Transport.UDP;
      l4Flow = l4FlowOf(17, udp.srcPort, udp.dstPort); hasL4Flow = true;
      if (e != WireErr.OK) { addErr(Layer.UDP, e); break; }
      if (udp.truncated) truncated = true;
      if (udp.payloadLen > 0 && (udp.srcPort == 53 || udp.dstPort == 53)) {
        const de = parseDns(udp.payload, udp.payloadLen, dns);
        if (de == WireErr.OK) hasDns = true; else addErr(Layer.DNS, de);
      }
      break;
    }
    case 1: {
      const e = parseIcmp4(tp, tl, icmp);
      if (e != WireErr.OK) { addErr(Layer.ICMPV4, e); break; }
      transport = Transport.ICMP4; kind = Kind.ICMP;
      // Errors carry the invoking IPv4 header (RFC 792); gopacket needs all 20 bytes of it.
      if ((icmp.type == 3 || icmp.type == 11 || icmp.type == 5) && icmp.bodyLen < 20) addErr(Layer.ICMPV4, WireErr.TRUNCATED);
      decodeQuote(icmp, false);
      break;
    }
    case 58: {
      const e = parseIcmp6(tp, tl, icmp);
      if (e != WireErr.OK) { addErr(Layer.ICMPV6, e); break; }
      transport = Transport.ICMP6; kind = Kind.ICMP;
      // Destination Unreachable / Time Exceeded carry the invoking IPv6 header after 4 unused bytes.
      if ((icmp.type == 1 || icmp.type == 3) && icmp.bodyLen < 44) addErr(Layer.ICMPV6, WireErr.TRUNCATED);
      decodeQuote(icmp, true);
      break;
    }
  }
  finishFlow();
}

// Top-level flow: meta ⊕ L3 ⊕ (L4 or the constant 255 when there is no L4 flow).
function finishFlow(): void {
  const l4 = hasL4Flow ? l4Flow : 255;
  const i = memoSlot(metaFlow ^ l3Flow ^ (l4 * 0x9e3779b97f4a7c15));
  const k = i * 3;
  if (unchecked(flowSet[i]) && unchecked(flowKey[k]) == metaFlow && unchecked(flowKey[k + 1]) == l3Flow && unchecked(flowKey[k + 2]) == l4) { flow = unchecked(flowVal[i]); return; }
  flow = fnvU64(fnvU64(metaFlow, l3Flow), l4);
  unchecked(flowKey[k] = metaFlow); unchecked(flowKey[k + 1] = l3Flow); unchecked(flowKey[k + 2] = l4);
  unchecked(flowVal[i] = flow); unchecked(flowSet[i] = true);
}
