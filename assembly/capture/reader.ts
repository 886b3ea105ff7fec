// Streaming capture reader: classic pcap (both byte orders, microsecond, nanosecond and
// Kuznetzov "modified" magics) and pcapng (draft-ietf-opsawg-pcapng: SHB in either byte order,
// several sections, IDB with if_tsresol / if_tsoffset / if_name, EPB, SPB, the obsolete PB;
// NRB, ISB, DSB, custom and unknown blocks skipped). The format is detected from the magic.
// One local-use block is read: tracecap's source block, which a merged capture (src/merge.ts)
// puts before the packets of each file, naming the file they come from.
//
// Contract: the host appends bytes at inPtr() (at most inCap() of them) and calls append(n);
// next() then yields packets one at a time, entirely from the input window, until it needs
// more bytes. A block or record that straddles chunks stays in the window: compact() moves the
// unread tail to the front, so memory never grows with the file (a block is at most MAX_BLOCK).
// Errors are sticky: the first one is kept with the byte offset of the damaged record.

import { IN_CAP, MAX_BLOCK, MAX_PACKET, MAX_INTERFACES, MAX_IFNAME, MAX_FILE_NAME } from "../config";
import { Err } from "../errors";
import { rd16, rd32, le32 } from "../util/mem";

/** Result of next(). */
export const enum Next { PACKET = 0, NEED_MORE = 1, ERROR = 2 }

const enum State { DETECT, PCAP_HEADER, PCAP_RECORD, PCAPNG_BLOCK, ERROR }

/** Start of the input window. */
export const IN_BASE: usize = heap.alloc(<usize>IN_CAP);
let rd: usize = 0;       // read offset within the window
let wr: usize = 0;       // end of valid bytes within the window
let base: u64 = 0;       // file offset of IN_BASE
let state = State.DETECT;
let eof = false;

/** Sticky error code (Err.OK when none). */
export let errCode: i32 = Err.OK;
/** File offset of the record or block where the error was found. */
export let errOffset: u64 = 0;
/** Number of packets read so far (1-based number of the last one). */
export let packetCount: u64 = 0;

// classic pcap
let big = false;
let recHdr: usize = 16;
let nanos = false;
let pcapLink: u32 = 0;
let pcapSnap: u32 = 0;

// pcapng: per-interface tables of the current section
let ifCount: i32 = 0;
const ifLink = new StaticArray<u32>(MAX_INTERFACES);
const ifSnap = new StaticArray<u32>(MAX_INTERFACES);
const ifResol = new StaticArray<u64>(MAX_INTERFACES); // units per second
const ifPow2 = new StaticArray<u8>(MAX_INTERFACES);   // resolution is 2^-n (n stored) instead of 10^-n
const ifOffset = new StaticArray<i64>(MAX_INTERFACES); // if_tsoffset seconds
const ifNameLen = new StaticArray<u8>(MAX_INTERFACES);
const IF_NAMES: usize = heap.alloc(<usize>(MAX_INTERFACES * MAX_IFNAME));
/** Sections seen so far (pcapng); interface ids restart in each. */
export let sectionCount: i32 = 0;

/**
 * tracecap's source block (src/merge.ts SOURCE_BLOCK): a block type of pcapng's local-use range
 * (the most significant bit set), its body a magic, the file's number and its name (UTF-8).
 */
export const SOURCE_BLOCK: u32 = 0x80000f11;
/** The body's first 4 bytes ("tcap"): a foreign local block of the same type is skipped. */
export const SOURCE_MAGIC: u32 = 0x70616374;
/** The file the packets read now come from (0-based), in a merged capture; -1 in any other. */
export let srcFile: i32 = -1;
/** Its name (srcNameLen bytes, at most MAX_FILE_NAME). */
export const SRC_NAME: usize = heap.alloc(<usize>MAX_FILE_NAME);
export let srcNameLen: i32 = 0;
/** Changes with every source block read, so a renderer knows when to escape the name again. */
export let srcGen: u32 = 0;

// The packet just read.
/** Address of the packet's captured bytes (inside the input window). */
export let pktPtr: usize = 0;
/** Captured length. */
export let pktCapLen: i32 = 0;
/** Original (wire) length. */
export let pktOrigLen: u32 = 0;
/** Capture time, seconds since the Unix epoch. */
export let pktSec: i64 = 0;
/** Capture time, nanoseconds within the second (0..999999999). */
export let pktNsec: i32 = 0;
/** Link-layer type (LINKTYPE_*). */
export let pktLink: u32 = 0;
/** Interface id within the section (0 for classic pcap). */
export let pktIface: i32 = 0;
/** File offset of the packet just read's captured bytes. */
export function pktFileOffset(): u64 { return base + <u64>(pktPtr - IN_BASE); }
/** Whether the capture format is pcapng. */
export let isNg = false;
/** Whether the file (pcap) or the current section (pcapng) is big-endian: the capturing host's byte order, as NFLOG's TLVs are. */
export function bigEndian(): bool { return big; }

/** Where the host writes the next chunk. */
export function inPtr(): usize { return IN_BASE + wr; }
/** How many bytes the host may write at inPtr(). */
export function inCap(): i32 { return <i32>(<usize>IN_CAP - wr); }
/** Makes n more bytes at inPtr() part of the stream. */
export function append(n: i32): void { if (n > 0 && n <= inCap()) wr += <usize>n; }

/** Moves the unread tail to the start of the window, so inCap() is as large as it can be. */
export function compact(): void {
  if (rd == 0) return;
  const left = wr - rd;
  if (left > 0) memory.copy(IN_BASE, IN_BASE + rd, left);
  base += <u64>rd;
  rd = 0; wr = left;
}

/** Forgets everything: a new capture starts. */
export function resetReader(): void {
  rd = 0; wr = 0; base = 0; state = State.DETECT; eof = false;
  errCode = Err.OK; errOffset = 0; packetCount = 0; ifCount = 0; sectionCount = 0; isNg = false;
  srcFile = -1; srcNameLen = 0; srcGen++;
}

/** Name of interface i of the current section (pcapng if_name) as (pointer, length). */
export function ifNamePtr(i: i32): usize { return IF_NAMES + <usize>(i * MAX_IFNAME); }
/** Length of the name of interface i (0 when the IDB had none). */
export function ifNameLength(i: i32): i32 { return i >= 0 && i < ifCount ? <i32>unchecked(ifNameLen[i]) : 0; }

function fail(code: i32, at: usize): Next {
  errCode = code; errOffset = base + <u64>at; state = State.ERROR;
  return Next.ERROR;
}

/**
 * End of input. Returns Err.OK if the stream ended on a record boundary, else the error
 * (truncation, or an empty or headerless input).
 */
export function finishReader(): i32 {
  eof = true;
  if (state == State.ERROR) return errCode;
  if (rd < wr) { fail(state == State.DETECT ? (wr - rd < 4 ? Err.NOT_A_CAPTURE : Err.TRUNCATED) : Err.TRUNCATED, rd); return errCode; }
  if (state == State.DETECT) { fail(base == 0 ? Err.EMPTY : Err.TRUNCATED, rd); return errCode; }
  if (state == State.PCAP_HEADER) { fail(Err.TRUNCATED, rd); return errCode; }
  return Err.OK;
}

/** Reads the next packet, if the window holds a complete one. */
export function next(): Next {
  while (true) {
    const avail = <i32>(wr - rd);
    const p = IN_BASE + rd;
    switch (state) {
      case State.ERROR: return Next.ERROR;
      case State.DETECT: {
        if (avail < 4) return Next.NEED_MORE;
        const m = le32(p);
        if (m == 0xa1b2c3d4 || m == 0xd4c3b2a1 || m == 0xa1b23c4d || m == 0x4d3cb2a1 || m == 0xa1b2cd34 || m == 0x34cdb2a1) {
          big = m == 0xd4c3b2a1 || m == 0x4d3cb2a1 || m == 0x34cdb2a1;
          nanos = m == 0xa1b23c4d || m == 0x4d3cb2a1;
          recHdr = m == 0xa1b2cd34 || m == 0x34cdb2a1 ? 24 : 16;
          state = State.PCAP_HEADER; isNg = false;
          continue;
        }
        if (m == 0x0a0d0d0a) { state = State.PCAPNG_BLOCK; isNg = true; continue; }
        return fail(Err.NOT_A_CAPTURE, rd);
      }
      case State.PCAP_HEADER: {
        if (avail < 24) return Next.NEED_MORE;
        const major = rd16(p + 4, big);
        if (major != 2) return fail(Err.BAD_VERSION, rd);
        pcapSnap = rd32(p + 16, big);
        // The top bits of the link-type field carry FCS information (pcap spec, "LinkType").
        pcapLink = rd32(p + 20, big) & 0x0fffffff;
        rd += 24; state = State.PCAP_RECORD;
        continue;
      }
      case State.PCAP_RECORD: {
        if (avail < <i32>recHdr) return Next.NEED_MORE;
        const cap = rd32(p + 8, big);
        if (cap > <u32>MAX_PACKET) return fail(Err.PACKET_TOO_LARGE, rd);
        if (avail < <i32>recHdr + <i32>cap) return Next.NEED_MORE;
        const sec = rd32(p, big), frac = rd32(p + 4, big);
        pktSec = <i64>sec;
        // A fraction out of range (broken writers) carries into the seconds, as libpcap does.
        const ns: u64 = nanos ? <u64>frac : <u64>frac * 1000;
        pktSec += <i64>(ns / 1000000000);
        pktNsec = <i32>(ns % 1000000000);
        pktCapLen = <i32>cap;
        pktOrigLen = rd32(p + 12, big);
        pktPtr = p + recHdr;
        pktLink = pcapLink; pktIface = 0;
        rd += recHdr + <usize>cap;
        packetCount++;
        return Next.PACKET;
      }
      case State.PCAPNG_BLOCK: {
        if (avail < 8) return Next.NEED_MORE;
        const type = le32(p); // 0x0A0D0D0A reads the same in either order
        if (type == 0x0a0d0d0a) {
          if (avail < 12) return Next.NEED_MORE;
          const bom = le32(p + 8);
          if (bom == 0x1a2b3c4d) big = false;
          else if (bom == 0x4d3c2b1a) big = true;
          else return fail(Err.BAD_BYTE_ORDER, rd);
        }
        const btype = rd32(p, big);
        const blen = rd32(p + 4, big);
        if (blen < 12 || (blen & 3) != 0) return fail(Err.BAD_BLOCK_LENGTH, rd);
        if (blen > <u32>MAX_BLOCK) return fail(Err.BLOCK_TOO_LARGE, rd);
        if (avail < <i32>blen) return Next.NEED_MORE;
        if (rd32(p + blen - 4, big) != blen) return fail(Err.BLOCK_LENGTH_MISMATCH, rd);
        const r = block(btype, p, <i32>blen);
        if (r == Next.ERROR) return r;
        rd += <usize>blen;
        if (r == Next.PACKET) { packetCount++; return r; }
        continue;
      }
    }
  }
}

// Handles one complete pcapng block at p. Returns PACKET, NEED_MORE (= skipped) or ERROR.
function block(btype: u32, p: usize, blen: i32): Next {
  const body = p + 8;
  const blen8 = blen - 12; // body length
  switch (btype) {
    case 0x0a0d0d0a: { // Section Header Block
      if (blen8 < 16) return fail(Err.BAD_BLOCK, rd);
      if (rd16(body + 4, big) != 1) return fail(Err.BAD_VERSION, rd);
      ifCount = 0; sectionCount++;
      if (srcFile >= 0) { srcFile = -1; srcNameLen = 0; srcGen++; }
      return Next.NEED_MORE;
    }
    case 1: { // Interface Description Block
      if (blen8 < 8) return fail(Err.BAD_BLOCK, rd);
      if (ifCount >= MAX_INTERFACES) return fail(Err.TOO_MANY_INTERFACES, rd);
      const i = ifCount++;
      unchecked(ifLink[i] = rd16(body, big));
      unchecked(ifSnap[i] = rd32(body + 4, big));
      unchecked(ifResol[i] = 1000000);
      unchecked(ifPow2[i] = 0);
      unchecked(ifOffset[i] = 0);
      unchecked(ifNameLen[i] = 0);
      readIdbOptions(i, body + 8, blen8 - 8);
      return Next.NEED_MORE;
    }
    case 6: { // Enhanced Packet Block
      if (blen8 < 20) return fail(Err.BAD_BLOCK, rd);
      const iface = rd32(body, big);
      if (iface >= <u32>ifCount) return fail(Err.UNKNOWN_INTERFACE, rd);
      const cap = rd32(body + 12, big);
      if (cap > <u32>MAX_PACKET) return fail(Err.PACKET_TOO_LARGE, rd);
      if (<i64>cap > <i64>(blen8 - 20)) return fail(Err.BAD_SNAPLEN, rd);
      setTime(<i32>iface, (<u64>rd32(body + 4, big) << 32) | <u64>rd32(body + 8, big));
      pktCapLen = <i32>cap; pktOrigLen = rd32(body + 16, big);
      pktPtr = body + 20; pktIface = <i32>iface; pktLink = unchecked(ifLink[iface]);
      return Next.PACKET;
    }
    case 3: { // Simple Packet Block: interface 0, no timestamp
      if (blen8 < 4) return fail(Err.BAD_BLOCK, rd);
      if (ifCount < 1) return fail(Err.UNKNOWN_INTERFACE, rd);
      const orig = rd32(body, big);
      let cap = orig;
      const snap = unchecked(ifSnap[0]);
      if (snap != 0 && cap > snap) cap = snap;
      if (cap > <u32>(blen8 - 4)) cap = <u32>(blen8 - 4);
      if (cap > <u32>MAX_PACKET) return fail(Err.PACKET_TOO_LARGE, rd);
      pktSec = 0; pktNsec = 0;
      pktCapLen = <i32>cap; pktOrigLen = orig;
      pktPtr = body + 4; pktIface = 0; pktLink = unchecked(ifLink[0]);
      return Next.PACKET;
    }
    case 2: { // Packet Block (obsolete): 16-bit interface id and drops count
      if (blen8 < 20) return fail(Err.BAD_BLOCK, rd);
      const iface = rd16(body, big);
      if (iface >= <u32>ifCount) return fail(Err.UNKNOWN_INTERFACE, rd);
      const cap = rd32(body + 12, big);
      if (cap > <u32>MAX_PACKET) return fail(Err.PACKET_TOO_LARGE, rd);
      if (<i64>cap > <i64>(blen8 - 20)) return fail(Err.BAD_SNAPLEN, rd);
      setTime(<i32>iface, (<u64>rd32(body + 4, big) << 32) | <u64>rd32(body + 8, big));
      pktCapLen = <i32>cap; pktOrigLen = rd32(body + 16, big);
      pktPtr = body + 20; pktIface = <i32>iface; pktLink = unchecked(ifLink[iface]);
      return Next.PACKET;
    }
    case SOURCE_BLOCK: {
      if (blen8 < 8 || rd32(body, big) != SOURCE_MAGIC) return Next.NEED_MORE;
      srcFile = <i32>(rd32(body + 4, big) & 0x7fffffff);
      srcNameLen = cutName(body + 8, blen8 - 8, MAX_FILE_NAME);
      memory.copy(SRC_NAME, body + 8, <usize>srcNameLen);
      srcGen++;
      return Next.NEED_MORE;
    }
  }
  // NRB (4), ISB (5), DSB (10), custom (0xBAD, 0x40000BAD) and unknown blocks: skipped whole.
  return Next.NEED_MORE;
}

// Converts a timestamp in interface units to seconds + nanoseconds, as wiretap does:
// secs = ts / units, nsecs = (ts % units) * 1e9 / units (floor).
function setTime(i: i32, ts: u64): void {
  const units = unchecked(ifResol[i]);
  const rem = ts % units;
  let ns: u64;
  if (unchecked(ifPow2[i]) == 0) {
    // 10^-n: exact in both directions.
    ns = units <= 1000000000 ? rem * (1000000000 / units) : rem / (units / 1000000000);
  } else {
    // 2^-n: rem < 2^n, so rem * 1e9 fits in 64 bits while n <= 34; beyond, drop sub-ns bits first.
    const n = <u64>ctz<u64>(units);
    ns = n <= 34 ? rem * 1000000000 >> n : ((rem >> (n - 34)) * 1000000000) >> 34;
  }
  pktSec = <i64>(ts / units) + unchecked(ifOffset[i]);
  pktNsec = <i32>ns;
}

// IDB options (pcapng §4.2): if_name (2), if_tsresol (9), if_tsoffset (14).
function readIdbOptions(i: i32, p: usize, len: i32): void {
  let off = 0;
  while (off + 4 <= len) {
    const code = rd16(p + off, big);
    const olen = <i32>rd16(p + off + 2, big);
    if (code == 0) break;
    const v = p + off + 4;
    if (off + 4 + olen > len) break;
    if (code == 9 && olen >= 1) {
      const r = <u32>load<u8>(v);
      const n = r & 0x7f;
      if ((r & 0x80) != 0) {
        if (n <= 63) { unchecked(ifResol[i] = <u64>1 << <u64>n); unchecked(ifPow2[i] = 1); }
      } else if (n <= 19) {
        let u: u64 = 1;
        for (let k: u32 = 0; k < n; k++) u *= 10;
        unchecked(ifResol[i] = u);
      }
    } else if (code == 14 && olen >= 8) {
      unchecked(ifOffset[i] = <i64>((<u64>rd32(big ? v : v + 4, big) << 32) | <u64>rd32(big ? v + 4 : v, big)));
    } else if (code == 2 && olen > 0) {
      const n = cutName(v, olen, MAX_IFNAME);
      memory.copy(IF_NAMES + <usize>(i * MAX_IFNAME), v, <usize>n);
      unchecked(ifNameLen[i] = <u8>n);
    }
    off += 4 + ((olen + 3) & ~3);
  }
}

// Length of the UTF-8 name of n bytes at v to keep: without the NULs some writers pad it with,
// cut to at most max bytes at a character boundary.
function cutName(v: usize, n: i32, max: i32): i32 {
  while (n > 0 && load<u8>(v + <usize>(n - 1)) == 0) n--;
  if (n > max) {
    n = max;
    while (n > 0 && (load<u8>(v + <usize>n) & 0xc0) == 0x80) n--;
  }
  return n;
}
