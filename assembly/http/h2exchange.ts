// HTTP/2 exchanges (RFC 9113): frames of each direction, streams opened and closed, HEADERS decoded
// with HPACK (RFC 7541) and paired into requests and responses per stream.

import { MAX_HEAD, MAX_STREAMS_LISTED, MAX_FRAMES } from "../config";
import { Conn, Dir, Mode, ex, Exchange, finish, bindStream } from "../flow/conn";
import { Frame, H2Ev, h2Step, h2Event, h2Start, h2Release, framePtr, frameAvail, isPreface, H2_SYNC, looksLikeH2, HPACK_COMPLETE, HPACK_DESYNC } from "./h2";
import { takeBuf, freeBuf, bufPtr, bufGen } from "./buffers";
import { takeTable, table, tableGen } from "./hpackpool";
import { hpackDecode, hpackOutLen } from "./hpack";
import { classify, countUnknown, h2Request, interimStatus } from "./h2fields";
import { Why, skip } from "../flow/skips";
import { S } from "../facts/packet";
import * as F from "../facts/h2";
import { streamSet, reqSet, resSet, dataSet, HPACK_EVICTED } from "../facts/h2";
import { nowNs, startTimingNow, responseFirst, responseHead, timingOf, E_REQ_LAST, E_RES_LAST } from "../flow/timing";
import * as FT from "../facts/timing";

function addTo(set: StaticArray<u32>, n: i32, v: u32): i32 {
  for (let i = 0; i < n; i++) if (unchecked(set[i]) == v) return n;
  if (n >= MAX_STREAMS_LISTED) return n;
  // keep ascending order (the fixed rule for upstream's random set order)
  let j = n;
  while (j > 0 && unchecked(set[j - 1]) > v) { unchecked(set[j] = set[j - 1]); j--; }
  unchecked(set[j] = v);
  return n + 1;
}

// Decoded header fields go to the facts' arena (the renderer shows them after the packet); when
// it has no room for a block, to this scratch, and the frame is not described.
const DECODED: usize = heap.alloc(<usize>(MAX_HEAD * 2));

export function feedH2(c: Conn, dir: i32, p: usize, len: i32): void {
  const d = unchecked(c.d[dir]);
  S.h2Size += len;
  if (d.h2st == H2_SYNC) {
    if (isPreface(p, len)) h2Start(d, true);
    else if (looksLikeH2(p, len)) d.h2st = 0;
    else { if (len > 0) S.l7Raw = true; return; }
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

// Results of headerBlock() for the frame being described.
let decoded = false;     // the block was HPACK-decoded (fields in [decodedAt, decodedAt + decodedLen))
let decodedAt: usize = 0;
let decodedInArena = false; // decodedAt is the arena's next free byte (else DECODED)
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
  decodedInArena = F.arenaRoom(MAX_HEAD * 2);
  decodedAt = decodedInArena ? F.arenaNext() : DECODED;
  const r = hpackDecode(table(d.hpack), bufPtr(d.blockBuf), d.blockLen, decodedAt, MAX_HEAD * 2);
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
    d.blockWhy = Why.NONE; d.blockOpen = true; d.blkBytes = flen;
    if (d.blockBuf >= 0) d.blockGen = bufGen(d.blockBuf); else d.blockWhy = Why.NO_BUFFER;
  } else if (!d.blockOpen) {
    // A CONTINUATION whose HEADERS was not seen (lost, or before the capture began): its
    // block's insertions are lost.
    if ((flags & 4) != 0) forgetTable(d);
    return;
  } else d.blkBytes += flen;
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
  if (decoded) unknownFields = countUnknown(decodedAt, decodedLen);
  if (unknownFields > 0 && d.hpackGap == HPACK_DESYNC) skip(Why.HPACK_DESYNC);
  const bs = d.blockStream;
  if (bs == 0) return; // a PUSH_PROMISE: decoded for the table's sake, not paired
  // What the block is: its pseudo-header fields say; when they could not be read, the
  // stream's state does (RFC 9113 §8.1: a request or response head first, then trailers).
  let exIdx = c.findStream(bs);
  const client = fromClient(c, dir, bs);
  blockKind = decoded ? classify(decodedAt, decodedLen) : 0;
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
    startTimingNow(c, e);
    if (decoded) h2Request(decodedAt, decodedLen, e); else { e.trace.clear(); e.methodLen = 0; e.urlLen = 0; }
    S.reqSetN = addTo(reqSet, S.reqSetN, bs);
  } else if (blockKind == 2) {
    if (exIdx >= 0) {
      const e = ex(exIdx);
      e.hasRes = true;
      responseFirst(e, nowNs());
      // A 1xx head is interim (RFC 9113 §8.1): the final one answers.
      if (!decoded || !interimStatus(decodedAt, decodedLen)) { e.answered = true; responseHead(e); }
    } else if (c.streamsLost && blockWhy == Why.NONE) blockWhy = Why.REQUEST_RECLAIMED;
    S.resSetN = addTo(resSet, S.resSetN, bs);
  }
  // The block's frames count to its stream's bytes (README "Exchange timing").
  if (exIdx >= 0) { if (client) ex(exIdx).reqBytes += <i64>d.blkBytes; else ex(exIdx).resBytes += <i64>d.blkBytes; }
  if ((d.blockFlags & 1) != 0 && exIdx >= 0) streamEnded(c, exIdx, client);
}

// END_STREAM from the client or the server (or a RST_STREAM: both) on exchange i's stream; the
// exchange is finished when both ends are. The response's END_STREAM ends the stream's timing:
// this record shows it in `timing.streams`.
function streamEnded(c: Conn, i: i32, client: bool): void {
  const e = ex(i);
  if (client) {
    e.reqEnded = true;
    if ((e.tbits & E_REQ_LAST) == 0) { e.reqLastNs = nowNs(); e.tbits |= E_REQ_LAST; }
  } else {
    e.resEnded = true;
    if ((e.tbits & E_RES_LAST) == 0) { e.resLastNs = nowNs(); e.tbits |= E_RES_LAST; timingOf(c, e, FT.TimingKind.STREAM, false); }
  }
  if (e.reqEnded && e.resEnded) finish(i);
}

// A RST_STREAM (RFC 9113 §6.4) ends exchange i's stream: its timing so far, with the error code
// when the frame's 4 bytes are here.
function streamReset(c: Conn, i: i32, fp: usize, favail: i32): void {
  const e = ex(i);
  const slot = timingOf(c, e, FT.TimingKind.STREAM, false);
  if (slot >= 0) {
    unchecked(FT.tReset[slot] = 3);
    if (favail >= 4) { unchecked(FT.tResetCode[slot] = bswap<u32>(load<u32>(fp))); unchecked(FT.tBits[slot] = unchecked(FT.tBits[slot]) | FT.T_CODE); }
  }
  e.reqEnded = true; e.resEnded = true;
  finish(i);
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
    if (type == Frame.DATA) {
      const client = fromClient(c, dir, stream);
      if (client) ex(exIdx).reqBytes += <i64>flen; else ex(exIdx).resBytes += <i64>flen;
      if ((flags & 1) != 0) streamEnded(c, exIdx, client);
    } else if (type == Frame.RST_STREAM) streamReset(c, exIdx, fp, favail);
  }
  // Why fields could not be resolved: the table joined late, missed insertions, or could not
  // hold the entries in its HPACK_TABLE_BYTES (hpack.ts: older references become unknown).
  const hpackWhy: u8 = unknownFields == 0 ? 0 : d.hpackGap != HPACK_COMPLETE ? d.hpackGap : HPACK_EVICTED;
  const frameWhy = isBlock && (flags & 4) != 0 ? blockWhy : Why.NONE;
  describe(c, d, type, flags, stream, flen, fp, favail, exIdx, kind, hpackWhy, frameWhy, isBlock && (flags & 4) != 0);
}

// Whether p lies in the current packet's payload (valid until the record is rendered); frame
// bytes elsewhere are in a buffer the next frame may reuse.
@inline function inPayload(p: usize, n: i32): bool { return p >= S.payload && p + <usize>n <= S.payload + <usize>S.payloadLen; }

// Bytes [p, p+n) for the renderer: in place when they outlive the packet's analysis, else
// copied to the arena (0 when it has no room: the frame is not described).
function keep(p: usize, n: i32): usize {
  if (n <= 0 || inPayload(p, n)) return p;
  if (!F.arenaRoom(n)) return 0;
  const o = F.arenaNext();
  memory.copy(o, p, <usize>n); F.arenaTake(n);
  return o;
}

// Describes the frame for the renderer (facts/h2.ts): what the record's frame object shows.
function describe(c: Conn, d: Dir, type: u32, flags: u32, stream: u32, flen: u32, fp: usize, favail: i32,
  exIdx: i32, kind: i32, hpackWhy: u8, frameWhy: Why, ended: bool): void {
  const i = S.fragUsed;
  // Frames after one that could not be described are not described either: the record shows
  // the packet's first frames, in order.
  if (S.h2Cut || i >= MAX_FRAMES) { S.h2Cut = true; return; }
  let hdrOff = -1, hdrLen = 0;
  if (decoded && ended) {
    if (!decodedInArena) { S.h2Cut = true; return; }
    hdrOff = F.arenaTake(decodedLen); hdrLen = decodedLen;
  }
  let ptr: usize = 0, avail = 0, dataLen = 0;
  if (type == Frame.DATA) {
    // The data after the pad length and before the padding (RFC 9113 §6.1); the record shows
    // at most 512 bytes of it (json/http1.ts bodyObj).
    let dl = <i32>flen, pad = 0;
    if ((flags & 8) != 0 && favail >= 1) { pad = <i32>load<u8>(fp); dl = <i32>flen - 1 - pad; if (dl < 0) dl = 0; }
    const off = (flags & 8) != 0 ? 1 : 0;
    let have = favail - off; if (have > dl) have = dl; if (have < 0) have = 0;
    ptr = keep(fp + <usize>off, have < 512 ? have : 512);
    avail = have; dataLen = dl;
  } else if (type == Frame.SETTINGS && (flags & 1) == 0) { ptr = keep(fp, favail); avail = favail; }
  if (avail > 0 && ptr == 0) { S.h2Cut = true; return; }
  unchecked(F.fStream[i] = stream); unchecked(F.fType[i] = <u8>type); unchecked(F.fFlags[i] = <u8>flags); unchecked(F.fLen[i] = flen);
  unchecked(F.fKind[i] = <u8>kind); unchecked(F.fHpack[i] = hpackWhy); unchecked(F.fWhy[i] = <u8>frameWhy); unchecked(F.fUnknown[i] = unknownFields);
  unchecked(F.fHdrOff[i] = hdrOff); unchecked(F.fHdrLen[i] = hdrLen);
  unchecked(F.fPtr[i] = ptr); unchecked(F.fAvail[i] = avail); unchecked(F.fDataLen[i] = dataLen);
  unchecked(F.fTraceOff[i] = -1);
  if (exIdx >= 0 && !c.untracked) {
    const t = ex(exIdx).trace;
    if (t.valid) {
      if (!F.arenaRoom(t.traceLen)) { S.h2Cut = true; return; }
      const o = F.arenaTake(t.traceLen);
      memory.copy(F.ARENA + <usize>o, t.traceBuf, <usize>t.traceLen);
      unchecked(F.fTraceOff[i] = o); unchecked(F.fTraceLen[i] = t.traceLen);
      unchecked(F.fSpan[i] = t.span); unchecked(F.fTraceBits[i] = <u8>((t.hasSpan ? 1 : 0) | (t.sampled ? 2 : 0)));
    }
  }
  S.fragUsed++;
}

