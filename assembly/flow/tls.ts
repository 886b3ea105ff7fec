// The TLS record walk of a connection (RFC 8446 §5.1): the records that start in each segment, and
// the first handshake record of each direction kept for the ClientHello / ServerHello parser.

import { MAX_HEAD } from "../config";
import { Conn } from "./conn";
import { takeBuf, freeBuf, bufPtr, bufGen } from "../http/buffers";
import { Why, skip } from "./skips";
import { parseClientHello, parseServerHello } from "../wire/tls";
import { WireErr } from "../wire/errors";
import { copy } from "../util/mem";
import { S } from "../facts/packet";
import { timingTop } from "../facts/timing";
import { nowNs, tlsTiming, C_TLS_START, C_TLS_END } from "./timing";
import { MAX_TLS_RECORDS, recType, recVer, recLen, hello, shello } from "../facts/tls";


// A TLS record header: content type 20..24, version 3.0..3.4, length within RFC 8446 §5.2.
export function plausibleTlsRecord(p: usize, len: i32): bool {
  if (len < 5) return false;
  const t = <u32>load<u8>(p), v1 = <u32>load<u8>(p + 1), v2 = <u32>load<u8>(p + 2);
  const l = (<u32>load<u8>(p + 3) << 8) | <u32>load<u8>(p + 4);
  return t >= 20 && t <= 24 && v1 == 3 && v2 <= 4 && l > 0 && l <= 16384 + 2048;
}

export function feedTls(c: Conn, dir: i32, p: usize, len: i32): void {
  const d = unchecked(c.d[dir]);
  if (d.tlsLost) {
    // Wait for a segment that starts with a record header.
    if (!plausibleTlsRecord(p, len)) return;
    d.tlsLost = false; d.tlsLeft = 0; d.tlsHdrLen = 0;
  }
  while (len > 0) {
    if (d.tlsLeft == 0) {
      while (len > 0 && d.tlsHdrLen < 5) { d.tlsHdr = (d.tlsHdr << 8) | <u64>load<u8>(p); d.tlsHdrLen++; p++; len--; }
      if (d.tlsHdrLen < 5) return;
      const h = d.tlsHdr;
      d.tlsHdr = 0; d.tlsHdrLen = 0;
      const t = <u32>(h >> 32) & 0xff, ver = <u32>(h >> 16) & 0xffff, rl = <i32>(h & 0xffff);
      if (t < 20 || t > 24 || (ver >> 8) != 3 || rl == 0 || rl > 16384 + 2048) { d.tlsLost = true; return; }
      if (S.tlsN < MAX_TLS_RECORDS) { unchecked(recType[S.tlsN] = <u8>t); unchecked(recVer[S.tlsN] = <u16>ver); unchecked(recLen[S.tlsN] = <u16>rl); S.tlsN++; }
      d.tlsLeft = rl; d.tlsType = t;
      // The handshake's time: from the first handshake record (the ClientHello) to the client's
      // first application-data record (TLS 1.2: after the server's Finished; TLS 1.3: its own
      // Finished, which travels as application data, RFC 8446 §5.1).
      if (t == 22 && (c.tbits & C_TLS_START) == 0) { c.tlsStartNs = nowNs(); c.tbits |= C_TLS_START; }
      else if (t == 23 && dir == c.client && (c.tbits & (C_TLS_START | C_TLS_END)) == C_TLS_START) {
        c.tlsEndNs = nowNs(); c.tbits |= C_TLS_END;
        if (timingTop < 0) tlsTiming(c);
      }
      if (t == 22 && !d.tlsHello) {
        freeBuf(d.head, d.headGen); d.headLen = 0; d.tlsHello = true; d.helloWhy = Why.NONE;
        d.head = takeBuf(d.owner);
        if (d.head >= 0) d.headGen = bufGen(d.head); else d.helloWhy = Why.NO_BUFFER;
      }
      continue;
    }
    const n = len < d.tlsLeft ? len : d.tlsLeft;
    if (d.head >= 0 && d.tlsType == 22) {
      const room = MAX_HEAD - d.headLen;
      const k = n < room ? n : room;
      if (k > 0) { memory.copy(bufPtr(d.head) + <usize>d.headLen, p, <usize>k); d.headLen += k; }
      if (k < n && d.helloWhy == Why.NONE) d.helloWhy = Why.HEAD_TOO_LARGE;
    }
    d.tlsLeft -= n; p += <usize>n; len -= n;
    if (d.tlsLeft == 0 && d.tlsType == 22 && (d.head >= 0 || d.helloWhy != Why.NONE)) {
      if (d.helloWhy != Why.NONE) {
        // The hello could not be kept whole (no buffer, its buffer reclaimed, or over MAX_HEAD).
        S.helloWhy = d.helloWhy; skip(d.helloWhy); d.helloWhy = Why.NONE;
        freeBuf(d.head, d.headGen); d.head = -1;
        continue;
      }
      // The fields of the hello point into the buffer: it is released after rendering.
      const hp = bufPtr(d.head);
      const b0 = d.headLen > 0 ? load<u8>(hp) : 0;
      if (b0 == 1 && parseClientHello(hp, d.headLen, hello) == WireErr.OK) { S.helloClient = true; if (c.client < 0) c.client = dir; }
      else if (b0 == 2 && parseServerHello(hp, d.headLen, shello) == WireErr.OK) S.helloServer = true;
      freeBuf(S.helloBuf, S.helloGen); S.helloBuf = d.head; S.helloGen = d.headGen; d.head = -1;
    }
  }
}

