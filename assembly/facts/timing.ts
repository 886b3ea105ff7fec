// The exchange timings the current packet's record shows (README "Output", `timing`): what the
// analysis (flow/timing.ts) measured of an HTTP/1 exchange or HTTP/2 stream that ended in this
// packet — or of a TLS handshake that completed in it — copied here so that json/timing.ts can
// render it without reading the analysis' state. The slot timingTop is the record's top-level
// `timing` (HTTP/1, TLS); further HTTP/1 exchanges ending in the packet are its `more`, HTTP/2
// streams its `streams`. At most MAX_TIMINGS per packet; those beyond are counted in timingLost.
// Times are capture times in nanoseconds (seconds·10⁹ + nanoseconds), valid when tBits says so
// (a capture's clock may read 0: no time is its own "unknown").

import { MAX_TIMINGS } from "../config";

/** What a slot describes. */
export const enum TimingKind { EXCHANGE = 0, TLS = 1, STREAM = 2 }

/** tBits: which times and serials of a slot are known. */
export const T_SYN: u16 = 1, T_SYNACK: u16 = 2, T_ACK: u16 = 4, T_REQ_LAST: u16 = 8, T_RES_FIRST: u16 = 16,
  T_RES_LAST: u16 = 32, T_REQ_NUM: u16 = 64, T_RES_NUM: u16 = 128, T_START: u16 = 256, T_CODE: u16 = 512;

/** Slots in use for this packet (the analysis resets it per packet). */
export let timingN: i32 = 0;
/** The slot of the record's top-level `timing` (-1: none). */
export let timingTop: i32 = -1;
/** Exchanges (HTTP/1) and streams (HTTP/2) that ended in this packet but found no slot. */
export let timingLostEx: i32 = 0;
export let timingLostStreams: i32 = 0;

/** What each slot describes (TimingKind). */
export const tKind = new StaticArray<u8>(MAX_TIMINGS);
/** Which of the slot's times and serials are known (T_*). */
export const tBits = new StaticArray<u16>(MAX_TIMINGS);
/** The request's first byte (start), its last; the response's first and last. */
export const tReqFirst = new StaticArray<i64>(MAX_TIMINGS);
export const tReqLast = new StaticArray<i64>(MAX_TIMINGS);
export const tResFirst = new StaticArray<i64>(MAX_TIMINGS);
export const tResLast = new StaticArray<i64>(MAX_TIMINGS);
/** Bytes of the request and of the response. */
export const tReqBytes = new StaticArray<i64>(MAX_TIMINGS);
export const tResBytes = new StaticArray<i64>(MAX_TIMINGS);
/** Serials (pcap.num) of the records with the request head and the final response head. */
export const tReqNum = new StaticArray<u64>(MAX_TIMINGS);
export const tResNum = new StaticArray<u64>(MAX_TIMINGS);
/** The connection's SYN, SYN/ACK and handshake ACK (T_SYN clear: no `connect`). */
export const tSyn = new StaticArray<i64>(MAX_TIMINGS);
export const tSynAck = new StaticArray<i64>(MAX_TIMINGS);
export const tAck = new StaticArray<i64>(MAX_TIMINGS);
/** TLS: the ClientHello's first byte and the client's first application-data record. */
export const tTlsStart = new StaticArray<i64>(MAX_TIMINGS);
export const tTlsEnd = new StaticArray<i64>(MAX_TIMINGS);
/** Segments the client / the server sent during the exchange: retransmitted, out of order, advertising a zero window. */
export const tRetrC = new StaticArray<u32>(MAX_TIMINGS);
export const tRetrS = new StaticArray<u32>(MAX_TIMINGS);
export const tOooC = new StaticArray<u32>(MAX_TIMINGS);
export const tOooS = new StaticArray<u32>(MAX_TIMINGS);
export const tZwC = new StaticArray<u32>(MAX_TIMINGS);
export const tZwS = new StaticArray<u32>(MAX_TIMINGS);
/** Who reset: 0 nobody, 1 the client, 2 the server (the connection, by a TCP RST), 3 the stream (RST_STREAM, code in tResetCode). */
export const tReset = new StaticArray<u8>(MAX_TIMINGS);
/** HTTP/2: the stream id; an RST_STREAM's error code (RFC 9113 §7). */
export const tStream = new StaticArray<u32>(MAX_TIMINGS);
export const tResetCode = new StaticArray<u32>(MAX_TIMINGS);

/** Empties the table (a new packet). */
@inline export function timingReset(): void { timingN = 0; timingTop = -1; timingLostEx = 0; timingLostStreams = 0; }
/** Takes a slot (-1 when the packet's MAX_TIMINGS are used: the caller counts it lost). */
export function timingTake(): i32 { if (timingN >= MAX_TIMINGS) return -1; return timingN++; }
/** Makes slot i the record's top-level `timing`. */
@inline export function timingSetTop(i: i32): void { timingTop = i; }
/** An HTTP/1 exchange / an HTTP/2 stream ended here but found no slot. */
export function timingLoseEx(): void { timingLostEx++; }
export function timingLoseStream(): void { timingLostStreams++; }
