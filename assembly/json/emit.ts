// Small writers shared by the record renderers: punctuation, the L3 address texts formatted once
// per packet, option strings, and fragments more than one renderer writes.

import { frag, w, b, raw, pos, setPos } from "./writer";
import { ip4 as fmtIp4, ip6 as fmtIp6 } from "./format";
import * as d from "../record/decode";
import { Transport } from "../record/decode";
import { NetKind } from "../wire/link";
import { optEscPtr, optEscLength, isLocalAddr, ephemeralMin, ephemeralMax } from "../record/options";

export const K_L4 = frag("\"L4\":{");
export const K_IFACE = frag("\"iface\":{");
export const K_ARROW = frag("-\\u003e");
/** Between the project and the trace id in a `logging.googleapis.com/trace` value. */
export const K_TRACES = frag("/traces/");
@inline export function comma(): void { b(0x2c); }
@inline export function q(): void { b(0x22); }
/** Writes "key": for a key given as a fragment. */
@inline export function key(k: u64): void { w(k); }

export function optStr(k: i32): void { raw(optEscPtr(k), optEscLength(k)); }

export function isLocal(): bool {
  let sp: u32 = 0;
  if (d.transport == Transport.TCP) sp = d.tcp.srcPort;
  else if (d.transport == Transport.UDP) sp = d.udp.srcPort;
  if (sp >= ephemeralMin && sp <= ephemeralMax) return false;
  if (d.net == NetKind.IPV4) return isLocalAddr(d.ip4.src, 4);
  return isLocalAddr(d.ip6.src, 16);
}

/** Writes the L3 source address (Go net.IP form). */
@inline export function srcAddr(): void { raw(SRC_TXT, srcTxtLen); }
/** Writes the L3 destination address (Go net.IP form). */
@inline export function dstAddr(): void { raw(DST_TXT, dstTxtLen); }

// The L3 addresses as text, formatted once per packet: a record uses each up to six times.
const SRC_TXT: usize = heap.alloc(72);
const DST_TXT: usize = heap.alloc(72);
let srcTxtLen: i32 = 0;
let dstTxtLen: i32 = 0;
// @inline: the tunnel's inner layers made it a second caller, and the call on every packet cost (bench/icount.js).
@inline export function formatAddrs(): void {
  const save = pos;
  setPos(SRC_TXT);
  if (d.net == NetKind.IPV4) fmtIp4(d.ip4.src); else fmtIp6(d.ip6.src, true);
  srcTxtLen = <i32>(pos - SRC_TXT);
  setPos(DST_TXT);
  if (d.net == NetKind.IPV4) fmtIp4(d.ip4.dst); else fmtIp6(d.ip6.dst, true);
  dstTxtLen = <i32>(pos - DST_TXT);
  setPos(save);
}



export function asciiBytes(s: string): usize { const p = heap.alloc(<usize>s.length); for (let i = 0; i < s.length; i++) store<u8>(p + i, <u8>s.charCodeAt(i)); return p; }
