// Classic pcap files as packet lists, for tests that replay real captures packet by packet (the
// trigger ring) or cut them into ranges: read any classic pcap, write a nanosecond one.

/** One packet of a classic pcap file, shaped like a live engine's CapturedPacket. */
export interface PcapPacket { sec: number; nsec: number; len: number; data: Uint8Array }

/** A classic pcap file's link type and packets (microsecond or nanosecond, either byte order). */
export function readPcap(file: Uint8Array): { linktype: number; packets: PcapPacket[] } {
  const v = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const magic = v.getUint32(0, true);
  let le: boolean, nano: boolean;
  if (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d) { le = true; nano = magic === 0xa1b23c4d; }
  else if (magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1) { le = false; nano = magic === 0x4d3cb2a1; }
  else throw new Error('not a classic pcap file');
  const linktype = v.getUint32(20, le) & 0x0fffffff;
  const packets: PcapPacket[] = [];
  for (let off = 24; off + 16 <= file.length;) {
    const sec = v.getUint32(off, le), frac = v.getUint32(off + 4, le);
    const incl = v.getUint32(off + 8, le), len = v.getUint32(off + 12, le);
    if (off + 16 + incl > file.length) throw new Error(`truncated record at byte ${off}`);
    packets.push({ sec, nsec: nano ? frac : frac * 1000, len, data: file.subarray(off + 16, off + 16 + incl) });
    off += 16 + incl;
  }
  return { linktype, packets };
}

/** A nanosecond classic pcap file (magic 0xa1b23c4d, little-endian) holding these packets. */
export function writePcap(linktype: number, packets: PcapPacket[]): Uint8Array {
  const size = 24 + packets.reduce((n, p) => n + 16 + p.data.length, 0);
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  v.setUint32(0, 0xa1b23c4d, true); v.setUint16(4, 2, true); v.setUint16(6, 4, true);
  v.setUint32(16, 262144, true); v.setUint32(20, linktype, true);
  let off = 24;
  for (const p of packets) {
    v.setUint32(off, p.sec, true); v.setUint32(off + 4, p.nsec, true);
    v.setUint32(off + 8, p.data.length, true); v.setUint32(off + 12, p.len, true);
    out.set(p.data, off + 16);
    off += 16 + p.data.length;
  }
  return out;
}
