// pcap-sidecar's software packet filters (reference §7, upstream packet_filter.go), applied to
// a decoded packet before any analysis. A packet must pass all three steps:
//
//  1. L3: a packet without an IPv4/IPv6 layer (ARP, other EtherTypes, undecodable) passes.
//     IPv4: rejected when the L3 set is non-empty and lacks IPv4; otherwise, when IPv4
//     networks are configured, both addresses must lie inside one of them (each may match a
//     different network). IPv6 likewise. ARP in the L3 set therefore only makes the set
//     non-empty: `arp` alone rejects every IPv4/IPv6 packet and keeps ARP and non-IP frames;
//     ARP packets pass whatever the set holds (drop them with a BPF expression such as `ip`).
//  2. L4: TCP is rejected when the L4 set is non-empty and lacks TCP, or when a flag mask is
//     set and the packet has none of its flags; then, when any port is configured (allowed or
//     denied), it passes iff neither port is denied and (no port is allowed, or one of its
//     ports is). UDP likewise without flags. Anything else passes: ICMP is never filtered by
//     the L4 set (upstream's rule).
//  3. Socket: with both addresses and both ports known (TCP/UDP over IP), rejected when the
//     direction-independent socket hash is denied.
//
// Unlike upstream, every configured network counts: upstream keeps networks in a tree where
// overlapping prefixes compare equal, so adding 10.1.0.0/16 after 10.0.0.0/8 replaced the /8.

import { MAX_FILTER_NETS, MAX_DENY_SOCKETS } from "../config";
import { hashU64, hashBytes } from "../util/fnv";

/** Bits of the L3 protocol set. */
export const enum L3 { IPV4 = 1, IPV6 = 2, ARP = 4 }
/** Bits of the L4 protocol set. */
export const enum L4 { TCP = 1, UDP = 2, ICMP4 = 4, ICMP6 = 8 }
/** What kind of L3 layer the packet has, for allows(). */
export const enum Net { NONE = 0, IPV4 = 4, IPV6 = 6 }
/** What transport the packet has, for allows(). */
export const enum Proto { NONE = 0, TCP = 6, UDP = 17 }

let l3Set: u32 = 0;
let l4Set: u32 = 0;
let flagMask: u32 = 0;
let portsSet = false;
let allowCount: i32 = 0;
/** Whether any software filter is configured (then allows() decides for every packet). */
export let active = false;

// Ports as bitmaps over 0..65535.
const ALLOW = new StaticArray<u32>(2048);
const DENY = new StaticArray<u32>(2048);

// Networks: 16 address bytes (IPv4 in the first 4), the prefix length and the family length.
const NETS: usize = heap.alloc(<usize>(MAX_FILTER_NETS * 16));
const netBits = new StaticArray<u8>(MAX_FILTER_NETS);
const netLen = new StaticArray<u8>(MAX_FILTER_NETS);
let nets: i32 = 0;
let nets4: i32 = 0;
let nets6: i32 = 0;

const SOCKETS = new StaticArray<u64>(MAX_DENY_SOCKETS);
let sockets: i32 = 0;

/** Removes every software filter. */
export function reset(): void {
  l3Set = 0; l4Set = 0; flagMask = 0; portsSet = false; allowCount = 0;
  nets = 0; nets4 = 0; nets6 = 0; sockets = 0; active = false;
  for (let i = 0; i < 2048; i++) { unchecked(ALLOW[i] = 0); unchecked(DENY[i] = 0); }
}

/** Sets the L3 protocol set (L3 bits; 0 = any). */
export function setL3(mask: u32): void { l3Set = mask & 7; active = true; }
/** Sets the L4 protocol set (L4 bits; 0 = any). */
export function setL4(mask: u32): void { l4Set = mask & 15; active = true; }
/** Sets the TCP flag mask: a TCP segment needs at least one of these flags (RFC 9293 §3.1 bit order, CWR..FIN). */
export function setTcpFlags(mask: u32): void { flagMask = mask & 0xff; active = true; }

/** Allows (deny false) or denies a port; false when out of range. */
export function addPort(port: i32, deny: bool): bool {
  if (port < 0 || port > 65535) return false;
  const m = deny ? DENY : ALLOW;
  const w = port >> 5, bit: u32 = 1 << (port & 31);
  if (!deny && (unchecked(m[w]) & bit) == 0) allowCount++;
  unchecked(m[w] = unchecked(m[w]) | bit);
  portsSet = true; active = true;
  return true;
}

@inline function has(m: StaticArray<u32>, port: u32): bool {
  return (unchecked(m[port >> 5]) & (<u32>1 << (port & 31))) != 0;
}

/** Adds the network of the len-byte (4 or 16) address at p with a prefix of bits; false when full or malformed. */
export function addNet(p: usize, len: i32, bits: i32): bool {
  if ((len != 4 && len != 16) || bits < 0 || bits > len * 8 || nets >= MAX_FILTER_NETS) return false;
  const q = NETS + <usize>(nets * 16);
  memory.copy(q, p, <usize>len);
  unchecked(netBits[nets] = <u8>bits);
  unchecked(netLen[nets] = <u8>len);
  nets++;
  if (len == 4) nets4++; else nets6++;
  active = true;
  return true;
}

// Whether the first bits bits of a and b agree.
function prefixMatch(a: usize, b: usize, bits: i32): bool {
  const whole = bits >> 3;
  if (whole > 0 && memory.compare(a, b, <usize>whole) != 0) return false;
  const rest = bits & 7;
  if (rest == 0) return true;
  const mask = <u32>(0xff00 >> rest) & 0xff;
  return ((<u32>load<u8>(a + whole) ^ <u32>load<u8>(b + whole)) & mask) == 0;
}

/** Whether the len-byte address at p lies inside a configured network of its family. */
export function inNets(p: usize, len: i32): bool {
  for (let i = 0; i < nets; i++) {
    if (<i32>unchecked(netLen[i]) == len && prefixMatch(NETS + <usize>(i * 16), p, <i32>unchecked(netBits[i]))) return true;
  }
  return false;
}

/** Socket hash of reference §7: hashU64((hashBytes(a) + portA) + (hashBytes(b) + portB)), direction-independent. */
export function socketHash(a: usize, portA: u32, b: usize, portB: u32, len: i32): u64 {
  return hashU64((hashBytes(a, len) + <u64>portA) + (hashBytes(b, len) + <u64>portB));
}

/** Denies the socket pair of two len-byte addresses at a and b; false when full or malformed. */
export function denySocket(a: usize, portA: i32, b: usize, portB: i32, len: i32): bool {
  if ((len != 4 && len != 16) || portA < 0 || portA > 65535 || portB < 0 || portB > 65535) return false;
  if (sockets >= MAX_DENY_SOCKETS) return false;
  unchecked(SOCKETS[sockets] = socketHash(a, <u32>portA, b, <u32>portB, len));
  sockets++;
  active = true;
  return true;
}

/** Step 1 (L3) for an IP packet with len-byte addresses src and dst. */
export function allowsL3(net: Net, src: usize, dst: usize): bool {
  if (net == Net.NONE) return true;
  const v4 = net == Net.IPV4;
  if (l3Set != 0 && (l3Set & (v4 ? L3.IPV4 : L3.IPV6)) == 0) return false;
  if ((v4 ? nets4 : nets6) == 0) return true;
  const len = v4 ? 4 : 16;
  return inNets(src, len) && inNets(dst, len);
}

/** Step 2 (L4) for a TCP segment (flags) or UDP datagram with these ports. */
export function allowsL4(proto: Proto, sp: u32, dp: u32, flags: u32): bool {
  if (proto == Proto.NONE) return true;
  const tcp = proto == Proto.TCP;
  if (l4Set != 0 && (l4Set & (tcp ? L4.TCP : L4.UDP)) == 0) return false;
  if (tcp && flagMask != 0 && (flags & flagMask) == 0) return false;
  if (!portsSet) return true;
  if (has(DENY, sp) || has(DENY, dp)) return false;
  return allowCount == 0 || has(ALLOW, sp) || has(ALLOW, dp);
}

/** Step 3 (socket) for an IP packet with ports. */
export function allowsSocket(src: usize, sp: u32, dst: usize, dp: u32, len: i32): bool {
  if (sockets == 0) return true;
  const h = socketHash(src, sp, dst, dp, len);
  for (let i = 0; i < sockets; i++) if (unchecked(SOCKETS[i]) == h) return false;
  return true;
}

/** The verdict of all three steps for a decoded packet (addresses are 4 or 16 bytes by net). */
export function allows(net: Net, src: usize, dst: usize, proto: Proto, sp: u32, dp: u32, flags: u32): bool {
  if (!allowsL3(net, src, dst)) return false;
  if (!allowsL4(proto, sp, dp, flags)) return false;
  if (net == Net.NONE || proto == Proto.NONE) return true;
  return allowsSocket(src, sp, dst, dp, net == Net.IPV4 ? 4 : 16);
}
