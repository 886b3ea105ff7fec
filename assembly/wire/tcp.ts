// TCP header (RFC 9293 §3.1) and its options (RFC 9293 §3.2, RFC 7323, RFC 2018), parsed the
// way gopacket does so the rendered option list matches pcap-sidecar: End of Option List is
// kept as an entry and ends the list; NOP is one byte; any other kind needs a length ≥ 2 that
// fits in the header.

import { be16, be32 } from "../util/mem";
import { WireErr } from "./errors";

/** TCP flag bits as pcap-sidecar numbers them (NS is kept apart: it is not part of `dec`). */
export const enum TcpFlag { FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10, URG = 0x20, ECE = 0x40, CWR = 0x80 }

/** At most 40 option bytes, so at most 40 options. */
const MAX_OPTS = 40;

/** Decoded TCP header. */
export class TcpRepr {
  srcPort: u32 = 0;
  dstPort: u32 = 0;
  seq: u32 = 0;
  ack: u32 = 0;
  dataOff: u32 = 0;
  flags: u32 = 0;
  ns: bool = false;
  window: u32 = 0;
  xsum: u32 = 0;
  urg: u32 = 0;
  optCount: i32 = 0;
  optKind: StaticArray<u8> = new StaticArray<u8>(MAX_OPTS);
  optData: StaticArray<usize> = new StaticArray<usize>(MAX_OPTS);
  optLen: StaticArray<u8> = new StaticArray<u8>(MAX_OPTS);
  /** Problem found while parsing options (the options before it are kept). */
  optErr: WireErr = WireErr.OK;
  payload: usize = 0;
  payloadLen: i32 = 0;
}

/** Decodes the TCP header at p; len is the captured transport length. */
export function parseTcp(p: usize, len: i32, r: TcpRepr): WireErr {
  if (len < 20) return WireErr.TRUNCATED;
  r.srcPort = be16(p);
  r.dstPort = be16(p + 2);
  r.seq = be32(p + 4);
  r.ack = be32(p + 8);
  const b12 = <u32>load<u8>(p + 12);
  r.dataOff = b12 >> 4;
  r.ns = (b12 & 1) != 0;
  r.flags = <u32>load<u8>(p + 13);
  r.window = be16(p + 14);
  r.xsum = be16(p + 16);
  r.urg = be16(p + 18);
  r.optCount = 0; r.optErr = WireErr.OK;
  const hl = <i32>(r.dataOff << 2);
  if (hl < 20) return WireErr.BAD_HEADER_LENGTH;
  if (hl > len) return WireErr.TRUNCATED;
  r.payload = p + <usize>hl;
  r.payloadLen = len - hl;
  let q = p + 20;
  const end = p + <usize>hl;
  while (q < end && r.optCount < MAX_OPTS) {
    const kind = load<u8>(q);
    const i = r.optCount++;
    unchecked(r.optKind[i] = kind);
    unchecked(r.optData[i] = q);
    unchecked(r.optLen[i] = 0);
    if (kind == 0) break;          // End of Option List: the rest is padding
    if (kind == 1) { q++; continue; }
    if (end - q < 2) { r.optErr = WireErr.BAD_OPTION; break; }
    const ol = <usize>load<u8>(q + 1);
    if (ol < 2 || ol > end - q) { r.optErr = WireErr.BAD_OPTION; break; }
    unchecked(r.optData[i] = q + 2);
    unchecked(r.optLen[i] = <u8>(ol - 2));
    q += ol;
  }
  return WireErr.OK;
}
