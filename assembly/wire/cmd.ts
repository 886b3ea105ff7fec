// Cisco MetaData (CMD, EtherType 0x8909): the TrustSec security group tag a Cisco switch or
// router carries in a frame. Its layout differs by carrier, as Wireshark's packet-cisco-metadata.c
// reads it (draft-smith-kandula-sxp names the tag, not the wire format):
//
//   after EtherType 0x8909 on Ethernet:  Version(1) Length(1) Options(2) SGT(2) EtherType(2)
//   after GRE protocol 0x8909:           EtherType(2) Version(1) Length(1) Options(2) SGT(2)
//
// then what the EtherType names. Stateless: parseCmd fills a CmdRepr from (p, len).

import { be16, u8at } from "../util/mem";
import { WireErr } from "./errors";

/** Bytes of the CMD header with its EtherType, on either carrier. */
export const CMD_LEN: i32 = 8;

/** Decoded Cisco MetaData header. */
export class CmdRepr {
  /** Version (1). */
  version: u32 = 0;
  /** Length field, as sent. */
  length: u32 = 0;
  /** Option type (1: the SGT option). */
  options: u32 = 0;
  /** Security group tag. */
  sgt: u32 = 0;
  /** The EtherType of what follows. */
  etherType: u32 = 0;
}

/** Decodes the CMD header at p: after EtherType 0x8909 on Ethernet (gre false), or after GRE protocol 0x8909 (gre true). */
export function parseCmd(p: usize, len: i32, gre: bool, r: CmdRepr): WireErr {
  r.version = 0; r.length = 0; r.options = 0; r.sgt = 0; r.etherType = 0;
  if (len < CMD_LEN) return WireErr.TRUNCATED;
  const h = gre ? p + 2 : p;
  r.version = u8at(h); r.length = u8at(h + 1); r.options = be16(h + 2); r.sgt = be16(h + 4);
  r.etherType = be16(gre ? p : p + 6);
  return WireErr.OK;
}
