/**
 * The record index (assembly/record/entry.ts): one fixed-size little-endian entry per record,
 * delivered by Translator.setIndexSink. Offsets of HTTP and trace are within the record's line.
 */

/** Bytes of one entry. */
export const ENTRY_BYTES = 128;

/** Field offsets within an entry (see assembly/record/entry.ts for the layout). */
export const Entry = {
  RECORD_LEN: 0, HTTP_OFF: 4, HTTP_LEN: 8, TRACE_OFF: 12, TRACE_LEN: 16, SPORT: 20, DPORT: 22,
  SERIAL: 24, SEC: 32, NSEC: 40, CAP_LEN: 44, ORIG_LEN: 48, NET: 52, PROTO: 53, TCP_FLAGS: 54,
  ERROR: 55, FLOW: 56, FILE_OFFSET: 64, SRC: 72, DST: 88, KIND: 104, MESSAGE_OFF: 108, MESSAGE_LEN: 112, PART: 116, FILE: 118, TIMING_OFF: 120, TIMING_LEN: 124,
} as const;

/** The PART byte of an entry whose packet has no connection part (not a TCP packet analysed at DEBUG). */
export const NO_PART = 0xff;

/** The `net` byte of an entry. */
export const EntryNet = { NONE: 0, ARP: 1, IPV4: 4, IPV6: 6 } as const;

/** One entry, decoded (for tests and small hosts; a large host reads the fields it needs in place). */
export interface IndexEntry {
  recordLength: number; http?: [offset: number, length: number]; trace?: [offset: number, length: number];
  serial: number; seconds: number; nanos: number; capLen: number; origLen: number;
  net: number; proto: number; tcpFlags: number; error: boolean; flow: bigint; fileOffset: number;
  src: Uint8Array; dst: Uint8Array; sport: number; dport: number; kind: number;
  /** The message text's span within the line (JSON-escaped, between its quotes); absent without a message. */
  message?: [offset: number, length: number];
  /** The connection part (Translator.setShard), or NO_PART. */
  part: number;
  /** The packet's file in a merged capture (src/merge.ts: its position in the list), or -1 for any other capture. */
  file: number;
  /** The top-level `timing` object's span within the line (README "Exchange timing"); absent without one. */
  timing?: [offset: number, length: number];
}

/** Decodes entry i of a batch. */
export function decodeEntry(entries: Uint8Array, i: number): IndexEntry {
  const v = new DataView(entries.buffer, entries.byteOffset + i * ENTRY_BYTES, ENTRY_BYTES);
  const httpLen = v.getUint32(Entry.HTTP_LEN, true);
  const traceLen = v.getUint32(Entry.TRACE_LEN, true);
  const net = v.getUint8(Entry.NET);
  const alen = net === EntryNet.IPV4 ? 4 : net === EntryNet.IPV6 ? 16 : 0;
  const at = i * ENTRY_BYTES;
  return {
    recordLength: v.getUint32(Entry.RECORD_LEN, true),
    ...(httpLen ? { http: [v.getUint32(Entry.HTTP_OFF, true), httpLen] as [number, number] } : {}),
    ...(traceLen ? { trace: [v.getUint32(Entry.TRACE_OFF, true), traceLen] as [number, number] } : {}),
    serial: v.getFloat64(Entry.SERIAL, true), seconds: v.getFloat64(Entry.SEC, true), nanos: v.getUint32(Entry.NSEC, true),
    capLen: v.getUint32(Entry.CAP_LEN, true), origLen: v.getUint32(Entry.ORIG_LEN, true),
    net, proto: v.getUint8(Entry.PROTO), tcpFlags: v.getUint8(Entry.TCP_FLAGS), error: v.getUint8(Entry.ERROR) === 1,
    flow: v.getBigUint64(Entry.FLOW, true), fileOffset: v.getFloat64(Entry.FILE_OFFSET, true),
    src: entries.slice(at + Entry.SRC, at + Entry.SRC + alen),
    dst: entries.slice(at + Entry.DST, at + Entry.DST + alen),
    sport: v.getUint16(Entry.SPORT, true), dport: v.getUint16(Entry.DPORT, true), kind: v.getUint32(Entry.KIND, true),
    ...(v.getUint32(Entry.MESSAGE_LEN, true) ? { message: [v.getUint32(Entry.MESSAGE_OFF, true), v.getUint32(Entry.MESSAGE_LEN, true)] as [number, number] } : {}),
    part: v.getUint8(Entry.PART),
    file: v.getUint16(Entry.FILE, true) - 1,
    ...(v.getUint32(Entry.TIMING_LEN, true) ? { timing: [v.getUint32(Entry.TIMING_OFF, true), v.getUint32(Entry.TIMING_LEN, true)] as [number, number] } : {}),
  };
}
