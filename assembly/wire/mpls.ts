// MPLS label stack (RFC 3032 §2.1): 4-byte entries,
//
//   Label(20) TC(3, RFC 5462) S(1) TTL(8)
//
// until the one with S (bottom of stack) set. What follows carries no type: an explicit null
// label says IPv4 (0) or IPv6 (2) (RFC 3032 §2.1), otherwise the first nibble is the usual
// guess, 4 for IPv4 and 6 for IPv6 (RFC 4928 §2 explains why pseudowires avoid those). A
// first nibble of 0 is a pseudowire control word (RFC 4385 §3), after which an Ethernet
// pseudowire carries the frame (RFC 4448 §3); 1 is a pseudowire associated channel (RFC 4385
// §3, RFC 5586). Both are left UNKNOWN: the label's meaning is signalled, not in the packet,
// and pwEthernetStart says where the frame would start if the caller takes it as Ethernet.

import { be32, u8at } from "../util/mem";
import { WireErr } from "./errors";
import { InnerKind } from "./tunnel";

import { MAX_MPLS_LABELS } from "../config";
/** Label stack entries decoded (config.ts); a deeper stack is TOO_MANY_LABELS. */
export { MAX_MPLS_LABELS };
/** Bytes of a label stack entry. */
export const MPLS_ENTRY_LEN: i32 = 4;
/** Bytes of a pseudowire control word (RFC 4385 §3). */
export const PW_CONTROL_WORD_LEN: i32 = 4;

/** Decoded MPLS label stack. */
export class MplsRepr {
  /** Label stack entries decoded, outermost first. */
  count: i32 = 0;
  /** Labels (20 bits), outermost first. */
  labels: StaticArray<u32> = new StaticArray<u32>(MAX_MPLS_LABELS);
  /** Traffic classes (3 bits), outermost first. */
  tcs: StaticArray<u8> = new StaticArray<u8>(MAX_MPLS_LABELS);
  /** TTLs, outermost first. */
  ttls: StaticArray<u8> = new StaticArray<u8>(MAX_MPLS_LABELS);
  /** Bytes of the label stack. */
  hdrLen: i32 = 0;
  /** Start of what follows the bottom of the stack. */
  payload: usize = 0;
  /** Captured bytes after the bottom of the stack. */
  payloadLen: i32 = 0;
  /** The payload's first nibble is 0: a pseudowire control word (RFC 4385 §3). */
  controlWord: bool = false;
  /** The payload's first nibble is 1: a pseudowire associated channel header (RFC 4385 §3). */
  ach: bool = false;
  /** What the payload is, when the bottom label or the first nibble tells (IPv4, IPv6), else UNKNOWN. */
  inner: InnerKind = InnerKind.UNKNOWN;
}

/** Decodes the MPLS label stack at p (after EtherType 0x8847, GRE, IP protocol 137 or UDP port 6635). */
export function parseMpls(p: usize, len: i32, r: MplsRepr): WireErr {
  r.count = 0; r.hdrLen = 0; r.payload = p; r.payloadLen = 0;
  r.controlWord = false; r.ach = false; r.inner = InnerKind.UNKNOWN;
  let q = 0;
  let e: u32 = 0;
  while (true) {
    if (r.count >= MAX_MPLS_LABELS) { r.hdrLen = q; r.payload = p + <usize>q; r.payloadLen = len - q; return WireErr.TOO_MANY_LABELS; }
    if (len < q + MPLS_ENTRY_LEN) { r.hdrLen = q; r.payload = p + <usize>q; r.payloadLen = len - q; return WireErr.TRUNCATED; }
    e = be32(p + <usize>q);
    unchecked(r.labels[r.count] = e >> 12);
    unchecked(r.tcs[r.count] = <u8>((e >> 9) & 7));
    unchecked(r.ttls[r.count] = <u8>e);
    r.count++;
    q += MPLS_ENTRY_LEN;
    if ((e & 0x100) != 0) break;
  }
  r.hdrLen = q;
  r.payload = p + <usize>q;
  r.payloadLen = len - q;
  const bottom = e >> 12;
  if (bottom == 0) { r.inner = InnerKind.IPV4; return WireErr.OK; }
  if (bottom == 2) { r.inner = InnerKind.IPV6; return WireErr.OK; }
  if (r.payloadLen < 1) return WireErr.OK;
  const v = u8at(r.payload) >> 4;
  if (v == 4) r.inner = InnerKind.IPV4;
  else if (v == 6) r.inner = InnerKind.IPV6;
  else if (v == 0) r.controlWord = true;
  else if (v == 1) r.ach = true;
  return WireErr.OK;
}

/**
 * Where an Ethernet pseudowire's frame (RFC 4448 §3) would start, as an offset into the payload:
 * after the control word when there is one (4), else 0; -1 when the control word is cut short.
 */
export function pwEthernetStart(r: MplsRepr): i32 {
  if (!r.controlWord) return 0;
  return r.payloadLen >= PW_CONTROL_WORD_LEN ? PW_CONTROL_WORD_LEN : -1;
}
