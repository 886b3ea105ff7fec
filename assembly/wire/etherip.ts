// EtherIP (RFC 3378 §3): Ethernet frames in IP (protocol 97). A 2-byte header,
//
//   Version(4) = 3 | Reserved(12) = 0
//
// then the Ethernet frame (without its FCS).

import { be16 } from "../util/mem";
import { WireErr } from "./errors";
import { InnerKind } from "./tunnel";

/** Bytes of the EtherIP header. */
export const ETHERIP_HDR_LEN: i32 = 2;

/** Decoded EtherIP header. */
export class EtherIpRepr {
  /** Version (4 bits; 3 is the only one). */
  version: u32 = 0;
  /** Reserved bits (12; zero when sent, reported as found). */
  reserved: u32 = 0;
  /** Start of the Ethernet frame. */
  payload: usize = 0;
  /** Captured bytes of the Ethernet frame. */
  payloadLen: i32 = 0;
  /** What the payload is: Ethernet for a version 3 header. */
  inner: InnerKind = InnerKind.UNKNOWN;
}

/** Decodes the EtherIP header at p (an IP payload). */
export function parseEtherIp(p: usize, len: i32, r: EtherIpRepr): WireErr {
  r.payload = p; r.payloadLen = 0; r.inner = InnerKind.UNKNOWN;
  if (len < ETHERIP_HDR_LEN) return WireErr.TRUNCATED;
  const w = be16(p);
  r.version = w >> 12;
  r.reserved = w & 0x0fff;
  // §3: the version field MUST hold 3; another version's layout is unknown.
  if (r.version != 3) return WireErr.BAD_VERSION;
  r.payload = p + <usize>ETHERIP_HDR_LEN;
  r.payloadLen = len - ETHERIP_HDR_LEN;
  r.inner = InnerKind.ETHERNET;
  return WireErr.OK;
}
