// ICMPv4 (RFC 792) and ICMPv6 (RFC 4443, RFC 4861 §4.5 Redirect). Only the fixed header is
// decoded here; the renderer reads the embedded invoking header when the type has one.

import { be16 } from "../util/mem";
import { WireErr } from "./errors";

/** Decoded ICMP header (either version). */
export class IcmpRepr {
  type: u32 = 0;
  code: u32 = 0;
  xsum: u32 = 0;
  /** Bytes 4..7 (identifier and sequence for echo, gateway for redirect). */
  rest: usize = 0;
  /** Bytes 4..7 were captured. */
  hasRest: bool = false;
  body: usize = 0;
  bodyLen: i32 = 0;
}

/** Decodes an ICMPv4 header (8 bytes, as gopacket requires). */
export function parseIcmp4(p: usize, len: i32, r: IcmpRepr): WireErr {
  if (len < 8) return WireErr.TRUNCATED;
  r.type = <u32>load<u8>(p); r.code = <u32>load<u8>(p + 1); r.xsum = be16(p + 2);
  r.rest = p + 4; r.hasRest = true;
  r.body = p + 8; r.bodyLen = len - 8;
  return WireErr.OK;
}

/** Decodes an ICMPv6 header (4 bytes; the message body follows). */
export function parseIcmp6(p: usize, len: i32, r: IcmpRepr): WireErr {
  if (len < 4) return WireErr.TRUNCATED;
  r.type = <u32>load<u8>(p); r.code = <u32>load<u8>(p + 1); r.xsum = be16(p + 2);
  r.rest = p + 4; r.hasRest = len >= 8;
  r.body = p + 4; r.bodyLen = len - 4;
  return WireErr.OK;
}
