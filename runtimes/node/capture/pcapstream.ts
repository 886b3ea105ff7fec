/**
 * The classic pcap format on a byte stream, both ways: a parser for what `tcpdump -w -` writes
 * (chunks of any size in, packets out), and the writer of the global and record headers the
 * live runner feeds the core with.
 */
import type { CapturedPacket } from './types.js';
import {
  PCAP_MAGIC_USEC as MAGIC_USEC, PCAP_MAGIC_NSEC as MAGIC_NSEC, PCAP_GLOBAL_HEADER_LEN, PCAP_RECORD_HEADER_LEN,
  pcapFileHeader, writePcapRecordHeader,
} from '../../../src/pcapfile.js';

export { PCAP_RECORD_HEADER_LEN } from '../../../src/pcapfile.js';
/** Bytes of the pcap global header. */
export const PCAP_HEADER_LEN = PCAP_GLOBAL_HEADER_LEN;
/** Largest record a capture engine can produce: libpcap's MAXIMUM_SNAPLEN (262144) plus cooked headers and slack. */
const MAX_RECORD = 1 << 20;

/** What the global header of a pcap stream says. */
export interface PcapStreamHeader {
  /** LINKTYPE_ number of every packet. */
  linktype: number;
  /** Snap length the writer used. */
  snaplen: number;
  /** Timestamps are nanoseconds (magic 0xa1b23c4d), else microseconds. */
  nano: boolean;
}

/**
 * Incremental parser of a classic pcap stream. push() takes chunks as they arrive; the header
 * callback fires once, then the packet callback once per record, in stream order, with `data`
 * pointing into the chunk or an internal buffer (valid only during the call).
 */
export class PcapStreamParser {
  #header: PcapStreamHeader | null = null;
  #little = true;
  #nano = false;
  /** Bytes of an incomplete header or record carried from earlier chunks. */
  #carry: Buffer = Buffer.alloc(0);

  constructor(
    private readonly onHeader: (header: PcapStreamHeader) => void,
    private readonly onPacket: (packet: CapturedPacket) => void,
  ) {}

  /** The global header, once read. */
  get header(): PcapStreamHeader | null { return this.#header; }

  /** Bytes held back waiting for the rest of a header or record (0 at a record boundary). */
  get pending(): number { return this.#carry.length; }

  /** Parses the next chunk; throws an Error with a one-line reason if the stream is not pcap. */
  push(chunk: Buffer): void {
    const buf = this.#carry.length ? Buffer.concat([this.#carry, chunk]) : chunk;
    let off = 0;
    if (!this.#header) {
      if (buf.length < PCAP_HEADER_LEN) { this.#carry = Buffer.from(buf); return; }
      this.#readHeader(buf);
      off = PCAP_HEADER_LEN;
    }
    const le = this.#little;
    const scale = this.#nano ? 1 : 1000;
    while (buf.length - off >= PCAP_RECORD_HEADER_LEN) {
      const caplen = le ? buf.readUInt32LE(off + 8) : buf.readUInt32BE(off + 8);
      if (caplen > MAX_RECORD) throw new Error(`pcap stream: record of ${caplen} bytes at offset ${off} is not credible`);
      if (buf.length - off < PCAP_RECORD_HEADER_LEN + caplen) break;
      const sec = le ? buf.readUInt32LE(off) : buf.readUInt32BE(off);
      const frac = le ? buf.readUInt32LE(off + 4) : buf.readUInt32BE(off + 4);
      const len = le ? buf.readUInt32LE(off + 12) : buf.readUInt32BE(off + 12);
      const start = off + PCAP_RECORD_HEADER_LEN;
      off = start + caplen;
      this.onPacket({ sec, nsec: frac * scale, len, data: buf.subarray(start, off) });
    }
    // Copy the remainder: the chunk belongs to the stream and may be reused once we return.
    this.#carry = off === buf.length ? Buffer.alloc(0) : Buffer.from(buf.subarray(off));
  }

  #readHeader(buf: Buffer): void {
    const le = buf.readUInt32LE(0);
    const be = buf.readUInt32BE(0);
    if (le === MAGIC_USEC || le === MAGIC_NSEC) this.#little = true;
    else if (be === MAGIC_USEC || be === MAGIC_NSEC) this.#little = false;
    else throw new Error(`pcap stream: bad magic 0x${be.toString(16).padStart(8, '0')}`);
    this.#nano = (this.#little ? le : be) === MAGIC_NSEC;
    const u32 = (at: number) => (this.#little ? buf.readUInt32LE(at) : buf.readUInt32BE(at));
    // Bits 26-31 of the field carry FCS information (pcap format §LinkType), not the link type.
    this.#header = { linktype: u32(20) & 0x03ffffff, snaplen: u32(16), nano: this.#nano };
    this.onHeader(this.#header);
  }
}

/** The 24-byte pcap global header the core reads first: nanosecond magic, little-endian, version 2.4. */
export function pcapGlobalHeader(linktype: number, snaplen: number): Uint8Array {
  return pcapFileHeader(linktype, snaplen, 'ns');
}

/** Writes a nanosecond pcap record header for `packet` into `out` at `at` (16 bytes, little-endian). */
export function writeRecordHeader(out: Uint8Array, at: number, packet: CapturedPacket): void {
  writePcapRecordHeader(out, at, packet, 'ns');
}
