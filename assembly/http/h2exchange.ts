// HTTP/2 exchanges (RFC 9113): frames of each direction, streams opened and closed, HEADERS decoded
// with HPACK (RFC 7541) and paired into requests and responses per stream.

import { MAX_HEAD } from "../config";
import { Conn, Dir, Mode, ex, Exchange, finish, bindStream } from "../flow/conn";
import { Frame, H2Ev, h2Step, h2Event, h2Start, h2Release, framePtr, frameAvail, isPreface } from "./h2";
import { takeBuf, freeBuf, bufPtr, bufGen } from "./buffers";
import { takeTable, table, tableGen } from "./hpackpool";
import { hpackDecode, hpackOutLen } from "./hpack";
import { Why, skip } from "../flow/skips";
import { renderBuffer, frag, w, b, u32dec, hex32, bin32, pos, setPos } from "../json/writer";
import { copy } from "../util/mem";
import { S } from "../record/state";
import { H2_SYNC, looksLikeH2, HPACK_COMPLETE, HPACK_JOINED, HPACK_DESYNC } from "../flow/mode";
import { asciiBytes } from "../json/emit";
import { bodyObj } from "../json/http1";
import { classify, countUnknown, fieldsMap, flagNames, frag_false, frag_true, grpcKeys, h2Request, interimStatus, writeTraceKeys } from "../json/http2";
import { whyText } from "../json/skipped";
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
const K_F_HPACK = frag(",\"hpack\":");
const K_HPACK_JOINED = frag("\"joined\"");
const K_HPACK_DESYNC = frag("\"desynchronised\"");
const K_HPACK_EVICTED_TEXT = frag("\"evicted\"");
// hpackWhy beyond Dir.hpackGap's values: the table is complete but could not hold the entry.
const HPACK_EVICTED: u8 = 3;
const K_F_SKIPPED = frag(",\"skipped\":\"");
const K_STREAM_EQ = frag(" stream=");
const K_LEN_EQ = frag(" len=");
const K_FLAGS_EQ = frag(" flags=");
const FRAME_NAMES = [frag("DATA"), frag("HEADERS"), frag("PRIORITY"), frag("RST_STREAM"), frag("SETTINGS"), frag("PUSH_PROMISE"),
  frag("PING"), frag("GOAWAY"), frag("WINDOW_UPDATE"), frag("CONTINUATION")];
const K_PRIORITY_UPDATE = frag("PRIORITY_UPDATE");
const K_UNKNOWN_TYPE = frag("UNKNOWN_FRAME_TYPE_");
const TYPE_NAMES = [frag("data"), frag("headers"), frag(""), frag("rst"), frag("settings"), frag(""), frag("ping"), frag("goaway")];

// Results of headerBlock() for the frame being rendered.
let decoded = false;     // the block was HPACK-decoded (fields in DECODED[0..decodedLen))
let decodedLen = 0;
let blockKind = 0;       // 0 unknown, 1 request, 2 response, 3 trailers
let unknownFields = 0;   // fields referring to entries the table does not have
let blockWhy: Why = Why.NONE; // why the block was not (or not wholly) decoded

// Whether a frame comes from the client: by the connection's roles, else by the stream's
// parity (clients open odd streams, RFC 9113 §5.1.1).
@inline function fromClient(c: Conn, dir: i32, stream: u32): bool { return c.client >= 0 ? dir == c.client : (stream & 1) == 1; }

// A header block could not be decoded (why): the insertions it made into the encoder's table
// are lost with it, so this direction's table forgets every entry (older references then
// decode as unknown, never as another entry) and is marked desynchronised.
function blockLost(d: Dir, why: Why): void {
  forgetTable(d);
  skip(why);
  blockWhy = why;
}

// The direction's table missed insertions: it forgets every entry and is marked desynchronised.
function forgetTable(d: Dir): void {
  if (d.hpack >= 0) table(d.hpack).forget();
  d.hpackGap = HPACK_DESYNC;
}

// A complete header block of direction d: decodes it with the direction's table (taking one
// on its first block) unless part of it was lost.
function decodeBlock(d: Dir): void {
  const why = d.blockWhy;
  if (why != Why.NONE || d.blockBuf < 0) { blockLost(d, why != Why.NONE ? why : Why.NO_BUFFER); return; }
  if (d.hpack < 0) {
    d.hpack = takeTable(d.owner);
    if (d.hpack < 0) { blockLost(d, Why.NO_HPACK_TABLE); return; }
    d.hpackGen = tableGen(d.hpack);
  }
  const r = hpackDecode(table(d.hpack), bufPtr(d.blockBuf), d.blockLen, DECODED, MAX_HEAD * 2);
  decoded = true;
  decodedLen = r >= 0 ? r : hpackOutLen;
  if (r < 0) { d.hpackGap = HPACK_DESYNC; skip(Why.HPACK_ERROR); blockWhy = Why.HPACK_ERROR; }
}

// Gathers the header block fragment of a HEADERS, PUSH_PROMISE or CONTINUATION frame (RFC 9113
// §4.3, §6.2, §6.6, §6.10); at END_HEADERS decodes the block, classifies it and pairs it.
function headerBlock(c: Conn, dir: i32, d: Dir, type: u32, flags: u32, stream: u32, flen: u32, fp: usize, favail: i32): void {
  decoded = false; decodedLen = 0; blockKind = 0; unknownFields = 0; blockWhy = Why.NONE;
  // The fragment: after the pad length, the priority fields or the promised stream id; before the padding.
  let fragStart: i32 = 0, fragEnd: i32 = <i32>flen;
  if (type != Frame.CONTINUATION) {
    if (flags & 8) { fragStart = 1; fragEnd -= favail >= 1 ? <i32>load<u8>(fp) : 0; }
    if (type == Frame.HEADERS && (flags & 0x20) != 0) fragStart += 5;
    if (type == Frame.PUSH_PROMISE) fragStart += 4;
    // A new block while one was open: the open one never ended (its CONTINUATION was lost),
    // and so were its insertions.
    if (d.blockOpen) forgetTable(d);
    freeBuf(d.blockBuf, d.blockGen);
    d.blockBuf = takeBuf(d.owner); d.blockLen = 0; d.blockStream = type == Frame.PUSH_PROMISE ? 0 : stream; d.blockFlags = flags;
    d.blockWhy = Why.NONE; d.blockOpen = true;
    if (d.blockBuf >= 0) d.blockGen = bufGen(d.blockBuf); else d.blockWhy = Why.NO_BUFFER;
  } else if (!d.blockOpen) {
    // A CONTINUATION whose HEADERS was not seen (lost, or before the capture began): its
    // block's insertions are lost.
    if ((flags & 4) != 0) forgetTable(d);
    return;
  }
  if (fragEnd < fragStart) fragEnd = fragStart;
  // The frame's payload may not all be here: its buffer held only part of it, or none.
  if (favail < fragEnd) { if (d.blockWhy == Why.NONE) d.blockWhy = d.fWhy != Why.NONE ? d.fWhy : Why.BLOCK_TOO_LARGE; }
  if (d.blockBuf >= 0 && d.blockWhy == Why.NONE) {
    const k = fragEnd - fragStart;
    if (d.blockLen + k > MAX_HEAD) d.blockWhy = Why.BLOCK_TOO_LARGE;
    else if (k > 0) { memory.copy(bufPtr(d.blockBuf) + <usize>d.blockLen, fp + <usize>fragStart, <usize>k); d.blockLen += k; }
  }
  if ((flags & 4) == 0) return;
  // END_HEADERS: the block is complete.
  d.blockOpen = false;
  decodeBlock(d);
  freeBuf(d.blockBuf, d.blockGen); d.blockBuf = -1;
  if (decoded) unknownFields = countUnknown(DECODED, decodedLen);
  if (unknownFields > 0 && d.hpackGap == HPACK_DESYNC) skip(Why.HPACK_DESYNC);
  const bs = d.blockStream;
  if (bs == 0) return; // a PUSH_PROMISE: decoded for the table's sake, not paired
  // What the block is: its pseudo-header fields say; when they could not be read, the
  // stream's state does (RFC 9113 §8.1: a request or response head first, then trailers).
  let exIdx = c.findStream(bs);
  const client = fromClient(c, dir, bs);
  blockKind = decoded ? classify(DECODED, decodedLen) : 0;
  const whole = decoded && unknownFields == 0 && blockWhy == Why.NONE;
  if (blockKind == 0 || blockKind == 3 && !whole) {
    const e = exIdx >= 0 ? ex(exIdx) : null;
    if (client) blockKind = e !== null && e.hasReq ? 3 : 1;
    else blockKind = e !== null && e.answered ? 3 : 2;
  }
  if (blockKind == 1) {
    let e: Exchange;
    if (exIdx >= 0 && !ex(exIdx).hasReq) e = ex(exIdx);
    else { exIdx = c.append(); if (exIdx < 0) return; e = ex(exIdx); bindStream(exIdx, bs); }
    e.hasReq = true; e.tsSec = S.pSec; e.tsNsec = S.pNsec; e.why = blockWhy;
    if (decoded) h2Request(DECODED, decodedLen, e); else { e.trace.clear(); e.methodLen = 0; e.urlLen = 0; }
    S.reqSetN = addTo(reqSet, S.reqSetN, bs);
  } else if (blockKind == 2) {
    if (exIdx >= 0) {
      const e = ex(exIdx);
      e.hasRes = true;
      // A 1xx head is interim (RFC 9113 §8.1): the final one answers.
      if (!decoded || !interimStatus(DECODED, decodedLen)) e.answered = true;
    } else if (c.streamsLost && blockWhy == Why.NONE) blockWhy = Why.REQUEST_RECLAIMED;
    S.resSetN = addTo(resSet, S.resSetN, bs);
  }
  if ((d.blockFlags & 1) != 0 && exIdx >= 0) streamEnded(exIdx, client);
}

// END_STREAM from the client or the server (or a RST_STREAM: both) on exchange i's stream; the
// exchange is finished when both ends are.
function streamEnded(i: i32, client: bool): void {
  const e = ex(i);
  if (client) e.reqEnded = true; else e.resEnded = true;
  if (e.reqEnded && e.resEnded) finish(i);
}

function onFrame(c: Conn, dir: i32, d: Dir): void {
  const type = d.fType, flags = d.fFlags, stream = d.fStream, flen = d.fLen;
  const fp = framePtr;
  const favail = frameAvail;
  S.h2Frames++;
  S.streamSetN = addTo(streamSet, S.streamSetN, stream);
  let isBlock = type == Frame.HEADERS || type == Frame.CONTINUATION || type == Frame.PUSH_PROMISE;
  if (isBlock) headerBlock(c, dir, d, type, flags, stream, flen, fp, favail);
  else { decoded = false; blockKind = 0; unknownFields = 0; blockWhy = Why.NONE; }
  const exIdx = stream != 0 ? c.findStream(stream) : -1;
  const kind = blockKind;
  if (type == Frame.DATA && flen > 0) S.dataSetN = addTo(dataSet, S.dataSetN, stream);
  if (exIdx >= 0) {
    if (type == Frame.DATA && (flags & 1) != 0) streamEnded(exIdx, fromClient(c, dir, stream));
    else if (type == Frame.RST_STREAM) { ex(exIdx).reqEnded = true; streamEnded(exIdx, false); }
  }
  // Why fields could not be resolved: the table joined late, missed insertions, or could not
  // hold the entries in its HPACK_TABLE_BYTES (hpack.ts: older references become unknown).
  const hpackWhy: u8 = unknownFields == 0 ? 0 : d.hpackGap != HPACK_COMPLETE ? d.hpackGap : HPACK_EVICTED;
  const frameWhy = isBlock && (flags & 4) != 0 ? blockWhy : Why.NONE;
  if (S.fragUsed >= MAX_FRAMES || fragBytes > SCRATCH_CAP - (MAX_HEAD * 2 * 7 + 65536)) return;
  // The frame object, keys sorted: ack, body, flags, grpc, headers, hpack, kind, len, logging.*, raw, settings, skipped, type, unknown_headers
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
  const ended = isBlock && (flags & 4) != 0;
  if (decoded && ended) {
    grpcKeys(DECODED, decodedLen, kind);
    w(K_F_HEADERS); fieldsMap(DECODED, decodedLen);
  }
  if (hpackWhy != 0) { w(K_F_HPACK); w(hpackWhy == HPACK_JOINED ? K_HPACK_JOINED : hpackWhy == HPACK_DESYNC ? K_HPACK_DESYNC : K_HPACK_EVICTED_TEXT); }
  if (kind == 1) w(K_F_KIND_REQ); else if (kind == 2) w(K_F_KIND_RES); else if (kind == 3) w(K_F_KIND_TRAILERS);
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
  if (frameWhy != Why.NONE) { w(K_F_SKIPPED); whyText(frameWhy); b(0x22); }
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
