/**
 * @module tracecap/capsel — walks a capture file's bytes (classic pcap or pcapng) in order, in
 * chunks, and picks the packets whose captured bytes start at the given file offsets (the
 * offsets tracecap's record index gives, `Entry.FILE_OFFSET`). Two uses: writing the selected
 * packets as a capture file of the same format, byte for byte (the app's "export packets as
 * pcap"), and handing each selected packet's link type and bytes to a caller (follow stream).
 * Runtime-agnostic (Uint8Array and DataView only); memory is one block (the core's 2 MiB limit)
 * plus the chunk being read, whatever the capture's size.
 */

/** Largest pcapng block or pcap record kept while it straddles chunks (the core's own limit). */
export const MAX_CAPTURE_BLOCK = 2 << 20;

/** One selected packet as the walker found it. */
export interface SelectedPacket {
  /** File offset of its captured bytes (the index entry's). */
  offset: number;
  /** LINKTYPE_ of its interface. */
  linktype: number;
  /** Captured bytes (a view valid during the callback only). */
  data: Uint8Array;
}

/** What a CaptureSelector is asked for. */
export interface SelectorSink {
  /** Bytes of the output file, in order (views valid during the call: copy to keep). */
  out?: (bytes: Uint8Array) => void;
  /** Every selected packet, in file order. */
  packet?: (p: SelectedPacket) => void;
}

/** Thrown for a file the walker cannot read: what and where. */
export class CaptureWalkError extends Error {
  constructor(message: string, readonly offset: number) { super(`${message} (at byte ${offset})`); }
}

const PCAP_MAGICS = new Map<number, { little: boolean }>([
  [0xa1b2c3d4, { little: true }], [0xa1b23c4d, { little: true }], // read little-endian: written by a little-endian host
  [0xd4c3b2a1, { little: false }], [0x4d3cb2a1, { little: false }],
]);
const SHB = 0x0a0d0d0a, IDB = 1, PB_OBSOLETE = 2, SPB = 3, NRB = 4, EPB = 6, DSB = 0x0a;

/**
 * Picks packets by the file offset of their captured bytes. `wanted` yields those offsets in
 * increasing order (a capture's packets are in file order, so one pass over the file does).
 * The output file keeps what describes the packets — pcap: the global header; pcapng: every
 * Section Header, Interface Description, Name Resolution and Decryption Secrets block — and the
 * selected packets' records or blocks unchanged; Interface Statistics and other blocks, whose
 * counts would no longer be true, are left out.
 */
export class CaptureSelector {
  #buf = new Uint8Array(0);
  #len = 0;
  /** File offset of #buf[0]. */
  #base = 0;
  #format: 'pcap' | 'pcapng' | null = null;
  #little = true;
  #pcapLink = 0;
  #links: number[] = [];
  #next: number;
  readonly #wanted: Iterator<number>;
  /** Selected packets found so far. */
  found = 0;

  readonly #all: boolean;
  /** `wanted`: the offsets, or 'all' (every packet, e.g. for a test reading a capture). */
  constructor(wanted: Iterable<number> | 'all', readonly sink: SelectorSink) {
    this.#all = wanted === 'all';
    this.#wanted = (wanted === 'all' ? [] : wanted)[Symbol.iterator]();
    this.#next = this.#all ? 0 : this.#advance();
  }

  #advance(): number { const r = this.#wanted.next(); return r.done ? Infinity : r.value; }

  /** Whether every wanted packet was found (the caller may stop reading). */
  get done(): boolean { return !this.#all && this.#next === Infinity; }

  /** Feeds the file's next bytes. */
  push(chunk: Uint8Array): void {
    if (this.done) return;
    if (this.#len + chunk.length > this.#buf.length) {
      const b = new Uint8Array(Math.max(this.#len + chunk.length, this.#buf.length * 2, 1 << 16));
      b.set(this.#buf.subarray(0, this.#len));
      this.#buf = b;
    }
    this.#buf.set(chunk, this.#len);
    this.#len += chunk.length;
    let at = 0;
    for (;;) {
      const used = this.#one(at);
      if (used === 0) break;
      at += used;
      if (this.done) break;
    }
    this.#buf.copyWithin(0, at, this.#len);
    this.#len -= at;
    this.#base += at;
  }

  /** The end of the file: a wanted packet not found is an error (its offset named). */
  finish(): void {
    if (this.done) return; // the bytes after the last wanted packet were not read: nothing to check
    if (this.#len > 0 && this.#format !== null) throw new CaptureWalkError(`the capture ends inside a ${this.#format === 'pcap' ? 'packet record' : 'block'}`, this.#base);
    if (!this.#all && !this.done) throw new CaptureWalkError(`no packet starts at byte ${this.#next} of the capture`, this.#base + this.#len);
  }

  // One record or block at #buf[at]: its length when whole (0: more bytes needed).
  #one(at: number): number {
    const avail = this.#len - at;
    const b = this.#buf;
    const off = this.#base + at;
    if (this.#format === null) {
      if (avail < 24) return 0;
      const v = new DataView(b.buffer, b.byteOffset + at, 24);
      const magic = v.getUint32(0, true);
      const pcap = PCAP_MAGICS.get(magic);
      if (pcap) {
        this.#format = 'pcap';
        this.#little = pcap.little;
        this.#pcapLink = v.getUint32(20, this.#little) & 0x0fffffff; // the upper bits are FCS flags (pcap spec, LinkType field)
        this.sink.out?.(b.subarray(at, at + 24));
        return 24;
      }
      if (magic !== SHB) throw new CaptureWalkError('not a pcap or pcapng file', off);
      this.#format = 'pcapng';
    }
    if (this.#format === 'pcap') {
      if (avail < 16) return 0;
      const caplen = new DataView(b.buffer, b.byteOffset + at, 16).getUint32(8, this.#little);
      if (caplen > MAX_CAPTURE_BLOCK) throw new CaptureWalkError(`packet record of ${caplen} bytes is larger than the ${MAX_CAPTURE_BLOCK}-byte limit`, off);
      if (avail < 16 + caplen) return 0;
      this.#packet(off + 16, this.#pcapLink, at, 16 + caplen, at + 16, caplen);
      return 16 + caplen;
    }
    if (avail < 12) return 0;
    let v = new DataView(b.buffer, b.byteOffset + at, avail);
    const type = v.getUint32(0, this.#little);
    if (type === SHB || v.getUint32(0, true) === SHB) {
      // The byte-order magic sets the section's byte order (pcapng spec, Section Header Block).
      const bom = v.getUint32(8, true);
      if (bom === 0x1a2b3c4d) this.#little = true;
      else if (bom === 0x4d3c2b1a) this.#little = false;
      else throw new CaptureWalkError('pcapng section header with a bad byte-order magic', off);
      this.#links = [];
    }
    const total = v.getUint32(4, this.#little);
    if (total < 12 || total % 4 !== 0) throw new CaptureWalkError(`pcapng block of length ${total}`, off);
    if (total > MAX_CAPTURE_BLOCK) throw new CaptureWalkError(`pcapng block of ${total} bytes is larger than the ${MAX_CAPTURE_BLOCK}-byte limit`, off);
    if (avail < total) return 0;
    v = new DataView(b.buffer, b.byteOffset + at, total);
    const t = v.getUint32(0, this.#little);
    if (t === SHB || t === NRB || t === DSB) this.sink.out?.(b.subarray(at, at + total));
    else if (t === IDB) { this.#links.push(v.getUint16(8, this.#little)); this.sink.out?.(b.subarray(at, at + total)); }
    else if (t === EPB || t === PB_OBSOLETE) {
      const iface = t === EPB ? v.getUint32(8, this.#little) : v.getUint16(8, this.#little);
      const cap = v.getUint32(20, this.#little);
      if (28 + cap > total) throw new CaptureWalkError('packet block shorter than its captured length', off);
      this.#packet(off + 28, this.#link(iface, off), at, total, at + 28, cap);
    } else if (t === SPB) {
      const orig = v.getUint32(8, this.#little);
      this.#packet(off + 12, this.#link(0, off), at, total, at + 12, Math.min(orig, total - 16));
    }
    return total;
  }

  #link(iface: number, off: number): number {
    const l = this.#links[iface];
    if (l === undefined) throw new CaptureWalkError(`packet of interface ${iface}, which no Interface Description Block described`, off);
    return l;
  }

  #packet(dataOff: number, linktype: number, at: number, len: number, dataAt: number, capLen: number): void {
    if (this.#all) this.#next = dataOff;
    while (this.#next < dataOff) {
      // An offset no packet starts at: the index and this file disagree.
      throw new CaptureWalkError(`no packet starts at byte ${this.#next} of the capture`, this.#next);
    }
    if (dataOff !== this.#next) return;
    this.found++;
    this.sink.out?.(this.#buf.subarray(at, at + len));
    this.sink.packet?.({ offset: dataOff, linktype, data: this.#buf.subarray(dataAt, dataAt + capLen) });
    if (this.#all) return;
    this.#next = this.#advance();
    if (this.#next <= dataOff) throw new CaptureWalkError(`packet offsets not in increasing order (${this.#next} after ${dataOff})`, dataOff);
  }
}
