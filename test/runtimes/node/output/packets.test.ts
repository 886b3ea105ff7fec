// The packet files (--pcap-w): a real capture's packets written through the rotating writer as
// classic pcap and pcapng, one set of files per interface or one for all. Every file opens alone
// (its own header), no record is ever cut by -C, the files in order hold every packet exactly,
// trigger windows complete their file, and a classic file refuses two link types.
import { describe, it, expect } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { openPacketFiles, LinkTypeError, checkPacketTemplate, interfaceTemplate, type PacketSource } from '../../../../runtimes/node/output/packets.js';
import { TemplateError } from '../../../../runtimes/node/output/strftime.js';
import { createFinisher } from '../../../../runtimes/node/output/finish.js';
import { readPcap, readPcapng, type PcapPacket } from '../../../helpers/pcap-records.js';

const HTTP = new URL('../../../../../shared/corpus/http/', import.meta.url).pathname;
const { linktype, packets } = readPcap(readFileSync(HTTP + 'h1-keepalive-mtu1500.pcap'));
const T0 = Date.UTC(2023, 10, 14, 22, 13, 20);

let n = 0;
const newDir = () => mkdtempSync(join(tmpdir(), `tracecap-packets-${n++}-`));
const lo: PacketSource = { iface: { name: 'lo', index: 1 }, linktype, snaplen: 262144, resolution: 'us' };
const eth: PacketSource = { iface: { name: 'eth0', index: 2 }, linktype, snaplen: 65535, resolution: 'us', filter: 'tcp' };
const usOf = (p: PcapPacket) => ({ ...p, nsec: Math.floor(p.nsec / 1000) * 1000 });
const same = (a: PcapPacket, b: PcapPacket) => a.sec === b.sec && a.nsec === b.nsec && a.len === b.len && Buffer.from(a.data).equals(Buffer.from(b.data));

function expectPackets(got: PcapPacket[], want: PcapPacket[], what: string): void {
  expect(got.length, what).toBe(want.length);
  got.forEach((p, i) => expect(same(p, usOf(want[i]!)), `${what}: packet ${i}`).toBe(true));
}

describe('packet files', () => {
  for (const mode of ['direct', 'thread'] as const) it(`classic pcap, -C (${mode}): each file a valid pcap of its own, none past the limit, the files in order hold every packet`, () => {
    const dir = newDir();
    const limit = 50_000;
    const files = openPacketFiles({ template: join(dir, 'p_%H%M%S.pcap'), format: 'pcap', rotateBytes: limit, now: () => T0, mode }, [lo]);
    for (const p of packets) files.write(0, p);
    files.close();
    expect(files.files.length).toBeGreaterThan(3);
    expect(readdirSync(dir).filter((f) => f.startsWith('.'))).toEqual([]);
    const all: PcapPacket[] = [];
    files.files.forEach((f, k) => {
      const bytes = readFileSync(f);
      const file = readPcap(bytes);
      if (bytes.length > limit) expect(file.packets.length, `${f} alone past the limit`).toBe(1);
      // A new file only when the next packet would not fit.
      const next = files.files[k + 1] && readPcap(readFileSync(files.files[k + 1]!)).packets[0];
      if (next) expect(bytes.length + 16 + next.data.length, f).toBeGreaterThan(limit);
      expect(file.linktype).toBe(linktype);
      expect(bytes.readUInt32LE(0)).toBe(0xa1b2c3d4);
      expect(bytes.readUInt32LE(16)).toBe(262144);
      all.push(...file.packets);
    });
    expectPackets(all, packets, 'all files');
    // Names: the open time, ~000001 … as -w gives them.
    expect(files.files[0]).toBe(join(dir, 'p_221320.pcap'));
    expect(files.files[1]).toBe(join(dir, 'p_221320~000001.pcap'));
  });

  it('-C smaller than a packet: each packet alone in its file, whole; -W keeps the newest', () => {
    const dir = newDir();
    const files = openPacketFiles({ template: join(dir, 'p.pcap'), format: 'pcap', rotateBytes: 30, maxFiles: 4 }, [lo]);
    for (const p of packets.slice(0, 10)) files.write(0, p);
    files.close();
    expect(files.files).toHaveLength(4);
    expect(readdirSync(dir)).toHaveLength(4);
    expectPackets(files.files.flatMap((f) => readPcap(readFileSync(f)).packets), packets.slice(6, 10), 'the last 4');
  });

  it('-G by the injected clock: a new file at the first packet G seconds after the open', () => {
    const dir = newDir();
    let now = T0;
    const files = openPacketFiles({ template: join(dir, 'p_%H%M%S.pcapng'), format: 'pcapng', rotateSecs: 2, now: () => now }, [lo]);
    packets.slice(0, 30).forEach((p, i) => { now = T0 + i * 250; files.write(0, p); });
    files.close();
    // 30 packets, 0.25 s apart: a file every 8.
    expect(files.files.map((f) => f.slice(dir.length + 1))).toEqual(['p_221320.pcapng', 'p_221322.pcapng', 'p_221324.pcapng', 'p_221326.pcapng']);
    const got = files.files.flatMap((f) => readPcapng(readFileSync(f)).packets);
    expectPackets(got, packets.slice(0, 30), 'pcapng -G');
  });

  it('pcapng, one set for two interfaces: one IDB each (name, link type, snap length), packets with their interface id', () => {
    const dir = newDir();
    const files = openPacketFiles({ template: join(dir, 'both.pcapng'), format: 'pcapng' }, [lo, eth]);
    packets.forEach((p, i) => files.write(i % 2, p));
    files.close();
    expect(files.files).toEqual([join(dir, 'both.pcapng')]);
    const { ifaces, packets: got } = readPcapng(readFileSync(files.files[0]!));
    expect(ifaces).toEqual([{ linktype, snaplen: 262144, name: 'lo', tsresol: 6 }, { linktype, snaplen: 65535, name: 'eth0', tsresol: 6 }]);
    expectPackets(got, packets, 'both');
    got.forEach((p, i) => expect(p.iface).toBe(i % 2));
  });

  it('{iface} and {ifindex}: one set of files per interface, named by it, each with its own packets', () => {
    for (const format of ['pcap', 'pcapng'] as const) {
      const dir = newDir();
      const files = openPacketFiles({ template: join(dir, `part__{ifindex}_{iface}__%Y%m%dT%H%M%S.${format}`), format, now: () => T0 }, [lo, eth]);
      packets.forEach((p, i) => files.write(i % 2, p));
      files.close();
      expect(readdirSync(dir).sort()).toEqual([`part__1_lo__20231114T221320.${format}`, `part__2_eth0__20231114T221320.${format}`]);
      for (const [k, name] of [[0, 'part__1_lo'], [1, 'part__2_eth0']] as const) {
        const bytes = readFileSync(join(dir, `${name}__20231114T221320.${format}`));
        const got = format === 'pcap' ? readPcap(bytes).packets : readPcapng(bytes).packets;
        if (format === 'pcapng') expect(readPcapng(bytes).ifaces.map((i) => i.name)).toEqual([k ? 'eth0' : 'lo']);
        expectPackets(got, packets.filter((_, i) => i % 2 === k), `${format} ${name}`);
      }
    }
  });

  it('classic pcap, one set: interfaces of one link type are merged; of two, a LinkTypeError naming them', () => {
    const dir = newDir();
    const files = openPacketFiles({ template: join(dir, 'm.pcap'), format: 'pcap' }, [lo, eth]);
    packets.forEach((p, i) => files.write(i % 2, p));
    files.close();
    const merged = readPcap(readFileSync(join(dir, 'm.pcap')));
    expectPackets(merged.packets, packets, 'merged');
    expect(readFileSync(join(dir, 'm.pcap')).readUInt32LE(16)).toBe(262144); // the larger snap length
    const any: PacketSource = { iface: { name: 'any', index: 0 }, linktype: 113, snaplen: 262144, resolution: 'us' };
    expect(() => openPacketFiles({ template: join(dir, 'x.pcap'), format: 'pcap' }, [lo, any])).toThrow(LinkTypeError);
    expect(() => openPacketFiles({ template: join(dir, 'x.pcap'), format: 'pcap' }, [lo, any])).toThrow(
      '--pcap-w: a classic pcap stream holds one link type, and lo has link type 1 (Ethernet) while any has link type 113 (Linux cooked): put {iface} in the template (one set of files per interface), or use --pcap-format pcapng');
    // pcapng and per-interface sets take them.
    openPacketFiles({ template: join(dir, 'x.pcapng'), format: 'pcapng' }, [lo, any]).close();
    openPacketFiles({ template: join(dir, 'x_{iface}.pcap'), format: 'pcap' }, [lo, any]).close();
    expect(readdirSync(dir)).toEqual(['m.pcap']); // no packet, no file
  });

  it('nanosecond engines: ns magic and if_tsresol 9, time stamps exact', () => {
    const dir = newDir();
    const ns: PacketSource = { ...lo, resolution: 'ns' };
    const exact = packets.slice(0, 5).map((p, i) => ({ ...p, nsec: p.nsec + i + 1 }));
    for (const format of ['pcap', 'pcapng'] as const) {
      const files = openPacketFiles({ template: join(dir, `ns.${format}`), format }, [ns]);
      for (const p of exact) files.write(0, p);
      files.close();
      const bytes = readFileSync(join(dir, `ns.${format}`));
      const got = format === 'pcap' ? readPcap(bytes).packets : readPcapng(bytes).packets;
      got.forEach((p, i) => expect([p.sec, p.nsec]).toEqual([exact[i]!.sec, exact[i]!.nsec]));
      if (format === 'pcapng') expect(readPcapng(bytes).ifaces[0]!.tsresol).toBe(9);
    }
  });

  it('trigger windows: a file is completed when the last window open on it closes', () => {
    const dir = newDir();
    const shared = openPacketFiles({ template: join(dir, 'w.pcapng'), format: 'pcapng' }, [lo, eth]);
    shared.windowOpened(0); shared.windowOpened(1);
    shared.write(0, packets[0]!); shared.write(1, packets[1]!);
    shared.windowClosed(0);
    expect(shared.files).toEqual([]); // eth0's window is still open
    shared.write(1, packets[2]!);
    shared.windowClosed(1);
    expect(shared.files).toEqual([join(dir, 'w.pcapng')]);
    shared.windowOpened(0); shared.write(0, packets[3]!); shared.windowClosed(0);
    expect(shared.files).toEqual([join(dir, 'w.pcapng'), join(dir, 'w~000001.pcapng')]);
    shared.close();
    expect(readPcapng(readFileSync(join(dir, 'w.pcapng'))).packets.map((p) => p.iface)).toEqual([0, 1, 1]);
    expect(readPcapng(readFileSync(join(dir, 'w~000001.pcapng'))).packets).toHaveLength(1);
  });

  it('templates: strftime as -w (errors name --pcap-w), placeholders replaced, a % in a name stays a %', () => {
    expect(() => checkPacketTemplate('/x/%Q.pcap')).toThrow(TemplateError);
    expect(() => checkPacketTemplate('/x/%Q_{iface}.pcap')).toThrow(/^--pcap-w template "\/x\/%Q_\{iface\}.pcap": unknown conversion %Q/);
    expect(() => checkPacketTemplate('/x/{iface}_%Y.pcap', 'Mars/Base')).toThrow(/unknown time zone/);
    checkPacketTemplate('/x/part__{ifindex}_{iface}__%Y%m%dT%H%M%S.pcap');
    expect(interfaceTemplate('/x/{iface}.{ifindex}.{iface}.pcap', { name: 'we%rd', index: 7 })).toBe('/x/we%%rd.7.we%%rd.pcap');
  });

  it('--gzip through the finishing queue: each set its own compressed files', async () => {
    const dir = newDir();
    const lines: string[] = [];
    const finisher = createFinisher({ gzip: true, moveTo: null, onError: (l) => lines.push(l) });
    const files = openPacketFiles({ template: join(dir, '{iface}.pcap'), format: 'pcap', rotateBytes: 100_000, finisher }, [lo, eth]);
    packets.forEach((p, i) => files.write(i % 2, p));
    files.close();
    await finisher.drain();
    expect(lines).toEqual([]);
    const names = readdirSync(dir).sort();
    expect(names.every((f) => /^(lo|eth0)(~\d{6})?\.pcap\.gz$/.test(f)), names.join(' ')).toBe(true);
    expect(files.files).toHaveLength(names.length);
    for (const [k, name] of [[0, 'lo'], [1, 'eth0']] as const) {
      const mine = files.files.filter((f) => f.startsWith(join(dir, `${name}.`)) || f.startsWith(join(dir, `${name}~`)));
      const got = mine.flatMap((f) => readPcap(gunzipSync(readFileSync(f))).packets);
      expectPackets(got, packets.filter((_, i) => i % 2 === k), name);
    }
  });
});
