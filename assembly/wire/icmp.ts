// ICMPv4 (RFC 792) and ICMPv6 (RFC 4443, RFC 4861 §4.5 Redirect). parseIcmp4/6 decode the
// fixed header; parseIcmpQuote finds, in an error message, the packet it quotes — its IP header,
// transport header and the application bytes after it — as far as it was quoted, bounded by
// RFC 4884's length of the original datagram when the message gives one (ICMP extensions follow
// it), by the quoted IP and UDP lengths, and by the captured bytes. Every span it sets lies
// within the ICMP message's captured bytes.

import { be16 } from "../util/mem";
import { WireErr } from "./errors";
import { Ipv6Repr, parseIpv6 } from "./ipv6";

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

/** Whether an ICMP message of this type quotes the packet it is about (RFC 792; RFC 4443 §3). */
export function icmpQuotes(type: u32, v6: bool): bool {
  // ICMPv4: destination unreachable, redirect, time exceeded, parameter problem. ICMPv6: destination
  // unreachable, packet too big, time exceeded, parameter problem.
  return v6 ? type >= 1 && type <= 4 : type == 3 || type == 5 || type == 11 || type == 12;
}

/** The packet an ICMP error quotes, as far as it was quoted. */
export class IcmpQuote {
  /** The quoted IP header (0: no quote) and the bytes of the quote from it. */
  ip: usize = 0;
  ipLen: i32 = 0;
  /** Transport protocol after the quoted IP header and its extension headers. */
  proto: u32 = 0;
  /** The quoted transport header and what follows it (0: none can be read: a later fragment, a cut extension header). */
  l4: usize = 0;
  l4Len: i32 = 0;
  /** The application bytes quoted after a TCP or UDP header (0: none). */
  payload: usize = 0;
  payloadLen: i32 = 0;
}

const quote6 = new Ipv6Repr();

/** Finds the packet the ICMP error ic quotes (q.ip 0 when its type quotes none or nothing of it is there). */
export function parseIcmpQuote(ic: IcmpRepr, v6: bool, q: IcmpQuote): void {
  q.ip = 0; q.ipLen = 0; q.proto = 0; q.l4 = 0; q.l4Len = 0; q.payload = 0; q.payloadLen = 0;
  if (!icmpQuotes(ic.type, v6) || !ic.hasRest) return;
  // ICMPv6 errors have 4 more bytes (unused, MTU or pointer) before the quote (RFC 4443 §3).
  const p = v6 ? ic.body + 4 : ic.body;
  let n = v6 ? ic.bodyLen - 4 : ic.bodyLen;
  // RFC 4884 §4.1, §4.2: a non-zero length (32-bit words in byte 5 of ICMPv4 destination
  // unreachable, time exceeded and parameter problem; 64-bit words in byte 4 of ICMPv6
  // destination unreachable and time exceeded) is the length of the original datagram field.
  if (v6 ? ic.type == 1 || ic.type == 3 : ic.type != 5) {
    const words = <i32>load<u8>(ic.rest + (v6 ? 0 : 1));
    const fieldLen = words << (v6 ? 3 : 2);
    if (words != 0 && fieldLen < n) n = fieldLen;
  }
  if (n <= 0) return;
  q.ip = p; q.ipLen = n;
  if (v6) {
    // The fixed header and its extension headers; a later fragment's bytes are no transport header.
    if (parseIpv6(p, n, quote6) != WireErr.OK) return;
    q.proto = quote6.proto;
    if (quote6.fragment && quote6.fragOff != 0) return;
    q.l4 = quote6.payload; q.l4Len = quote6.payloadCap;
  } else {
    if (n < 20 || load<u8>(p) >> 4 != 4) return;
    const ihl = (<i32>load<u8>(p) & 15) << 2;
    if (ihl < 20 || ihl > n) return;
    const total = <i32>be16(p + 2);
    if (total >= ihl && total < n) n = total;  // bytes past the datagram's end are padding
    q.proto = <u32>load<u8>(p + 9);
    if ((be16(p + 6) & 0x1fff) != 0) return;   // a later fragment (RFC 791 §3.1)
    q.l4 = p + <usize>ihl; q.l4Len = n - ihl;
  }
  const t = q.l4, tl = q.l4Len;
  if (q.proto == 6 && tl >= 13) {
    // TCP: the data offset (RFC 9293 §3.1) says where the segment's data starts.
    const off = (<i32>load<u8>(t + 12) >> 4) << 2;
    if (off >= 20 && off < tl) { q.payload = t + <usize>off; q.payloadLen = tl - off; }
  } else if (q.proto == 17 && tl > 8) {
    // UDP: the length field bounds the datagram (RFC 768); 0 is a jumbogram's (RFC 2675 §4).
    const ul = <i32>be16(t + 4);
    let pl = tl - 8;
    if (ul != 0 && ul - 8 < pl) pl = ul - 8;
    if (pl > 0) { q.payload = t + 8; q.payloadLen = pl; }
  }
}
