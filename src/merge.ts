/**
 * Several capture files read as one (issue 23), merged by time stamp as mergecap merges them:
 * pcap and pcapng files in, one pcapng stream out for the core's unchanged reader. Runtime-
 * agnostic: each file is handed in as a name and a read function (MergeFile).
 *
 * The stream: a Section Header Block; the merged interfaces; an Enhanced Packet Block per
 * packet, in time order; and, wherever the next packet comes from another file than the last,
 * tracecap's source block naming that file (assembly/capture/reader.ts SOURCE_BLOCK), which the
 * core turns into the records' `file` key and the index entries' FILE.
 *
 * Interfaces, as mergecap's default IDB merge mode "all": when every file starts (before its
 * first packet) with the same list of interfaces, interface i of each file is interface i of
 * the merged capture — rotated files of one interface stay one interface, so the connection
 * keys and `meta.flow`, which include the interface, do not split. Otherwise the files'
 * interfaces are numbered one after another, file by file. An interface a file describes later
 * is, in the first case, the same as an equal one already merged, else a new one.
 *
 * Order: a k-way merge that holds one packet per file, each file taken to be in time order
 * (as mergecap: a file out of order stays so). Equal time stamps go in file order: the
 * earlier file's packet first — mergecap 4.0 puts the later file's first, which would swap two
 * packets of a capture rotated between them.
 *
 * Memory: per file a buffer that holds its next record or block (64 KiB, at most MAX_BLOCK),
 * whatever the files' sizes; at most MAX_MERGE_FILES files.
 *
 * Errors are values: every check of the core's reader is made here on each file, with the same
 * codes, so that a damaged file is named with its own byte offset and packet number
 * (MergeFailure). Its packets before the damage are merged, and the other files go on to their
 * end; the stream itself stays a whole capture.
 */
import { ErrCode } from './errors.js';
import { pcapngSectionHeader, PCAPNG_EPB, PCAPNG_IDB, PCAPNG_SHB } from './pcapfile.js';

/** Most files merged into one capture: each has a read buffer and, in Node, an open descriptor. */
export const MAX_MERGE_FILES = 256;

// The core's limits (assembly/config.ts), checked here so that a file the core would refuse is
// refused naming the file; test/src/merge.test.ts checks that both agree.
/** Largest pcapng block (MAX_BLOCK). */
export const MERGE_MAX_BLOCK = 2 << 20;
/** Largest captured packet (MAX_PACKET). */
export const MERGE_MAX_PACKET = 262144;
/** Interfaces of a section, and so of the merged capture (MAX_INTERFACES). */
export const MERGE_MAX_INTERFACES = 1024;

/** tracecap's source block type (a pcapng local-use type) and the magic its body starts with. */
export const SOURCE_BLOCK = 0x80000f11;
export const SOURCE_MAGIC = 0x70616374;

/** Bytes a file's buffer starts with (it grows to hold a larger block, up to MERGE_MAX_BLOCK). */
const FILE_BUFFER_BYTES = 64 << 10;

/** One file to merge: the name records show (its base name), and how to read it. */
export interface MergeFile {
  /** The name the records' `file` key shows: the file's base name. */
  name: string;
  /** Reads the file's next bytes into `into` (at most its length); 0 at the end of the file. */
  read(into: Uint8Array): number | Promise<number>;
}

/** A file found damaged (or no capture): the core's error code, and where in that file. */
export interface MergeFailure {
  /** The file's position in the list. */
  file: number;
  name: string;
  /** ErrCode (src/errors.ts). */
  code: number;
  /** Byte offset of the damaged record or block in that file. */
  offset: number;
  /** Packets of that file read before the damage. */
  packets: number;
}

// ---- interfaces ------------------------------------------------------------------------------

/** An interface a file describes (a pcapng IDB, or a classic pcap's header). */
interface Iface {
  link: number;
  snap: number;
  /** Time units per second, 10^exp or with pow2 2^exp (pcapng if_tsresol; 10^6 by default). */
  units: number;
  exp: number;
  pow2: boolean;
  /** if_tsoffset, seconds. */
  offset: number;
  /** Options compared only when both interfaces have them (as mergecap does). */
  name: Uint8Array | null;
  description: Uint8Array | null;
  hardware: Uint8Array | null;
  os: Uint8Array | null;
  comment: Uint8Array | null;
  speed: bigint | null;
  fcslen: number | null;
  /** Byte offset of its block in its file, and the file's packets before it. */
  at: number;
  before: number;
  /** Its index in the merged capture; -1 until the merge places it. */
  merged: number;
}

const equalBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);
const bothEqual = <T>(a: T | null, b: T | null, eq: (a: T, b: T) => boolean) => a === null || b === null || eq(a, b);

/**
 * Whether two interfaces are one, by mergecap's rule (wiretap/merge.c is_duplicate_idb): link
 * type, snap length and time resolution equal, and name, description, hardware, OS, speed, FCS
 * length and comment equal where both give them. Unlike mergecap, the time offsets must be equal
 * too (each packet keeps its exact time), and equal FCS lengths count as equal (4.0 has them
 * the other way round).
 */
function sameIface(a: Iface, b: Iface): boolean {
  const same = (x: Uint8Array | null, y: Uint8Array | null) => bothEqual(x, y, equalBytes);
  return a.link === b.link && a.snap === b.snap && a.units === b.units && a.pow2 === b.pow2 && a.offset === b.offset
    && same(a.name, b.name) && same(a.description, b.description) && same(a.hardware, b.hardware) && same(a.os, b.os)
    && same(a.comment, b.comment) && bothEqual(a.speed, b.speed, (x, y) => x === y) && bothEqual(a.fcslen, b.fcslen, (x, y) => x === y);
}

function newIface(link: number, snap: number, at: number, before: number): Iface {
  return { link, snap, units: 1e6, exp: 6, pow2: false, offset: 0, name: null, description: null, hardware: null, os: null, comment: null, speed: null, fcslen: null, at, before, merged: -1 };
}

// ---- one file --------------------------------------------------------------------------------

const St = { DETECT: 0, PCAP_HEADER: 1, PCAP_RECORD: 2, BLOCK: 3, DONE: 4 } as const;
/** What FileReader.next() found. */
const Ev = { PACKET: 0, IFACE: 1, NEED: 2, DONE: 3 } as const;
type EvKind = (typeof Ev)[keyof typeof Ev];

const TWO_32 = 2 ** 32;

/**
 * One file's reader: the core's reader (assembly/capture/reader.ts) over a buffer of its own,
 * with the same checks in the same order and the same time stamp arithmetic. next() gives the
 * file's interfaces and packets one at a time; a packet's bytes stay in the buffer until the
 * next call.
 */
class FileReader {
  buf = new Uint8Array(FILE_BUFFER_BYTES);
  dv = new DataView(this.buf.buffer);
  rd = 0;
  wr = 0;
  /** File offset of buf[0]. */
  base = 0;
  eof = false;
  /** Bytes from rd the next record or block needs in the buffer. */
  need = 0;
  state: number = St.DETECT;
  big = false;
  recHdr = 16;
  nanos = false;
  /** The interfaces of the current section, by id. */
  section: Iface[] = [];
  /** Interfaces found before the first packet (every section's): what the merge compares. */
  readonly early: Iface[] = [];
  started = false;
  packets = 0;
  failCode = 0;
  failOffset = 0;
  /** The interface next() just found. */
  found: Iface | null = null;
  // The packet next() just read.
  sec = 0;
  nsec = 0;
  hi = 0;
  lo = 0;
  cap = 0;
  orig = 0;
  data = 0;
  iface: Iface | null = null;

  u16(p: number): number { return this.dv.getUint16(p, !this.big); }
  u32(p: number): number { return this.dv.getUint32(p, !this.big); }

  /** The buffer's free space, made as large as the next record or block needs. */
  space(): Uint8Array {
    if (this.rd > 0) {
      this.buf.copyWithin(0, this.rd, this.wr);
      this.base += this.rd; this.wr -= this.rd; this.rd = 0;
    }
    if (this.need > this.buf.length) {
      const grown = new Uint8Array(Math.min(Math.max(this.need, this.buf.length * 2), MERGE_MAX_BLOCK));
      grown.set(this.buf.subarray(0, this.wr));
      this.buf = grown; this.dv = new DataView(grown.buffer);
    }
    return this.buf.subarray(this.wr);
  }

  /** `n` bytes were read into space(); 0: the file ended. */
  filled(n: number): void { if (n > 0) this.wr += n; else this.eof = true; }

  fail(code: number, at: number): EvKind {
    this.failCode = code; this.failOffset = this.base + at; this.state = St.DONE;
    return Ev.DONE;
  }

  // Waits for n bytes from rd; at the end of the file, the reader's finishReader().
  more(n: number): EvKind {
    if (!this.eof) { this.need = n; return Ev.NEED; }
    const left = this.wr - this.rd;
    if (left > 0) return this.fail(this.state === St.DETECT ? (left < 4 ? ErrCode.NOT_A_CAPTURE : ErrCode.TRUNCATED) : ErrCode.TRUNCATED, this.rd);
    if (this.state === St.DETECT) return this.fail(this.base === 0 ? ErrCode.EMPTY : ErrCode.TRUNCATED, this.rd);
    if (this.state === St.PCAP_HEADER) return this.fail(ErrCode.TRUNCATED, this.rd);
    this.state = St.DONE;
    return Ev.DONE;
  }

  next(): EvKind {
    for (;;) {
      const avail = this.wr - this.rd;
      const p = this.rd;
      switch (this.state) {
        case St.DONE: return Ev.DONE;
        case St.DETECT: {
          if (avail < 4) return this.more(4);
          const m = this.dv.getUint32(p, true);
          if (m === 0xa1b2c3d4 || m === 0xd4c3b2a1 || m === 0xa1b23c4d || m === 0x4d3cb2a1 || m === 0xa1b2cd34 || m === 0x34cdb2a1) {
            this.big = m === 0xd4c3b2a1 || m === 0x4d3cb2a1 || m === 0x34cdb2a1;
            this.nanos = m === 0xa1b23c4d || m === 0x4d3cb2a1;
            this.recHdr = m === 0xa1b2cd34 || m === 0x34cdb2a1 ? 24 : 16;
            this.state = St.PCAP_HEADER;
            continue;
          }
          if (m === PCAPNG_SHB) { this.state = St.BLOCK; continue; }
          return this.fail(ErrCode.NOT_A_CAPTURE, p);
        }
        case St.PCAP_HEADER: {
          if (avail < 24) return this.more(24);
          if (this.u16(p + 4) !== 2) return this.fail(ErrCode.BAD_VERSION, p);
          // The top bits of the link-type field carry FCS information (pcap spec, "LinkType").
          const ifc = newIface(this.u32(p + 20) & 0x0fffffff, this.u32(p + 16), this.base + p, 0);
          if (this.nanos) { ifc.units = 1e9; ifc.exp = 9; }
          this.rd += 24; this.state = St.PCAP_RECORD;
          this.section = [ifc];
          return this.describe(ifc);
        }
        case St.PCAP_RECORD: {
          const h = this.recHdr;
          if (avail < h) return this.more(h);
          const cap = this.u32(p + 8);
          if (cap > MERGE_MAX_PACKET) return this.fail(ErrCode.PACKET_TOO_LARGE, p);
          if (avail < h + cap) return this.more(h + cap);
          const sec = this.u32(p), frac = this.u32(p + 4);
          // A fraction out of range (broken writers) carries into the seconds, as libpcap does.
          const ns = this.nanos ? frac : frac * 1000;
          this.sec = sec + Math.floor(ns / 1e9); this.nsec = ns % 1e9;
          ticks(this, sec, this.nanos ? 1e9 : 1e6, frac);
          this.cap = cap; this.orig = this.u32(p + 12); this.data = p + h; this.iface = this.section[0]!;
          this.rd += h + cap;
          this.packets++;
          return Ev.PACKET;
        }
        case St.BLOCK: {
          if (avail < 8) return this.more(8);
          if (this.dv.getUint32(p, true) === PCAPNG_SHB) {
            if (avail < 12) return this.more(12);
            const bom = this.dv.getUint32(p + 8, true);
            if (bom === 0x1a2b3c4d) this.big = false;
            else if (bom === 0x4d3c2b1a) this.big = true;
            else return this.fail(ErrCode.BAD_BYTE_ORDER, p);
          }
          const type = this.u32(p), len = this.u32(p + 4);
          if (len < 12 || (len & 3) !== 0) return this.fail(ErrCode.BAD_BLOCK_LENGTH, p);
          if (len > MERGE_MAX_BLOCK) return this.fail(ErrCode.BLOCK_TOO_LARGE, p);
          if (avail < len) return this.more(len);
          if (this.u32(p + len - 4) !== len) return this.fail(ErrCode.BLOCK_LENGTH_MISMATCH, p);
          const r = this.block(type, p, len);
          if (r === Ev.DONE) return r;
          this.rd += len;
          if (r === Ev.PACKET) { this.packets++; return r; }
          if (r === Ev.IFACE) return r;
          continue;
        }
      }
    }
  }

  // An interface found: kept for the merge's comparison while no packet was read yet.
  describe(ifc: Iface): EvKind {
    if (!this.started) this.early.push(ifc);
    this.found = ifc;
    return Ev.IFACE;
  }

  // One complete pcapng block at p: PACKET, IFACE, NEED (skipped) or DONE (an error).
  block(type: number, p: number, len: number): EvKind {
    const body = p + 8, n = len - 12;
    switch (type) {
      case PCAPNG_SHB: {
        if (n < 16) return this.fail(ErrCode.BAD_BLOCK, p);
        if (this.u16(body + 4) !== 1) return this.fail(ErrCode.BAD_VERSION, p);
        this.section = [];
        return Ev.NEED;
      }
      case PCAPNG_IDB: {
        if (n < 8) return this.fail(ErrCode.BAD_BLOCK, p);
        if (this.section.length >= MERGE_MAX_INTERFACES) return this.fail(ErrCode.TOO_MANY_INTERFACES, p);
        const ifc = newIface(this.u16(body), this.u32(body + 4), this.base + p, this.packets);
        this.options(ifc, body + 8, n - 8);
        this.section.push(ifc);
        return this.describe(ifc);
      }
      case PCAPNG_EPB: case 2: { // Enhanced Packet Block, and the obsolete Packet Block (16-bit interface id, drops count)
        if (n < 20) return this.fail(ErrCode.BAD_BLOCK, p);
        const id = type === PCAPNG_EPB ? this.u32(body) : this.u16(body);
        const ifc = this.section[id];
        if (ifc === undefined) return this.fail(ErrCode.UNKNOWN_INTERFACE, p);
        const cap = this.u32(body + 12);
        if (cap > MERGE_MAX_PACKET) return this.fail(ErrCode.PACKET_TOO_LARGE, p);
        if (cap > n - 20) return this.fail(ErrCode.BAD_SNAPLEN, p);
        this.hi = this.u32(body + 4); this.lo = this.u32(body + 8);
        toTime(this, ifc);
        this.cap = cap; this.orig = this.u32(body + 16); this.data = body + 20; this.iface = ifc;
        return Ev.PACKET;
      }
      case 3: { // Simple Packet Block: interface 0, no time stamp
        if (n < 4) return this.fail(ErrCode.BAD_BLOCK, p);
        const ifc = this.section[0];
        if (ifc === undefined) return this.fail(ErrCode.UNKNOWN_INTERFACE, p);
        const orig = this.u32(body);
        let cap = orig;
        if (ifc.snap !== 0 && cap > ifc.snap) cap = ifc.snap;
        if (cap > n - 4) cap = n - 4;
        if (cap > MERGE_MAX_PACKET) return this.fail(ErrCode.PACKET_TOO_LARGE, p);
        // Time 0, as the core reads it (an if_tsoffset would move it in the merged capture).
        this.sec = 0; this.nsec = 0; this.hi = 0; this.lo = 0;
        this.cap = cap; this.orig = orig; this.data = body + 4; this.iface = ifc;
        return Ev.PACKET;
      }
    }
    // NRB, ISB, DSB, custom, a source block and unknown blocks: skipped, as the core skips them.
    return Ev.NEED;
  }

  // IDB options (pcapng §4.2), read as the core reads if_name, if_tsresol and if_tsoffset (the
  // last one given counts), and the ones mergecap compares.
  options(ifc: Iface, p: number, len: number): void {
    for (let off = 0; off + 4 <= len;) {
      const code = this.u16(p + off), olen = this.u16(p + off + 2);
      if (code === 0 || off + 4 + olen > len) break;
      const v = p + off + 4;
      const bytes = () => this.buf.slice(v, v + olen);
      if (code === 9 && olen >= 1) {
        const r = this.buf[v]!, e = r & 0x7f;
        if (r & 0x80) { if (e <= 63) { ifc.units = 2 ** e; ifc.exp = e; ifc.pow2 = true; } } else if (e <= 19) { ifc.units = 10 ** e; ifc.exp = e; ifc.pow2 = false; }
      } else if (code === 14 && olen >= 8) {
        const hi = this.dv.getInt32(this.big ? v : v + 4, !this.big), lo = this.u32(this.big ? v + 4 : v);
        ifc.offset = hi * TWO_32 + lo;
      } else if (code === 2 && olen > 0) ifc.name = bytes();
      else if (code === 3) ifc.description ??= bytes();
      else if (code === 15) ifc.hardware ??= bytes();
      else if (code === 12) ifc.os ??= bytes();
      else if (code === 1) ifc.comment ??= bytes();
      else if (code === 8 && olen >= 8) ifc.speed ??= this.dv.getBigUint64(v, !this.big);
      else if (code === 13 && olen >= 1) ifc.fcslen ??= this.buf[v]!;
      off += 4 + ((olen + 3) & ~3);
    }
  }
}

// ---- time stamps -----------------------------------------------------------------------------

/** Sets the packet's raw time stamp (hi, lo) in `units` for a classic pcap record: sec × units + frac, exactly. */
function ticks(f: FileReader, sec: number, units: 1e6 | 1e9, frac: number): void {
  // units = odd × 2^k (10^6 = 15625 × 2^6, 10^9 = 1953125 × 2^9): sec × odd < 2^53 is exact.
  const k = units === 1e6 ? 6 : 9, m = sec * (units === 1e6 ? 15625 : 1953125), split = 2 ** (32 - k);
  const hiPart = Math.floor(m / split);
  const lo = (m - hiPart * split) * 2 ** k + frac;
  const carry = Math.floor(lo / TWO_32);
  f.hi = hiPart + carry; f.lo = lo - carry * TWO_32;
}

/**
 * The packet's time (sec, nsec) from its raw time stamp, as the core's reader computes it
 * (assembly/capture/reader.ts setTime, after wiretap): sec = ts / units, nsec = the remainder in
 * ns, rounded down, plus the interface's offset. Exact: numbers where they suffice (units
 * below 2^32), bigints otherwise.
 */
function toTime(f: FileReader, ifc: Iface): void {
  const u = ifc.units;
  if (u < TWO_32 && (f.hi < 0x200000 || u >= 2048)) {
    // (hi·2^32 + lo) / u in three steps of at most 48 bits each: every quotient below is exact.
    const qh = Math.floor(f.hi / u), r1 = f.hi - qh * u;
    const x = r1 * 65536 + (f.lo >>> 16), q2 = Math.floor(x / u), r2 = x - q2 * u;
    const y = r2 * 65536 + (f.lo & 0xffff), q3 = Math.floor(y / u), rem = y - q3 * u;
    f.sec = qh * TWO_32 + q2 * 65536 + q3 + ifc.offset;
    if (!ifc.pow2) f.nsec = rem * (1e9 / u);
    else {
      const n = ifc.exp;
      // rem·10^9 / 2^n = rem·1953125 / 2^(n-9): below 2^52, and dividing by a power of two is exact.
      f.nsec = n >= 9 ? Math.floor((rem * 1953125) / 2 ** (n - 9)) : Math.floor((rem * 1e9) / u);
    }
    return;
  }
  const ts = (BigInt(f.hi) << 32n) | BigInt(f.lo);
  const units = ifc.pow2 ? 1n << BigInt(ifc.exp) : 10n ** BigInt(ifc.exp);
  const rem = ts % units;
  let ns: bigint;
  if (!ifc.pow2) ns = units <= 1_000_000_000n ? rem * (1_000_000_000n / units) : rem / (units / 1_000_000_000n);
  else {
    const n = BigInt(ifc.exp);
    ns = n <= 34n ? (rem * 1_000_000_000n) >> n : ((rem >> (n - 34n)) * 1_000_000_000n) >> 34n;
  }
  f.sec = Number(ts / units) + ifc.offset;
  f.nsec = Number(ns);
}

// ---- the merged stream -----------------------------------------------------------------------

const pad4 = (n: number) => (4 - (n & 3)) & 3;

/** An IDB of the merged capture: link type, snap length, and the options the core reads. */
function idbBlock(ifc: Iface): Uint8Array {
  const opts: [number, Uint8Array][] = [];
  if (ifc.name) opts.push([2, ifc.name]);
  if (ifc.pow2 || ifc.exp !== 6) opts.push([9, Uint8Array.of(ifc.pow2 ? 0x80 | ifc.exp : ifc.exp)]);
  if (ifc.offset !== 0) {
    const v = new Uint8Array(8);
    new DataView(v.buffer).setBigInt64(0, BigInt(ifc.offset), true);
    opts.push([14, v]);
  }
  let n = 8;
  for (const [, v] of opts) n += 4 + v.length + pad4(v.length);
  if (opts.length) n += 4;
  const out = new Uint8Array(12 + n);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, PCAPNG_IDB, true); dv.setUint32(4, out.length, true);
  dv.setUint16(8, ifc.link & 0xffff, true); dv.setUint32(12, ifc.snap, true);
  let at = 16;
  for (const [code, v] of opts) {
    dv.setUint16(at, code, true); dv.setUint16(at + 2, v.length, true); out.set(v, at + 4);
    at += 4 + v.length + pad4(v.length);
  }
  dv.setUint32(out.length - 4, out.length, true);
  return out;
}

/** The source block of file `index` named `name`. */
function sourceBlock(index: number, name: Uint8Array): Uint8Array {
  const out = new Uint8Array(20 + name.length + pad4(name.length));
  const dv = new DataView(out.buffer);
  dv.setUint32(0, SOURCE_BLOCK, true); dv.setUint32(4, out.length, true);
  dv.setUint32(8, SOURCE_MAGIC, true); dv.setUint32(12, index, true);
  out.set(name, 16);
  dv.setUint32(out.length - 4, out.length, true);
  return out;
}

/**
 * First size of the staging buffer, where blocks wait that did not fit in the space a read()
 * was given (the header blocks, a source block, one packet's block); it grows for more.
 */
const STAGE_BYTES = 256 << 10;

/**
 * Merges capture files into one pcapng stream, read with read() (or readSync() when every
 * file reads synchronously). The stream is the same bytes for any sizes asked.
 */
export class CaptureMerger {
  readonly #inputs: readonly MergeFile[];
  readonly #files: FileReader[];
  readonly #names: Uint8Array[];
  readonly #failures: MergeFailure[] = [];
  /** The merged interfaces. */
  readonly #merged: Iface[] = [];
  /** Whether every file started with the same interfaces (mergecap's "all"). */
  #allSame = false;
  #primed = 0;
  #merging = false;
  /** File indices with a packet waiting, as a binary heap by time, then file order. */
  readonly #heap: number[] = [];
  /** A file whose packet went out and that must read its next one. */
  #advance = -1;
  #lastFile = -1;
  #packets = 0;
  // Output of the current call, and blocks that did not fit in it.
  #out: Uint8Array = new Uint8Array(0);
  #outDv: DataView = new DataView(new ArrayBuffer(0));
  #at = 0;
  #stage = new Uint8Array(STAGE_BYTES);
  #stageDv = new DataView(this.#stage.buffer);
  #stageFrom = 0;
  #stageTo = 0;

  /** `files` in the order given (the order of equal time stamps); 1 to MAX_MERGE_FILES of them. */
  constructor(files: readonly MergeFile[]) {
    if (files.length < 1 || files.length > MAX_MERGE_FILES) throw new RangeError(`a merged capture has 1 to ${MAX_MERGE_FILES} files, not ${files.length}`);
    this.#inputs = files;
    this.#files = files.map(() => new FileReader());
    const utf8 = new TextEncoder();
    this.#names = files.map((f) => utf8.encode(f.name));
    this.#stageBlock(pcapngSectionHeader('tracecap merge'));
  }

  /** Files found damaged so far, in the order found (the merge went on without their rest). */
  get failures(): readonly MergeFailure[] { return this.#failures; }
  /** Packets merged so far. */
  get packets(): number { return this.#packets; }
  /** Whether the files share their interfaces (mergecap's "all"); known once the first bytes were read. */
  get sharedInterfaces(): boolean { return this.#allSame; }

  /** Fills `space` with the next bytes of the merged stream; resolves with their number, 0 at its end. */
  async read(space: Uint8Array): Promise<number> {
    for (;;) {
      const need = this.#work(space);
      if (need < 0) return this.#finishCall();
      const f = this.#files[need]!;
      const r = this.#inputs[need]!.read(f.space());
      f.filled(typeof r === 'number' ? r : await r);
    }
  }

  /** read() for files whose read() returns numbers (Node's readSync): no promise. */
  readSync(space: Uint8Array): number {
    for (;;) {
      const need = this.#work(space);
      if (need < 0) return this.#finishCall();
      const f = this.#files[need]!;
      const r = this.#inputs[need]!.read(f.space());
      if (typeof r !== 'number') throw new TypeError(`readSync(): ${this.#inputs[need]!.name} reads asynchronously`);
      f.filled(r);
    }
  }

  /** The merged stream as a ReadableStream (chunks of `chunkBytes`). */
  stream(chunkBytes = 1 << 20): ReadableStream<Uint8Array> {
    return new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        const chunk = new Uint8Array(chunkBytes);
        const n = await this.read(chunk);
        if (n === 0) controller.close(); else controller.enqueue(chunk.subarray(0, n));
      },
    }, { highWaterMark: 0 });
  }

  #finishCall(): number {
    const n = this.#at;
    this.#out = new Uint8Array(0); this.#at = 0;
    return n;
  }

  // Merges into `space` until it is full or the stream ends (-1), or a file needs bytes (its index).
  #work(space: Uint8Array): number {
    if (this.#out !== space) { this.#out = space; this.#outDv = new DataView(space.buffer, space.byteOffset, space.byteLength); this.#at = 0; }
    for (;;) {
      if (!this.#unstage()) return -1;
      if (!this.#merging) {
        const need = this.#prime();
        if (need >= 0) return need;
        continue;
      }
      if (this.#advance >= 0) {
        const k = this.#advance;
        const need = this.#nextPacket(k);
        if (need) return k;
        this.#advance = -1;
        continue;
      }
      if (this.#heap.length === 0) return -1;
      // The packet goes out (or into the stage) before file k reads on: its bytes are in k's buffer.
      const k = this.#pop();
      if (k !== this.#lastFile) { this.#lastFile = k; this.#stageBlock(sourceBlock(k, this.#names[k]!)); this.#unstage(); }
      this.#writePacket(k);
      this.#advance = k;
    }
  }

  // Reads every file up to its first packet, then places the interfaces (mergecap's "all" or
  // "none") and starts merging. Returns a file that needs bytes, or -1.
  #prime(): number {
    for (; this.#primed < this.#files.length; this.#primed++) {
      const f = this.#files[this.#primed]!;
      let ev: EvKind;
      while ((ev = f.next()) === Ev.IFACE);
      if (ev === Ev.NEED) return this.#primed;
      f.started = true;
      if (ev === Ev.DONE && f.failCode !== 0) this.#failed(this.#primed);
    }
    const usable = this.#files.filter((f) => f.failCode === 0);
    const first = usable[0]?.early ?? [];
    this.#allSame = usable.length > 0 && usable.every((f) => f.early.length === first.length && f.early.every((x, i) => sameIface(x, first[i]!)));
    this.#files.forEach((f, k) => {
      if (f.failCode !== 0) return;
      for (const [i, ifc] of f.early.entries()) {
        if (this.#allSame && f !== usable[0]) ifc.merged = first[i]!.merged;
        else if (!this.#place(k, ifc, false)) return;
      }
      if (f.state !== St.DONE) this.#push(k);
    });
    this.#merging = true;
    return -1;
  }

  // Gives interface `ifc` of file k its merged index (a new interface, or with `reuse` an equal
  // one already merged) and stages its IDB; false when the merged capture has no room for it.
  #place(k: number, ifc: Iface, reuse: boolean): boolean {
    if (reuse) {
      const same = this.#merged.findIndex((m) => sameIface(m, ifc));
      if (same >= 0) { ifc.merged = same; return true; }
    }
    const f = this.#files[k]!;
    if (this.#merged.length >= MERGE_MAX_INTERFACES) {
      f.fail(ErrCode.TOO_MANY_INTERFACES, ifc.at - f.base);
      this.#failed(k, ifc.before);
      return false;
    }
    ifc.merged = this.#merged.length;
    this.#merged.push(ifc);
    this.#stageBlock(idbBlock(ifc));
    return true;
  }

  // Reads file k's next packet into the heap (placing interfaces it describes on the way);
  // true when k needs bytes first.
  #nextPacket(k: number): boolean {
    const f = this.#files[k]!;
    for (;;) {
      const ev = f.next();
      if (ev === Ev.NEED) return true;
      if (ev === Ev.IFACE) { if (!this.#place(k, f.found!, this.#allSame)) return false; continue; }
      if (ev === Ev.PACKET) this.#push(k);
      else if (f.failCode !== 0) this.#failed(k);
      return false;
    }
  }

  #failed(k: number, packets = this.#files[k]!.packets): void {
    const f = this.#files[k]!;
    this.#failures.push({ file: k, name: this.#inputs[k]!.name, code: f.failCode, offset: f.failOffset, packets });
  }

  // Writes file k's packet as an EPB on its merged interface: into the output when it fits, else staged.
  #writePacket(k: number): void {
    const f = this.#files[k]!;
    const total = 32 + f.cap + pad4(f.cap);
    let buf: Uint8Array, dv: DataView, at: number;
    if (this.#stageTo === this.#stageFrom && this.#out.length - this.#at >= total) {
      buf = this.#out; dv = this.#outDv; at = this.#at; this.#at += total;
    } else {
      this.#reserveStage(total);
      buf = this.#stage; dv = this.#stageDv; at = this.#stageTo; this.#stageTo += total;
    }
    dv.setUint32(at, PCAPNG_EPB, true); dv.setUint32(at + 4, total, true);
    dv.setUint32(at + 8, f.iface!.merged, true);
    dv.setUint32(at + 12, f.hi, true); dv.setUint32(at + 16, f.lo, true);
    dv.setUint32(at + 20, f.cap, true); dv.setUint32(at + 24, f.orig, true);
    buf.set(f.buf.subarray(f.data, f.data + f.cap), at + 28);
    buf.fill(0, at + 28 + f.cap, at + total - 4);
    dv.setUint32(at + total - 4, total, true);
    this.#packets++;
  }

  #stageBlock(block: Uint8Array): void {
    this.#reserveStage(block.length);
    this.#stage.set(block, this.#stageTo);
    this.#stageTo += block.length;
  }

  #reserveStage(n: number): void {
    if (this.#stageTo + n <= this.#stage.length) return;
    const left = this.#stageTo - this.#stageFrom;
    const into = left + n <= this.#stage.length ? this.#stage : new Uint8Array(Math.max(left + n, this.#stage.length * 2));
    into.set(this.#stage.subarray(this.#stageFrom, this.#stageTo), 0);
    if (into !== this.#stage) { this.#stage = into; this.#stageDv = new DataView(into.buffer); }
    this.#stageFrom = 0; this.#stageTo = left;
  }

  // Copies staged bytes into the output; false when the output is full.
  #unstage(): boolean {
    const n = Math.min(this.#stageTo - this.#stageFrom, this.#out.length - this.#at);
    if (n > 0) {
      this.#out.set(this.#stage.subarray(this.#stageFrom, this.#stageFrom + n), this.#at);
      this.#at += n; this.#stageFrom += n;
    }
    if (this.#stageFrom === this.#stageTo) { this.#stageFrom = 0; this.#stageTo = 0; return this.#at < this.#out.length; }
    return false;
  }

  // ---- the heap of waiting packets ----
  #before(a: number, b: number): boolean {
    const x = this.#files[a]!, y = this.#files[b]!;
    return x.sec !== y.sec ? x.sec < y.sec : x.nsec !== y.nsec ? x.nsec < y.nsec : a < b;
  }

  #push(k: number): void {
    const h = this.#heap;
    let i = h.push(k) - 1;
    while (i > 0) {
      const up = (i - 1) >> 1;
      if (!this.#before(h[i]!, h[up]!)) break;
      [h[i], h[up]] = [h[up]!, h[i]!];
      i = up;
    }
  }

  #pop(): number {
    const h = this.#heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < h.length && this.#before(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.#before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}
