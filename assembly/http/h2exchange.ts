// HTTP/2 exchanges (RFC 9113): frames of each direction, streams opened and closed, HEADERS decoded
// with HPACK (RFC 7541) and paired into requests and responses per stream.

import { MAX_HEAD } from "../config";
import { Conn, Dir, Mode, ex, Exchange } from "../flow/conn";
import { Frame, H2Ev, h2Step, h2Event, h2Start, h2Release, framePtr, frameAvail, isPreface } from "./h2";
import { takeBuf, freeBuf, bufPtr } from "./buffers";
import { takeTable, table } from "./hpackpool";
import { hpackDecode, hpackOutLen } from "./hpack";
import { renderBuffer, frag, w, b, u32dec, hex32, bin32, pos, setPos } from "../json/writer";
import { copy } from "../util/mem";
import { S } from "../record/state";
import { H2_SYNC, looksLikeH2 } from "../flow/mode";
import { asciiBytes } from "../json/emit";
import { bodyObj } from "../json/http1";
import { classify, countUnknown, fieldsMap, flagNames, frag_false, frag_true, grpcKeys, h2Request, writeTraceKeys } from "../json/http2";
import { renderL7 } from "../json/l7";

import { SCRATCH_CAP, MAX_STREAMS_LISTED } from "../config";

const K_F_BODY_OPEN = frag(",\"body\":{");
export const streamSet = new StaticArray<u32>(MAX_STREAMS_LISTED);
export const reqSet = new StaticArray<u32>(MAX_STREAMS_LISTED);
export const resSet = new StaticArray<u32>(MAX_STREAMS_LISTED);
export const dataSet = new StaticArray<u32>(MAX_STREAMS_LISTED);

// Frame JSON fragments of this packet, grouped by stream when the HTTP object is assembled.
const MAX_FRAMES: i32 = 512;
export const FRAG_BUF: usize = renderBuffer(SCRATCH_CAP);
export const fragStream = new StaticArray<u32>(MAX_FRAMES);
export const fragOff = new StaticArray<i32>(MAX_FRAMES);
export const fragLen = new StaticArray<i32>(MAX_FRAMES);

let fragBytes = 0;

function addTo(set: StaticArray<u32>, n: i32, v: u32): i32 {
  for (let i = 0; i < n; i++) if (unchecked(set[i]) == v) return n;
  if (n >= MAX_STREAMS_LISTED) return n;
  // keep ascending order (the fixed rule for upstream's random set order)
  let j = n;
  while (j > 0 && unchecked(set[j - 1]) > v) { unchecked(set[j] = set[j - 1]); j--; }
  unchecked(set[j] = v);
  return n + 1;
}

const DECODED: usize = heap.alloc(<usize>(MAX_HEAD * 2));

export function feedH2(c: Conn, dir: i32, p: usize, len: i32): void {
  const d = unchecked(c.d[dir]);
  S.h2Size += len;
  if (S.fragUsed == 0) fragBytes = 0;
  if (d.h2st == H2_SYNC) {
    if (isPreface(p, len)) h2Start(d, true);
    else if (looksLikeH2(p, len)) d.h2st = 0;
    else { renderL7(p, len); return; }
  }
  while (len > 0) {
    // The client preface can follow the server's first SETTINGS (the server may speak first).
    if (d.h2st == 0 && d.fhdrLen == 0 && isPreface(p, len)) h2Start(d, true);
    const n = h2Step(d, p, len);
    p += <usize>n; len -= n;
    if (h2Event == H2Ev.PREFACE) S.h2Preface = true;
    else if (h2Event == H2Ev.BAD_PREFACE) { c.mode = Mode.OPAQUE; return; }
    else if (h2Event == H2Ev.FRAME) { onFrame(c, dir, d); h2Release(d); }
    if (c.mode != Mode.HTTP2) return;
  }
  // A segment inside a frame's payload: remember the stream for the top-level trace.
  if (d.fLeft > 0) S.h2LastStream = d.fStream;
}

const K_F_FLAGS = frag(",\"flags\":{\"bin\":\"0b");
const K_F_DEC = frag("\",\"dec\":\"");
const K_F_HEX = frag("\",\"hex\":\"0x");
const K_F_END = frag("\"}");
const K_F_ACK = frag(",\"ack\":");
const K_F_DATA = frag(",\"data\":");
const K_F_HEADERS = frag(",\"headers\":");
const K_F_KIND_REQ = frag(",\"kind\":\"request\"");
const K_F_KIND_RES = frag(",\"kind\":\"response\"");
const K_F_KIND_TRAILERS = frag(",\"kind\":\"trailers\"");
const K_F_LEN = frag(",\"len\":");
export const K_TRACES = frag("/traces/");
const K_F_RAW = frag(",\"raw\":\"");
const K_F_SETTINGS = frag(",\"settings\":{");
const K_F_TYPE = frag(",\"type\":\"");
const K_F_UNKNOWN = frag(",\"unknown_headers\":");
const K_STREAM_EQ = frag(" stream=");
const K_LEN_EQ = frag(" len=");
const K_FLAGS_EQ = frag(" flags=");
const FRAME_NAMES = [frag("DATA"), frag("HEADERS"), frag("PRIORITY"), frag("RST_STREAM"), frag("SETTINGS"), frag("PUSH_PROMISE"),
  frag("PING"), frag("GOAWAY"), frag("WINDOW_UPDATE"), frag("CONTINUATION")];
const K_PRIORITY_UPDATE = frag("PRIORITY_UPDATE");
const K_UNKNOWN_TYPE = frag("UNKNOWN_FRAME_TYPE_");
const TYPE_NAMES = [frag("data"), frag("headers"), frag(""), frag("rst"), frag("settings"), frag(""), frag("ping"), frag("goaway")];

function onFrame(c: Conn, dir: i32, d: Dir): void {
  const type = d.fType, flags = d.fFlags, stream = d.fStream, flen = d.fLen;
  const fp = framePtr;
  const favail = frameAvail;
  S.h2Frames++;
  S.streamSetN = addTo(streamSet, S.streamSetN, stream);
  let exIdx = stream != 0 ? c.findStream(stream) : -1;
  let kind = 0; // 1 request, 2 response, 3 trailers
  let unknownFields = 0;
  let decoded = false;
  let decodedLen = 0;
  // Header blocks: HEADERS (+ CONTINUATION) joined, then HPACK with the direction's table.
  if (type == Frame.HEADERS || type == Frame.CONTINUATION || type == Frame.PUSH_PROMISE) {
    let fragStart: i32 = 0, fragLen2 = favail;
    if (type == Frame.HEADERS) {
      if (flags & 8) { if (favail < 1) fragLen2 = 0; else { const padLen = <i32>load<u8>(fp); fragStart = 1; fragLen2 = favail - 1 - padLen; } }
      if (flags & 0x20) { fragStart += 5; fragLen2 -= 5; }
      if (fragLen2 < 0) fragLen2 = 0;
      freeBuf(d.blockBuf); d.blockBuf = takeBuf(); d.blockLen = 0; d.blockStream = stream; d.blockFlags = flags;
    } else if (type == Frame.PUSH_PROMISE) {
      fragLen2 = 0; // promised request headers are not analysed
    }
    if (d.blockBuf >= 0 && type != Frame.PUSH_PROMISE) {
      const room = MAX_HEAD - d.blockLen;
      const k = fragLen2 < room ? fragLen2 : room;
      if (k > 0) { memory.copy(bufPtr(d.blockBuf) + <usize>d.blockLen, fp + <usize>fragStart, <usize>k); d.blockLen += k; }
    }
    if ((flags & 4) != 0 && d.blockBuf >= 0 && type != Frame.PUSH_PROMISE) {
      if (d.hpack < 0) d.hpack = takeTable();
      let n = 0;
      if (d.hpack >= 0) {
        const r = hpackDecode(table(d.hpack), bufPtr(d.blockBuf), d.blockLen, DECODED, MAX_HEAD * 2);
        n = r >= 0 ? r : hpackOutLen;
      }
      decoded = true; decodedLen = n;
      freeBuf(d.blockBuf); d.blockBuf = -1;
      // Classify and track.
      kind = classify(DECODED, n);
      const bs = d.blockStream;
      if (kind == 1) {
        let e: Exchange;
        if (exIdx >= 0 && ex(exIdx).stream == bs && !ex(exIdx).hasReq) e = ex(exIdx);
        else { const pos = c.append(); exIdx = c.at(pos); e = ex(exIdx); }
        e.stream = bs; e.hasReq = true; e.tsSec = S.pSec; e.tsNsec = S.pNsec;
        h2Request(DECODED, n, e);
        S.reqSetN = addTo(reqSet, S.reqSetN, bs);
      } else if (kind == 2) {
        if (exIdx >= 0) { const e = ex(exIdx); e.hasRes = true; e.answered = true; }
        S.resSetN = addTo(resSet, S.resSetN, bs);
      }
      unknownFields = countUnknown(DECODED, n);
    }
  } else if (type == Frame.DATA && flen > 0) {
    S.dataSetN = addTo(dataSet, S.dataSetN, stream);
  }
  if (S.fragUsed >= MAX_FRAMES || fragBytes > SCRATCH_CAP - (MAX_HEAD * 2 * 7 + 65536)) return;
  // The frame object, keys sorted: ack, body, flags, grpc, headers, kind, len, logging.* , raw, settings, type, unknown_headers
  const save = pos;
  const start = FRAG_BUF + <usize>fragBytes;
  setPos(start);
  b(0x7b);
  const mark = pos;
  if (type == Frame.SETTINGS || type == Frame.PING) { w(K_F_ACK); rmComma(mark); w((flags & 1) != 0 ? frag_true : frag_false); }
  if (type == Frame.DATA) {
    let dl = <i32>flen, pad = 0;
    if ((flags & 8) != 0 && favail >= 1) { pad = <i32>load<u8>(fp); dl = <i32>flen - 1 - pad; if (dl < 0) dl = 0; }
    const off = (flags & 8) != 0 ? 1 : 0;
    let have = favail - off; if (have > dl) have = dl; if (have < 0) have = 0;
    // A frame whose payload was not all kept shows a sample even when it is short.
    bodyObj(K_F_BODY_OPEN, fp + <usize>off, have, dl, <i64>flen, have < dl);
    rmComma(mark);
  }
  w(K_F_FLAGS); rmComma(mark); bin32(flags); w(K_F_DEC); u32dec(flags); w(K_F_HEX); hex32(flags); w(K_F_END);
  if (decoded) {
    grpcKeys(DECODED, decodedLen, kind);
    w(K_F_HEADERS); fieldsMap(DECODED, decodedLen);
    if (kind == 1) w(K_F_KIND_REQ); else if (kind == 2) w(K_F_KIND_RES); else if (kind == 3) w(K_F_KIND_TRAILERS);
  }
  w(K_F_LEN); u32dec(flen);
  if (exIdx >= 0 && !c.untracked) writeTraceKeys(ex(exIdx));
  w(K_F_RAW);
  if (type <= 9) w(unchecked(FRAME_NAMES[type])); else if (type == 16) w(K_PRIORITY_UPDATE); else if (type >= 10 && type <= 15) {} else { w(K_UNKNOWN_TYPE); u32dec(type); }
  if (flags != 0) { w(K_FLAGS_EQ); flagNames(type, flags); }
  if (stream != 0) { w(K_STREAM_EQ); u32dec(stream); }
  w(K_LEN_EQ); u32dec(flen); b(0x22);
  if (type == Frame.SETTINGS && (flags & 1) == 0) {
    w(K_F_SETTINGS);
    // Repeated ids: the last value wins, as a Go map would keep it.
    let n = 0;
    for (let o = 0; o + 6 <= favail; o += 6) {
      const id = (<u32>load<u8>(fp + <usize>o) << 8) | <u32>load<u8>(fp + <usize>(o + 1));
      let later = false;
      for (let o2 = o + 6; o2 + 6 <= favail; o2 += 6) if (((<u32>load<u8>(fp + <usize>o2) << 8) | <u32>load<u8>(fp + <usize>(o2 + 1))) == id) later = true;
      if (later) continue;
      if (n++) b(0x2c);
      b(0x22); b(0x30); b(0x78); hex32(id); b(0x22); b(0x3a); b(0x22);
      u32dec((<u32>load<u8>(fp + <usize>(o + 2)) << 24) | (<u32>load<u8>(fp + <usize>(o + 3)) << 16) | (<u32>load<u8>(fp + <usize>(o + 4)) << 8) | <u32>load<u8>(fp + <usize>(o + 5)));
      b(0x22);
    }
    b(0x7d);
  }
  if (type < 8 && unchecked(TYPE_NAMES[type]) >>> 32 != 0) { w(K_F_TYPE); w(unchecked(TYPE_NAMES[type])); b(0x22); }
  if (unknownFields > 0) { w(K_F_UNKNOWN); u32dec(<u32>unknownFields); }
  b(0x7d);
  unchecked(fragStream[S.fragUsed] = stream);
  unchecked(fragOff[S.fragUsed] = <i32>(start - FRAG_BUF));
  unchecked(fragLen[S.fragUsed] = <i32>(pos - start));
  S.fragUsed++;
  fragBytes = <i32>(pos - FRAG_BUF);
  setPos(save);
}

// The first key of an object must not start with a comma: drop it when nothing precedes.
@inline function rmComma(mark: usize): void {
  if (pos > mark && load<u8>(mark) == 0x2c) { memory.copy(mark, mark + 1, pos - mark - 1); setPos(pos - 1); }
}

// Decoded fields (hpack output): u8 flags, u8 0, u16 nameLen, u32 valueLen, name, value.
@inline export function fName(p: usize): usize { return p + 8; }
@inline export function fNameLen(p: usize): i32 { return <i32>load<u16>(p + 2); }
@inline export function fValueLen(p: usize): i32 { return <i32>load<u32>(p + 4); }
@inline export function fNext(p: usize): usize { return p + 8 + <usize>fNameLen(p) + <usize>fValueLen(p); }

export const GRPC_CT: usize = asciiBytes("application/grpc");
