// Linux NFLOG (libpcap LINKTYPE_NFLOG 239, pcap/nflog.h; linux/netfilter/nfnetlink_log.h): a
// 4-byte header,
//
//   family(8) version(8)=0 resource_id(16, network order)
//
// then TLVs: length(16) type(16), in the capturing host's byte order (a pcap file's own: libpcap
// swaps them with the file's other fields), the length counting the 4-byte TLV header, each TLV
// padded to 4 bytes. NFULA_PAYLOAD (9) is the logged packet, of the family's network protocol
// (AF_INET 2 IPv4, AF_INET6 10 IPv6).

import { be16, u8at, rd16 } from "../util/mem";
import { WireErr } from "./errors";

/** Bytes of the NFLOG header. */
export const NFLOG_HDR_LEN: i32 = 4;
/** Bytes of a TLV header. */
export const NFLOG_TLV_HDR_LEN: i32 = 4;
/** The TLV type of the logged packet (NFULA_PAYLOAD). */
export const NFULA_PAYLOAD: u32 = 9;
/** The address family of an IPv4 payload (NFPROTO_IPV4). */
export const NFPROTO_IPV4: u32 = 2;
/** The address family of an IPv6 payload (NFPROTO_IPV6). */
export const NFPROTO_IPV6: u32 = 10;

/** Decoded NFLOG header, and where its payload TLV is. */
export class NflogRepr {
  /** Address family of the logged packet. */
  family: u32 = 0;
  /** Resource id: the nflog group. */
  resourceId: u32 = 0;
  /** An NFULA_PAYLOAD TLV was found. */
  hasPayload: bool = false;
  /** Offset of the logged packet from the header's start. */
  payloadOff: i32 = 0;
  /** Captured bytes of the logged packet. */
  payloadLen: i32 = 0;
}

/** Decodes the NFLOG header at p and finds its payload TLV; big: the capture's byte order is big-endian. */
export function parseNflog(p: usize, len: i32, big: bool, r: NflogRepr): WireErr {
  r.family = 0; r.resourceId = 0; r.hasPayload = false; r.payloadOff = 0; r.payloadLen = 0;
  if (len < NFLOG_HDR_LEN) return WireErr.TRUNCATED;
  r.family = u8at(p);
  if (u8at(p + 1) != 0) return WireErr.BAD_VERSION;
  r.resourceId = be16(p + 2);
  // Every TLV is at least its 4-byte header long, so the walk ends within len / 4 steps.
  let q = NFLOG_HDR_LEN;
  while (q + NFLOG_TLV_HDR_LEN <= len) {
    const tl = <i32>rd16(p + <usize>q, big);
    // linux/netlink.h NLA_TYPE_MASK: the top two bits are the nested and byte-order flags.
    const tt = rd16(p + <usize>q + 2, big) & 0x3fff;
    if (tl < NFLOG_TLV_HDR_LEN) return WireErr.BAD_LENGTH;
    if (tt == NFULA_PAYLOAD) {
      r.hasPayload = true;
      r.payloadOff = q + NFLOG_TLV_HDR_LEN;
      r.payloadLen = min(tl, len - q) - NFLOG_TLV_HDR_LEN;
      return WireErr.OK;
    }
    q += (tl + 3) & ~3;
  }
  return WireErr.OK;
}
