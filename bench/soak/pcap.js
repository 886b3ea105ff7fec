// Streaming classic-pcap writer and Ethernet/IPv4/IPv6/TCP/UDP frame builders for the soak
// generator. Writes go through one 8 MiB buffer, so memory does not grow with the capture.
// Checksums: the IPv4 header checksum is computed; TCP/UDP checksums are left zero (the
// translator does not verify them, and tshark does not by default).
import { openSync, writeSync, closeSync } from 'node:fs';

const MAC_CLIENT = Buffer.from('020000000001', 'hex');
const MAC_SERVER = Buffer.from('020000000002', 'hex');

/** A classic pcap file written as a stream (link type Ethernet, µs or ns timestamps). */
export class PcapWriter {
  /** Opens `path`; `nanos` selects the nanosecond magic (0xa1b23c4d). */
  constructor(path, nanos) {
    this.fd = openSync(path, 'w');
    this.buf = Buffer.allocUnsafe(8 << 20);
    this.pos = 0; this.bytes = 0; this.packets = 0; this.nanos = nanos;
    const h = Buffer.alloc(24);
    h.writeUInt32LE(nanos ? 0xa1b23c4d : 0xa1b2c3d4, 0); h.writeUInt16LE(2, 4); h.writeUInt16LE(4, 6);
    h.writeUInt32LE(262144, 16); h.writeUInt32LE(1, 20);
    this.put(h);
  }

  /** Appends raw bytes. */
  put(b) {
    if (this.pos + b.length > this.buf.length) this.flush();
    if (b.length > this.buf.length) { writeSync(this.fd, b); this.bytes += b.length; return; }
    b.copy(this.buf, this.pos); this.pos += b.length; this.bytes += b.length;
  }

  /** Writes one packet record captured at `sec` seconds and `ns` nanoseconds. */
  packet(sec, ns, frame) {
    if (this.pos + 16 + frame.length > this.buf.length) this.flush();
    const b = this.buf, p = this.pos;
    b.writeUInt32LE(sec, p); b.writeUInt32LE(this.nanos ? ns : Math.floor(ns / 1000), p + 4);
    b.writeUInt32LE(frame.length, p + 8); b.writeUInt32LE(frame.length, p + 12);
    this.pos += 16; this.bytes += 16;
    this.put(frame);
    this.packets++;
  }

  /** Writes the buffered bytes out. */
  flush() { if (this.pos > 0) writeSync(this.fd, this.buf, 0, this.pos); this.pos = 0; }

  /** Flushes and closes the file. */
  close() { this.flush(); closeSync(this.fd); }
}

function ipv4Checksum(f, off) {
  let s = 0;
  for (let i = 0; i < 20; i += 2) s += f.readUInt16BE(off + i);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

/** Writes Ethernet + IP headers for `l4len` bytes of transport; returns the transport offset. */
function ipHeaders(f, src, dst, proto, l4len, toServer, ipId) {
  (toServer ? MAC_SERVER : MAC_CLIENT).copy(f, 0);
  (toServer ? MAC_CLIENT : MAC_SERVER).copy(f, 6);
  if (src.length === 4) {
    f.writeUInt16BE(0x0800, 12);
    f[14] = 0x45; f[15] = 0; f.writeUInt16BE(20 + l4len, 16); f.writeUInt16BE(ipId & 0xffff, 18); f.writeUInt16BE(0x4000, 20);
    f[22] = 64; f[23] = proto; f.writeUInt16BE(0, 24);
    src.copy(f, 26); dst.copy(f, 30);
    f.writeUInt16BE(ipv4Checksum(f, 14), 24);
    return 34;
  }
  f.writeUInt16BE(0x86dd, 12);
  f.writeUInt32BE(0x60000000, 14); f.writeUInt16BE(l4len, 18); f[20] = proto; f[21] = 64;
  src.copy(f, 22); dst.copy(f, 38);
  return 54;
}

/** An Ethernet frame with a TCP segment (20-byte header, or 24 with an MSS option on SYNs). */
export function tcpFrame(src, dst, sport, dport, seq, ack, flags, win, payload, toServer, ipId) {
  const opt = flags & 0x02 ? 4 : 0;
  const ipLen = src.length === 4 ? 20 : 40;
  const f = Buffer.allocUnsafe(14 + ipLen + 20 + opt + payload.length);
  const o = ipHeaders(f, src, dst, 6, 20 + opt + payload.length, toServer, ipId);
  f.writeUInt16BE(sport, o); f.writeUInt16BE(dport, o + 2);
  f.writeUInt32BE(seq >>> 0, o + 4); f.writeUInt32BE(ack >>> 0, o + 8);
  f[o + 12] = (5 + opt / 4) << 4; f[o + 13] = flags; f.writeUInt16BE(win, o + 14);
  f.writeUInt32BE(0, o + 16);
  if (opt) f.writeUInt32BE(0x020405a8, o + 20); // MSS 1448
  payload.copy(f, o + 20 + opt);
  return f;
}

/** An Ethernet frame with a UDP datagram. */
export function udpFrame(src, dst, sport, dport, payload, toServer, ipId) {
  const ipLen = src.length === 4 ? 20 : 40;
  const f = Buffer.allocUnsafe(14 + ipLen + 8 + payload.length);
  const o = ipHeaders(f, src, dst, 17, 8 + payload.length, toServer, ipId);
  f.writeUInt16BE(sport, o); f.writeUInt16BE(dport, o + 2); f.writeUInt16BE(8 + payload.length, o + 4); f.writeUInt16BE(0, o + 6);
  payload.copy(f, o + 8);
  return f;
}
