// The capture file writers byte by byte (classic pcap headers and records, pcapng's section,
// interface and enhanced packet blocks), then whole files read back by the core's reader and
// by tshark: packet for packet, time stamps, lengths, interface names and link types.
import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import {
  pcapFileHeader, writePcapRecord, pcapRecordLength, pcapngHeader, pcapngSectionHeader, pcapngInterfaceBlock,
  writePcapngPacket, pcapngPacketLength, createTranslator, type PacketRecord, type TsResolution,
} from '../../src/index.js';
import { readPcap } from '../helpers/pcap-records.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const h = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const HAS_TSHARK = spawnSync('tshark', ['--version'], { stdio: 'ignore' }).status === 0;

const packet: PacketRecord = { sec: 0x12345678, nsec: 999_999_999, len: 60, data: h('0102030405') };

describe('classic pcap', () => {
  it('global header: magic by resolution, version 2.4, zone and sigfigs 0, snap length, link type; little-endian', () => {
    expect(hex(pcapFileHeader(1, 262144, 'us'))).toBe('d4c3b2a1' + '0200' + '0400' + '00000000' + '00000000' + '00000400' + '01000000');
    expect(hex(pcapFileHeader(113, 65535, 'ns'))).toBe('4d3cb2a1' + '0200' + '0400' + '00000000' + '00000000' + 'ffff0000' + '71000000');
  });

  it('record: seconds, the fraction in the file resolution (µs cut, not rounded), captured and wire lengths, the bytes', () => {
    const out = new Uint8Array(pcapRecordLength(packet));
    expect(writePcapRecord(out, 0, packet, 'us')).toBe(21);
    expect(hex(out)).toBe('78563412' + '3f420f00' + '05000000' + '3c000000' + '0102030405');
    writePcapRecord(out, 0, packet, 'ns');
    expect(hex(out.subarray(4, 8))).toBe('ffc99a3b');
    // At an offset into a larger buffer (the writers stage records in one).
    const big = new Uint8Array(100).fill(0xee);
    writePcapRecord(big, 7, packet, 'us');
    expect(hex(big.subarray(7, 28))).toBe(hex(out.subarray(0, 4)) + '3f420f00' + '05000000' + '3c000000' + '0102030405');
    expect(big[6]).toBe(0xee);
    expect(big[28]).toBe(0xee);
  });
});

describe('pcapng', () => {
  it('Section Header Block: byte-order magic, version 1.0, section length -1, shb_userappl', () => {
    expect(hex(pcapngSectionHeader('tracecap'))).toBe(
      '0a0d0d0a' + '2c000000' + '4d3c2b1a' + '0100' + '0000' + 'ffffffffffffffff'
      + '0400' + '0800' + Buffer.from('tracecap').toString('hex') + '00000000' + '2c000000');
    // Without options: none, not even opt_endofopt.
    expect(hex(pcapngSectionHeader())).toBe('0a0d0d0a' + '1c000000' + '4d3c2b1a' + '01000000' + 'ffffffffffffffff' + '1c000000');
  });

  it('Interface Description Block: link type, snap length, if_name (padded), if_tsresol, if_filter', () => {
    expect(hex(pcapngInterfaceBlock({ linktype: 1, snaplen: 262144, name: 'lo', resolution: 'us' }))).toBe(
      '01000000' + '28000000' + '0100' + '0000' + '00000400'
      + '0200' + '0200' + '6c6f0000' + '0900' + '0100' + '06000000' + '00000000' + '28000000');
    const b = pcapngInterfaceBlock({ linktype: 113, snaplen: 100, name: 'eth0', filter: 'udp', resolution: 'ns' });
    expect(hex(b)).toBe(
      '01000000' + '30000000' + '7100' + '0000' + '64000000'
      + '0200' + '0400' + '65746830' + '0900' + '0100' + '09000000' + '0b00' + '0400' + '00756470' + '00000000' + '30000000');
  });

  it('Enhanced Packet Block: interface id, 64-bit time stamp in the interface units (high word first), lengths, padded data', () => {
    const n = pcapngPacketLength(packet);
    expect(n).toBe(40);
    const out = new Uint8Array(n + 8).fill(0xee);
    expect(writePcapngPacket(out, 4, 3, packet, 'us')).toBe(40);
    const us = BigInt(packet.sec) * 1_000_000n + 999_999n;
    const ns = BigInt(packet.sec) * 1_000_000_000n + 999_999_999n;
    const word = (v: bigint) => Buffer.from(Uint32Array.of(Number(v)).buffer).toString('hex');
    expect(hex(out.subarray(4, 44))).toBe(
      '06000000' + '28000000' + '03000000' + word(us >> 32n) + word(us & 0xffffffffn) + '05000000' + '3c000000'
      + '0102030405000000' + '28000000');
    expect(out[3]).toBe(0xee);
    expect(out[44]).toBe(0xee);
    writePcapngPacket(out, 4, 0, packet, 'ns');
    expect(hex(out.subarray(16, 24))).toBe(word(ns >> 32n) + word(ns & 0xffffffffn));
  });
});

// Packets of a real capture, given alternately to two interfaces.
const { linktype, packets } = readPcap(readFileSync(join(ROOT, 'examples/dns.pcap')));

function pcapngOf(resolution: TsResolution): Uint8Array {
  const header = pcapngHeader([
    { linktype, snaplen: 262144, name: 'eth0', resolution },
    { linktype, snaplen: 65535, name: 'lo', filter: 'udp port 53', resolution },
  ]);
  const parts = [header];
  packets.forEach((p, i) => {
    const b = new Uint8Array(pcapngPacketLength(p));
    writePcapngPacket(b, 0, i % 2, p, resolution);
    parts.push(b);
  });
  return Buffer.concat(parts);
}

function pcapOf(resolution: TsResolution): Uint8Array {
  const parts = [pcapFileHeader(linktype, 262144, resolution)];
  for (const p of packets) {
    const b = new Uint8Array(pcapRecordLength(p));
    writePcapRecord(b, 0, p, resolution);
    parts.push(b);
  }
  return Buffer.concat(parts);
}

describe('whole files, read back', () => {
  it('classic pcap in µs is the file tcpdump wrote, byte for byte (examples/dns.pcap)', () => {
    const original = readFileSync(join(ROOT, 'examples/dns.pcap'));
    // Only the snap length of the header may differ; the records are the same bytes.
    const written = Buffer.from(pcapOf('us'));
    expect(written.subarray(24).equals(original.subarray(24))).toBe(true);
    expect(written.subarray(0, 16).equals(original.subarray(0, 16))).toBe(true);
    expect(written.readUInt32LE(20)).toBe(original.readUInt32LE(20));
  });

  it('the core reads the pcapng and the nanosecond pcap: the same records as the original (but the interface)', async () => {
    const wasm = readFileSync(join(ROOT, 'build/tracecap.wasm'));
    const translate = async (bytes: Uint8Array) => {
      const t = await createTranslator(wasm, { verbosity: 'info', ifaceName: 'x', ifaceIndex: 0 });
      const out = Buffer.concat([t.push(bytes), t.finish()]).toString('utf8');
      expect(t.error).toBeNull();
      return out;
    };
    const original = await translate(readFileSync(join(ROOT, 'examples/dns.pcap')));
    expect(original.split('\n').length - 1).toBe(packets.length);
    expect(await translate(pcapOf('ns'))).toBe(original);
    // pcapng: a packet's interface id (0 or 1) is its index, which flow ids fold in: compare
    // what does not depend on it.
    const fromNg = (await translate(pcapngOf('us'))).split('\n');
    expect(fromNg).toHaveLength(original.split('\n').length);
    original.split('\n').forEach((l, i) => {
      if (!l) return;
      const a = JSON.parse(l), b = JSON.parse(fromNg[i]!);
      expect(b.timestamp).toEqual(a.timestamp);
      expect(b.L2).toEqual(a.L2);
      expect([b.L3.src, b.L3.dst, b.L3.len]).toEqual([a.L3.src, a.L3.dst, a.L3.len]);
      expect(b.DNS).toEqual(a.DNS);
    });
  });

  it.skipIf(!HAS_TSHARK)('tshark reads the pcapng: interfaces, names, link types, time stamps (µs and ns), lengths', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tracecap-pcapfile-'));
    for (const resolution of ['us', 'ns'] as const) {
      const file = join(dir, `two-${resolution}.pcapng`);
      writeFileSync(file, pcapngOf(resolution));
      const r = spawnSync('tshark', ['-r', file, '-T', 'fields', '-E', 'separator=,', '-e', 'frame.interface_id', '-e', 'frame.interface_name',
        '-e', 'frame.time_epoch', '-e', 'frame.len', '-e', 'frame.cap_len', '-e', 'frame.encap_type'], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const rows = r.stdout.trim().split('\n').map((l) => l.split(','));
      expect(rows).toHaveLength(packets.length);
      rows.forEach(([id, name, time, len, cap, encap], i) => {
        const p = packets[i]!;
        expect(Number(id)).toBe(i % 2);
        expect(name).toBe(i % 2 ? 'lo' : 'eth0');
        // tshark prints nanoseconds; a µs file has them to the microsecond.
        const frac = String(resolution === 'us' ? Math.floor(p.nsec / 1000) * 1000 : p.nsec).padStart(9, '0');
        expect(time).toBe(`${p.sec}.${frac}`);
        expect(Number(len)).toBe(p.len);
        expect(Number(cap)).toBe(p.data.length);
        expect(Number(encap)).toBe(1); // WTAP_ENCAP_ETHERNET
      });
      const info = spawnSync('capinfos', ['-M', file], { encoding: 'utf8' });
      expect(info.stdout).toMatch(/Filter string = udp port 53/);
      expect(info.stdout).toMatch(resolution === 'us' ? /Time precision = microseconds \(6\)/ : /Time precision = nanoseconds \(9\)/);
      expect(info.stdout).toMatch(/Capture application: tracecap/);
    }
  });
});
