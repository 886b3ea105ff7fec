// AYIYA, Anything In Anything (draft-massar-v6ops-ayiya-02, the AYIYA header; the layout is
// also Wireshark's packet-ayiya.c): SixXS's tunnel of IPv6 (or IPv4) over UDP through NATs.
//
//   IdLen(4) IdType(4) | SigLen(4) HshMeth(4) | AutMeth(4) OpCode(4) | Next Header(8)
//   Epoch Time(32)
//   Identity (2^IdLen bytes) | Signature (SigLen × 4 bytes) | payload
//
// The payload is a packet of the Next Header protocol when the operation forwards one.

import { be32, u8at } from "../util/mem";
import { WireErr } from "./errors";
import { InnerKind } from "./tunnel";

/** Bytes of the AYIYA header before the identity. */
export const AYIYA_HDR_LEN: i32 = 8;

/** AYIYA operation codes. */
export const enum AyiyaOp {
  /** No operation / heartbeat. */
  NOOP = 0,
  /** Forward the payload. */
  FORWARD = 1,
  /** Echo request. */
  ECHO_REQUEST = 2,
  /** Echo request, and forward the payload. */
  ECHO_REQUEST_FORWARD = 3,
  /** Echo response. */
  ECHO_RESPONSE = 4,
  /** Message of the day. */
  MOTD = 5,
  /** Query request. */
  QUERY_REQUEST = 6,
  /** Query response. */
  QUERY_RESPONSE = 7,
}

/** Decoded AYIYA header. */
export class AyiyaRepr {
  /** IdLen: the identity is 2^IdLen bytes. */
  idLenLog2: u32 = 0;
  /** Identity type (0 none, 1 integer, 2 ASCII string). */
  idType: u32 = 0;
  /** SigLen: the signature is SigLen × 4 bytes. */
  sigLenWords: u32 = 0;
  /** Hash method (0 none, 1 MD5, 2 SHA-1). */
  hashMethod: u32 = 0;
  /** Authentication method (0 none, 1 shared secret, 2 public key). */
  authMethod: u32 = 0;
  /** Operation code (see AyiyaOp). */
  opcode: u32 = 0;
  /** Next header: the IP protocol of the payload (41 IPv6, 4 IPv4, 59 none). */
  nextHeader: u32 = 0;
  /** Epoch time: seconds since 1970 when the packet was sent. */
  epoch: u32 = 0;
  /** Start of the identity. */
  identity: usize = 0;
  /** Bytes of the identity. */
  identityLen: i32 = 0;
  /** Start of the signature. */
  signature: usize = 0;
  /** Bytes of the signature. */
  signatureLen: i32 = 0;
  /** Bytes of the whole header (8 + identity + signature). */
  hdrLen: i32 = 0;
  /** Start of the payload. */
  payload: usize = 0;
  /** Captured bytes of the payload. */
  payloadLen: i32 = 0;
  /** What the payload is: by next header, for an operation that forwards one. */
  inner: InnerKind = InnerKind.UNKNOWN;
}

/** Decodes the AYIYA header at p (a UDP payload). */
export function parseAyiya(p: usize, len: i32, r: AyiyaRepr): WireErr {
  r.identity = 0; r.identityLen = 0; r.signature = 0; r.signatureLen = 0; r.hdrLen = 0;
  r.payload = p; r.payloadLen = 0; r.inner = InnerKind.UNKNOWN;
  if (len < AYIYA_HDR_LEN) return WireErr.TRUNCATED;
  const b0 = u8at(p), b1 = u8at(p + 1), b2 = u8at(p + 2);
  r.idLenLog2 = b0 >> 4;
  r.idType = b0 & 15;
  r.sigLenWords = b1 >> 4;
  r.hashMethod = b1 & 15;
  r.authMethod = b2 >> 4;
  r.opcode = b2 & 15;
  r.nextHeader = u8at(p + 3);
  r.epoch = be32(p + 4);
  r.identityLen = 1 << <i32>r.idLenLog2;
  r.signatureLen = <i32>r.sigLenWords << 2;
  r.hdrLen = AYIYA_HDR_LEN + r.identityLen + r.signatureLen;
  if (len < r.hdrLen) return WireErr.TRUNCATED;
  r.identity = p + <usize>AYIYA_HDR_LEN;
  r.signature = r.identity + <usize>r.identityLen;
  r.payload = p + <usize>r.hdrLen;
  r.payloadLen = len - r.hdrLen;
  // Forward and Echo Request and Forward carry a packet (Wireshark hands on Forward's only).
  if (r.opcode == AyiyaOp.FORWARD || r.opcode == AyiyaOp.ECHO_REQUEST_FORWARD) {
    if (r.nextHeader == 41) r.inner = InnerKind.IPV6;
    else if (r.nextHeader == 4) r.inner = InnerKind.IPV4;
  }
  return WireErr.OK;
}
