/**
 * Writers of the two capture file formats, byte for byte: classic pcap (the global header and
 * records tcpdump -w writes) and pcapng (a Section Header Block, one Interface Description
 * Block per interface, an Enhanced Packet Block per packet). Runtime-agnostic: Uint8Array and
 * DataView only, always little-endian (what tcpdump writes on x86 and ARM hosts).
 */

/** One packet: capture time (seconds since the epoch and the nanoseconds within), wire length, captured bytes. */
export interface PacketRecord {
  sec: number;
  nsec: number;
  /** Length on the wire (at least data.length). */
  len: number;
  /** The captured bytes (data.length is the captured length). */
  data: Uint8Array;
}

/** Time stamp resolution of a capture engine and of what is written: microseconds or nanoseconds. */
export type TsResolution = 'us' | 'ns';

/** Classic pcap magic, microsecond time stamps. */
export const PCAP_MAGIC_USEC = 0xa1b2c3d4;
/** Classic pcap magic, nanosecond time stamps. */
export const PCAP_MAGIC_NSEC = 0xa1b23c4d;
/** Bytes of the classic pcap global header. */
export const PCAP_GLOBAL_HEADER_LEN = 24;
/** Bytes of a classic pcap record header (ts_sec, ts_frac, incl_len, orig_len). */
export const PCAP_RECORD_HEADER_LEN = 16;

/** The classic pcap global header (version 2.4, zone 0, sigfigs 0), little-endian. */
export function pcapFileHeader(linktype: number, snaplen: number, resolution: TsResolution): Uint8Array {
  const h = new Uint8Array(PCAP_GLOBAL_HEADER_LEN);
  const v = new DataView(h.buffer);
  v.setUint32(0, resolution === 'ns' ? PCAP_MAGIC_NSEC : PCAP_MAGIC_USEC, true);
  v.setUint16(4, 2, true);
  v.setUint16(6, 4, true);
  v.setUint32(16, snaplen >>> 0, true);
  v.setUint32(20, linktype >>> 0, true);
  return h;
}

/** Writes the 16-byte record header of `p` into `out` at `at`; the fraction is µs or ns as `resolution` says. */
export function writePcapRecordHeader(out: Uint8Array, at: number, p: PacketRecord, resolution: TsResolution): void {
  const v = new DataView(out.buffer, out.byteOffset + at, PCAP_RECORD_HEADER_LEN);
  v.setUint32(0, p.sec >>> 0, true);
  v.setUint32(4, resolution === 'ns' ? p.nsec >>> 0 : Math.floor(p.nsec / 1000), true);
  v.setUint32(8, p.data.length, true);
  v.setUint32(12, p.len >>> 0, true);
}

/** Bytes of `p` as a classic pcap record. */
export function pcapRecordLength(p: PacketRecord): number {
  return PCAP_RECORD_HEADER_LEN + p.data.length;
}

/** Writes `p` as a classic pcap record (header and data) into `out` at `at`; returns its length. */
export function writePcapRecord(out: Uint8Array, at: number, p: PacketRecord, resolution: TsResolution): number {
  writePcapRecordHeader(out, at, p, resolution);
  out.set(p.data, at + PCAP_RECORD_HEADER_LEN);
  return PCAP_RECORD_HEADER_LEN + p.data.length;
}

// ---- pcapng ---------------------------------------------------------------------------------

/** Block types (pcapng specification, draft-ietf-opsawg-pcapng). */
export const PCAPNG_SHB = 0x0a0d0d0a;
export const PCAPNG_IDB = 0x00000001;
export const PCAPNG_EPB = 0x00000006;
/** The byte-order magic of a Section Header Block. */
export const PCAPNG_BYTE_ORDER_MAGIC = 0x1a2b3c4d;
/** Bytes of an Enhanced Packet Block around its data (without options). */
export const PCAPNG_EPB_OVERHEAD = 32;

// Option codes used here.
const OPT_END = 0;
const SHB_USERAPPL = 4;
const IF_NAME = 2;
const IF_TSRESOL = 9;
const IF_FILTER = 11;

/** One interface of a pcapng section. */
export interface PcapngInterface {
  /** LINKTYPE_ number of its packets. */
  linktype: number;
  snaplen: number;
  /** if_name (the OS interface name), when known. */
  name?: string;
  /** if_filter: the capture filter expression (libpcap syntax), when there is one. */
  filter?: string;
  /** if_tsresol: the packets' time stamps in µs (6, the format's default, still written) or ns (9). */
  resolution: TsResolution;
}

const pad4 = (n: number): number => (4 - (n & 3)) & 3;
const utf8 = new TextEncoder();

/** Encodes options (code, value) followed by opt_endofopt; none: no bytes at all. */
function options(opts: [number, Uint8Array][]): Uint8Array {
  if (opts.length === 0) return new Uint8Array(0);
  let n = 4;
  for (const [, v] of opts) n += 4 + v.length + pad4(v.length);
  const out = new Uint8Array(n);
  const dv = new DataView(out.buffer);
  let at = 0;
  for (const [code, v] of opts) {
    dv.setUint16(at, code, true);
    dv.setUint16(at + 2, v.length, true);
    out.set(v, at + 4);
    at += 4 + v.length + pad4(v.length);
  }
  dv.setUint16(at, OPT_END, true);
  return out;
}

/** A block: type, total length, `body`, total length again. */
function block(type: number, body: Uint8Array): Uint8Array {
  const total = 12 + body.length;
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, type, true);
  dv.setUint32(4, total, true);
  out.set(body, 8);
  dv.setUint32(total - 4, total, true);
  return out;
}

/** A Section Header Block, version 1.0, section length unknown (-1), with shb_userappl when given. */
export function pcapngSectionHeader(application?: string): Uint8Array {
  const opts = options(application ? [[SHB_USERAPPL, utf8.encode(application)]] : []);
  const body = new Uint8Array(16 + opts.length);
  const dv = new DataView(body.buffer);
  dv.setUint32(0, PCAPNG_BYTE_ORDER_MAGIC, true);
  dv.setUint16(4, 1, true);
  dv.setUint16(6, 0, true);
  dv.setUint32(8, 0xffffffff, true);
  dv.setUint32(12, 0xffffffff, true);
  body.set(opts, 16);
  return block(PCAPNG_SHB, body);
}

/** An Interface Description Block: link type, snap length, if_name, if_tsresol and if_filter. */
export function pcapngInterfaceBlock(i: PcapngInterface): Uint8Array {
  const opts: [number, Uint8Array][] = [];
  if (i.name) opts.push([IF_NAME, utf8.encode(i.name)]);
  opts.push([IF_TSRESOL, Uint8Array.of(i.resolution === 'ns' ? 9 : 6)]);
  if (i.filter) {
    const text = utf8.encode(i.filter);
    const v = new Uint8Array(1 + text.length); // first byte 0: a libpcap filter string
    v.set(text, 1);
    opts.push([IF_FILTER, v]);
  }
  const o = options(opts);
  const body = new Uint8Array(8 + o.length);
  const dv = new DataView(body.buffer);
  dv.setUint16(0, i.linktype, true);
  dv.setUint32(4, i.snaplen >>> 0, true);
  body.set(o, 8);
  return block(PCAPNG_IDB, body);
}

/** A section's start: its header and its interfaces' blocks (interface ids are their positions). */
export function pcapngHeader(interfaces: readonly PcapngInterface[], application = 'tracecap'): Uint8Array {
  const parts = [pcapngSectionHeader(application), ...interfaces.map(pcapngInterfaceBlock)];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

/** Bytes of `p` as an Enhanced Packet Block. */
export function pcapngPacketLength(p: PacketRecord): number {
  return PCAPNG_EPB_OVERHEAD + p.data.length + pad4(p.data.length);
}

const TWO_32 = 2 ** 32;

/**
 * Writes `p` as an Enhanced Packet Block of interface `iface` into `out` at `at` (the time stamp
 * in units of `resolution`, as that interface's if_tsresol says); returns its length.
 */
export function writePcapngPacket(out: Uint8Array, at: number, iface: number, p: PacketRecord, resolution: TsResolution): number {
  const total = pcapngPacketLength(p);
  const dv = new DataView(out.buffer, out.byteOffset + at, total);
  let high: number, low: number;
  if (resolution === 'us') {
    // At most 2^32 s × 10^6: below 2^53, exact in a double.
    const ts = p.sec * 1e6 + Math.floor(p.nsec / 1000);
    high = Math.floor(ts / TWO_32);
    low = ts - high * TWO_32;
  } else {
    const ts = BigInt(p.sec) * 1_000_000_000n + BigInt(p.nsec);
    high = Number(ts >> 32n);
    low = Number(ts & 0xffffffffn);
  }
  dv.setUint32(0, PCAPNG_EPB, true);
  dv.setUint32(4, total, true);
  dv.setUint32(8, iface, true);
  dv.setUint32(12, high, true);
  dv.setUint32(16, low, true);
  dv.setUint32(20, p.data.length, true);
  dv.setUint32(24, p.len >>> 0, true);
  out.set(p.data, at + 28);
  out.fill(0, at + 28 + p.data.length, at + total - 4);
  dv.setUint32(total - 4, total, true);
  return total;
}
