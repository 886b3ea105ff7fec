// GRE (RFC 2784, with the key and sequence number of RFC 2890 and RFC 1701's routing) and
// PPTP's enhanced GRE (version 1, RFC 2637 §4.1). The first 16 bits:
//
//   C(1) R(1) K(1) S(1) s(1) Recur(3) A(1) Flags(4) Ver(3)
//
// then the protocol type (an EtherType), then the optional fields in this order:
//   version 0: Checksum(16) Offset(16)     if C or R (RFC 1701 §2.1: both are present if either bit is)
//              Key(32)                     if K (RFC 2890 §2.1)
//              Sequence Number(32)         if S (RFC 2890 §2.2)
//              Routing: SREs               if R (RFC 1701 §2.1), until the NULL SRE
//   version 1: Payload Length(16) Call ID(16) in the key (K MUST be set)
//              Sequence Number(32)         if S
//              Acknowledgment Number(32)   if A
// RFC 2784 §2.3 makes R, s and Recur reserved and lets a receiver that implements RFC 1701
// interpret them, which is what this decoder does.

import { be16, be32, u8at } from "../util/mem";
import { WireErr } from "./errors";
import { erspanTypeI } from "./erspan";
import { InnerKind, innerOfEtherType } from "./tunnel";

/** GRE protocol types (EtherTypes) of the packets tunnels carry. */
export const enum GreProto {
  /** IPv4. */
  IPV4 = 0x0800,
  /** IPv6. */
  IPV6 = 0x86dd,
  /** Transparent Ethernet Bridging: an Ethernet frame (NVGRE, gretap). */
  TEB = 0x6558,
  /** PPP (PPTP's enhanced GRE, RFC 2637 §4.1). */
  PPP = 0x880b,
  /** ERSPAN type I (no sequence number) or II. */
  ERSPAN2 = 0x88be,
  /** ERSPAN type III. */
  ERSPAN3 = 0x22eb,
  /** MPLS unicast (RFC 4023 §4). */
  MPLS = 0x8847,
  /** MPLS multicast (RFC 5332). */
  MPLS_MCAST = 0x8848,
}

/** Bytes of the GRE header's mandatory part (flags, version, protocol type). */
export const GRE_HDR_LEN: i32 = 4;

/** Decoded GRE header. */
export class GreRepr {
  /** The first 16 bits: flags and version. */
  flags: u32 = 0;
  /** C: the checksum (and offset) fields are present. */
  checksumPresent: bool = false;
  /** R: routing (and the checksum and offset fields) are present (RFC 1701). */
  routingPresent: bool = false;
  /** K: the key field is present. */
  keyPresent: bool = false;
  /** S: the sequence number field is present. */
  seqPresent: bool = false;
  /** s: strict source route (RFC 1701). */
  strictRoute: bool = false;
  /** Recursion control (3 bits, RFC 1701). */
  recursion: u32 = 0;
  /** A: the acknowledgment number is present (version 1). */
  ackPresent: bool = false;
  /** Version: 0 GRE, 1 PPTP's enhanced GRE. */
  version: u32 = 0;
  /** Protocol type: the EtherType of the payload (see GreProto). */
  protocol: u32 = 0;
  /** Checksum (when C or R). */
  checksum: u32 = 0;
  /** Offset to the active SRE (when C or R; RFC 1701 §2.1). */
  offset: u32 = 0;
  /** Key (version 0, when K). */
  key: u32 = 0;
  /** Sequence number (when S). */
  seq: u32 = 0;
  /** Acknowledgment number (version 1, when A). */
  ack: u32 = 0;
  /** Payload length from the key field (version 1). */
  pptpLength: u32 = 0;
  /** Call ID from the key field (version 1). */
  callId: u32 = 0;
  /** Start of the routing SREs (when R). */
  routing: usize = 0;
  /** Bytes of the routing SREs, the NULL SRE included. */
  routingLen: i32 = 0;
  /** Bytes of the whole GRE header. */
  hdrLen: i32 = 0;
  /** Start of the payload. */
  payload: usize = 0;
  /** Captured bytes of the payload. */
  payloadLen: i32 = 0;
  /** The version 1 payload length points past the captured bytes. */
  truncated: bool = false;
  /** What the payload is: by protocol type, ERSPAN type I as Ethernet (see erspanTypeI). */
  inner: InnerKind = InnerKind.UNKNOWN;
}

/** Decodes the GRE header at p (an IP payload, or a UDP payload for GRE-in-UDP, RFC 8086). */
export function parseGre(p: usize, len: i32, r: GreRepr): WireErr {
  r.checksum = 0; r.offset = 0; r.key = 0; r.seq = 0; r.ack = 0; r.pptpLength = 0; r.callId = 0;
  r.routing = 0; r.routingLen = 0; r.hdrLen = 0; r.payload = p; r.payloadLen = 0;
  r.truncated = false; r.inner = InnerKind.UNKNOWN;
  if (len < GRE_HDR_LEN) return WireErr.TRUNCATED;
  const f = be16(p);
  r.flags = f;
  r.checksumPresent = (f & 0x8000) != 0;
  r.routingPresent = (f & 0x4000) != 0;
  r.keyPresent = (f & 0x2000) != 0;
  r.seqPresent = (f & 0x1000) != 0;
  r.strictRoute = (f & 0x0800) != 0;
  r.recursion = (f >> 8) & 7;
  r.ackPresent = (f & 0x0080) != 0;
  r.version = f & 7;
  r.protocol = be16(p + 2);
  // RFC 2784 §2.3.1: the version MUST be 0; RFC 2637 §4.1 defines 1.
  if (r.version > 1) return WireErr.BAD_VERSION;
  let q = GRE_HDR_LEN;
  if (r.version == 0) {
    if (r.checksumPresent || r.routingPresent) {
      if (len < q + 4) return WireErr.TRUNCATED;
      r.checksum = be16(p + <usize>q);
      r.offset = be16(p + <usize>q + 2);
      q += 4;
    }
    if (r.keyPresent) {
      if (len < q + 4) return WireErr.TRUNCATED;
      r.key = be32(p + <usize>q);
      q += 4;
    }
    if (r.seqPresent) {
      if (len < q + 4) return WireErr.TRUNCATED;
      r.seq = be32(p + <usize>q);
      q += 4;
    }
    if (r.routingPresent) {
      // RFC 1701 §2.1: SREs of Address Family(16) SRE Offset(8) SRE Length(8) and Length bytes
      // of routing information, ended by one with family 0 and length 0. Each is at least 4
      // bytes, so the walk ends within the captured bytes.
      r.routing = p + <usize>q;
      while (true) {
        if (len < q + 4) return WireErr.TRUNCATED;
        const af = be16(p + <usize>q);
        const sl = <i32>u8at(p + <usize>q + 3);
        q += 4 + sl;
        if (len < q) return WireErr.TRUNCATED;
        if (af == 0 && sl == 0) break;
      }
      r.routingLen = q - <i32>(r.routing - p);
    }
    r.hdrLen = q;
    r.payload = p + <usize>q;
    r.payloadLen = len - q;
    r.inner = erspanTypeI(r.protocol, r.seqPresent) ? InnerKind.ETHERNET : innerOfEtherType(r.protocol);
    return WireErr.OK;
  }
  // Version 1 (RFC 2637 §4.1): the key is always present and holds the payload length and the
  // call ID; without it the header cannot be read.
  if (!r.keyPresent) return WireErr.BAD_FLAGS;
  if (len < q + 4) return WireErr.TRUNCATED;
  r.pptpLength = be16(p + <usize>q);
  r.callId = be16(p + <usize>q + 2);
  q += 4;
  if (r.seqPresent) {
    if (len < q + 4) return WireErr.TRUNCATED;
    r.seq = be32(p + <usize>q);
    q += 4;
  }
  if (r.ackPresent) {
    if (len < q + 4) return WireErr.TRUNCATED;
    r.ack = be32(p + <usize>q);
    q += 4;
  }
  r.hdrLen = q;
  r.payload = p + <usize>q;
  let pl = <i32>r.pptpLength;
  if (pl > len - q) { r.truncated = true; pl = len - q; }
  r.payloadLen = pl;
  r.inner = innerOfEtherType(r.protocol);
  return WireErr.OK;
}
