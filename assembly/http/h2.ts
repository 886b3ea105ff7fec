// HTTP/2 framing (RFC 9113 §4.1) over one direction of a connection, incremental: the
// 24-byte client preface (§3.4), then frames whose 9-byte headers and payloads may straddle
// TCP segments. A frame that fits in the current segment is handed over in place; one that
// straddles segments has its payload copied into a pooled buffer: a header block fragment or a
// large control frame into a head buffer (up to MAX_HEAD bytes), DATA and small frames into a
// sample buffer (their first SAMPLE_BYTES: what the record shows of them).
//
//   while (len > 0) { n = h2Step(d, p, len); p += n; len -= n; if (h2Event == H2Ev.FRAME) ... }

import { SAMPLE_BYTES } from "../config";
import { Dir } from "../flow/conn";
import { takeBuf, takeSample, freeBuf, bufPtr, bufGen, bufCap } from "./buffers";
import { Why, skip } from "../flow/skips";

/** Frame types (RFC 9113 §6, RFC 9218 §7.1). */
export const enum Frame { DATA = 0, HEADERS = 1, PRIORITY = 2, RST_STREAM = 3, SETTINGS = 4, PUSH_PROMISE = 5, PING = 6, GOAWAY = 7, WINDOW_UPDATE = 8, CONTINUATION = 9, PRIORITY_UPDATE = 16 }

/** Events of h2Step(). */
export const enum H2Ev { NONE = 0, FRAME = 1, PREFACE = 2, BAD_PREFACE = 3 }

/** Framer states. */
const enum S { PREFACE = 1, HEADER = 0, PAYLOAD = 2 }

/** Event of the last h2Step(). */
export let h2Event: H2Ev = H2Ev.NONE;
/** Payload of the frame just completed (in place or in a buffer), and how much of it is there. */
export let framePtr: usize = 0;
export let frameAvail: i32 = 0;

const PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
const PREFACE_BYTES: usize = initPreface();
function initPreface(): usize {
  const p = heap.alloc(24);
  for (let i = 0; i < 24; i++) store<u8>(p + i, <u8>PREFACE.charCodeAt(i));
  return p;
}

/** Whether [p, p+len) starts with (a prefix of) the client connection preface. */
export function isPreface(p: usize, len: i32): bool {
  const n = len < 24 ? len : 24;
  return n >= 4 && memory.compare(p, PREFACE_BYTES, <usize>n) == 0;
}

/** Starts framing a direction; `preface` when the client preface comes first. */
export function h2Start(d: Dir, preface: bool): void {
  d.h2st = preface ? S.PREFACE : S.HEADER;
  d.prefaceLeft = preface ? 24 : 0;
  d.fhdr = 0; d.fhdrLen = 0; d.fLeft = 0;
  freeBuf(d.fBuf, d.fBufGen); d.fBuf = -1; d.fBufLen = 0; d.fWhy = Why.NONE;
}

/** Processes bytes at p; returns how many were consumed. */
export function h2Step(d: Dir, p: usize, len: i32): i32 {
  h2Event = H2Ev.NONE;
  switch (d.h2st) {
    case S.PREFACE: {
      const off = 24 - d.prefaceLeft;
      const n = len < d.prefaceLeft ? len : d.prefaceLeft;
      if (memory.compare(p, PREFACE_BYTES + <usize>off, <usize>n) != 0) { h2Event = H2Ev.BAD_PREFACE; d.h2st = S.HEADER; return 0; }
      d.prefaceLeft -= n;
      if (d.prefaceLeft == 0) { d.h2st = S.HEADER; h2Event = H2Ev.PREFACE; }
      return n;
    }
    case S.HEADER: {
      // Fast path: a whole frame in place.
      if (d.fhdrLen == 0 && len >= 9) {
        const flen = (<u32>load<u8>(p) << 16) | (<u32>load<u8>(p + 1) << 8) | <u32>load<u8>(p + 2);
        setHeader(d, p);
        if (<i64>len >= 9 + <i64>flen) {
          framePtr = p + 9; frameAvail = <i32>flen; d.fLeft = 0; h2Event = H2Ev.FRAME;
          return 9 + <i32>flen;
        }
        startPayload(d);
        return 9;
      }
      let i = 0;
      while (i < len && d.fhdrLen < 9) { d.fhdr = (d.fhdr << 8) | <u64>load<u8>(p + <usize>i); d.fhdrLen++; i++; }
      if (d.fhdrLen == 9) {
        const h = d.fhdr;
        d.fLen = <u32>(h >> 48) & 0xffffff; d.fType = <u32>(h >> 40) & 0xff; d.fFlags = <u32>(h >> 32) & 0xff;
        d.fStream = <u32>h & 0x7fffffff;
        d.fhdr = 0; d.fhdrLen = 0;
        if (d.fLen == 0) { framePtr = p + <usize>i; frameAvail = 0; h2Event = H2Ev.FRAME; return i; }
        startPayload(d);
      }
      return i;
    }
    case S.PAYLOAD: {
      const n = <u32>len < d.fLeft ? len : <i32>d.fLeft;
      if (d.fBuf >= 0) {
        const room = (d.fBuf >= 0 ? bufCap(d.fBuf) : 0) - d.fBufLen;
        const k = n < room ? n : room;
        if (k > 0) { memory.copy(bufPtr(d.fBuf) + <usize>d.fBufLen, p, <usize>k); d.fBufLen += k; }
      }
      d.fLeft -= <u32>n;
      if (d.fLeft == 0) {
        framePtr = d.fBuf >= 0 ? bufPtr(d.fBuf) : 0; frameAvail = d.fBuf >= 0 ? d.fBufLen : 0;
        d.h2st = S.HEADER; h2Event = H2Ev.FRAME;
      }
      return n;
    }
  }
  return len;
}

/** Releases the buffer of the frame just delivered (call after using framePtr). */
export function h2Release(d: Dir): void { freeBuf(d.fBuf, d.fBufGen); d.fBuf = -1; d.fBufLen = 0; d.fWhy = Why.NONE; }

function setHeader(d: Dir, p: usize): void {
  d.fLen = (<u32>load<u8>(p) << 16) | (<u32>load<u8>(p + 1) << 8) | <u32>load<u8>(p + 2);
  d.fType = <u32>load<u8>(p + 3); d.fFlags = <u32>load<u8>(p + 4);
  d.fStream = ((<u32>load<u8>(p + 5) << 24) | (<u32>load<u8>(p + 6) << 16) | (<u32>load<u8>(p + 7) << 8) | <u32>load<u8>(p + 8)) & 0x7fffffff;
}

// Whether a frame's payload is only sampled by the record (DATA), or small enough for a sample buffer.
@inline function sampled(type: u32, len: u32): bool {
  return type == Frame.DATA || len <= <u32>SAMPLE_BYTES && type != Frame.HEADERS && type != Frame.CONTINUATION && type != Frame.PUSH_PROMISE;
}

function startPayload(d: Dir): void {
  d.fLeft = d.fLen; d.h2st = S.PAYLOAD;
  freeBuf(d.fBuf, d.fBufGen); d.fBufLen = 0; d.fWhy = Why.NONE;
  d.fBuf = sampled(d.fType, d.fLen) ? takeSample(d.owner) : takeBuf(d.owner);
  if (d.fBuf >= 0) d.fBufGen = bufGen(d.fBuf);
  else { d.fWhy = Why.NO_BUFFER; skip(Why.NO_BUFFER); }
}

// Whether a frame header at p is plausible (RFC 9113 §6: known type, length within the default
// SETTINGS_MAX_FRAME_SIZE, stream 0 exactly for the connection-level types).
function plausibleFrame(p: usize): bool {
  const fl = (<u32>load<u8>(p) << 16) | (<u32>load<u8>(p + 1) << 8) | <u32>load<u8>(p + 2);
  const ty = <u32>load<u8>(p + 3);
  const sid = ((<u32>load<u8>(p + 5) << 24) | (<u32>load<u8>(p + 6) << 16) | (<u32>load<u8>(p + 7) << 8) | <u32>load<u8>(p + 8));
  if (ty > 9 || fl > 16384 || (sid & 0x80000000) != 0) return false;
  const connLevel = ty == Frame.SETTINGS || ty == Frame.PING || ty == Frame.GOAWAY;
  if (connLevel != (sid == 0) && ty != Frame.WINDOW_UPDATE) return false;
  if (ty == Frame.SETTINGS && fl % 6 != 0) return false;
  if (ty == Frame.PING && fl != 8) return false;
  if ((ty == Frame.RST_STREAM || ty == Frame.WINDOW_UPDATE) && fl != 4) return false;
  return true;
}

// Whether a segment starts with HTTP/2 frames: a capture that joins an HTTP/2 connection after
// its preface. Frames must chain plausibly to the end of the segment, or at least two must.
export function looksLikeH2(p: usize, len: i32): bool {
  let off = 0, frames = 0;
  while (off + 9 <= len) {
    if (!plausibleFrame(p + <usize>off)) return false;
    off += 9 + <i32>((<u32>load<u8>(p + <usize>off) << 16) | (<u32>load<u8>(p + <usize>(off + 1)) << 8) | <u32>load<u8>(p + <usize>(off + 2)));
    frames++;
  }
  return frames >= 2 || (frames == 1 && off == len);
}

/** Framer state of a direction that joined mid-stream and has not found a frame boundary yet. */
export const H2_SYNC: i32 = 3;

/** Why a direction's HPACK table may lack the encoder's older entries (Dir.hpackGap). */
export const HPACK_COMPLETE: u8 = 0;
export const HPACK_JOINED: u8 = 1;
export const HPACK_DESYNC: u8 = 2;

