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

/** One interface of a pcapng file: its IDB's link type, snap length, if_name and if_tsresol exponent (6 or 9). */
export interface PcapngIface { linktype: number; snaplen: number; name: string | null; tsresol: number }

/** A little-endian pcapng file's interfaces and packets (EPBs; time stamps by each interface's resolution). */
export function readPcapng(file: Uint8Array): { ifaces: PcapngIface[]; packets: (PcapPacket & { iface: number })[] } {
  const v = new DataView(file.buffer, file.byteOffset, file.byteLength);
  if (v.getUint32(0, true) !== 0x0a0d0d0a || v.getUint32(8, true) !== 0x1a2b3c4d) throw new Error('not a little-endian pcapng file');
  const ifaces: PcapngIface[] = [];
  const packets: (PcapPacket & { iface: number })[] = [];
  for (let off = 0; off < file.length;) {
    const type = v.getUint32(off, true), total = v.getUint32(off + 4, true);
    if (total < 12 || off + total > file.length || v.getUint32(off + total - 4, true) !== total) throw new Error(`bad block at byte ${off}`);
    if (type === 1) {
      const iface: PcapngIface = { linktype: v.getUint16(off + 8, true), snaplen: v.getUint32(off + 12, true), name: null, tsresol: 6 };
      for (let o = off + 16; o + 4 <= off + total - 4;) {
        const code = v.getUint16(o, true), len = v.getUint16(o + 2, true);
        if (code === 0) break;
        if (code === 2) iface.name = new TextDecoder().decode(file.subarray(o + 4, o + 4 + len));
        if (code === 9) iface.tsresol = file[o + 4]!;
        o += 4 + len + ((4 - (len & 3)) & 3);
      }
      ifaces.push(iface);
    } else if (type === 6) {
      const id = v.getUint32(off + 8, true);
      const units = (BigInt(v.getUint32(off + 12, true)) << 32n) | BigInt(v.getUint32(off + 16, true));
      const per = ifaces[id]!.tsresol === 9 ? 1_000_000_000n : 1_000_000n;
      const frac = units % per;
      const cap = v.getUint32(off + 20, true);
      packets.push({ iface: id, sec: Number(units / per), nsec: Number(per === 1_000_000n ? frac * 1000n : frac), len: v.getUint32(off + 24, true), data: file.subarray(off + 28, off + 28 + cap) });
    }
    off += total;
  }
  return { ifaces, packets };
}
