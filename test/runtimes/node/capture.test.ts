// The live-capture pieces that need no privileges: device selection, the pcap stream parser,
// tcpdump's command line and counters, node_pcap's link types.
import { describe, it, expect } from 'vitest';
import { selectInterfaces, listInterfaces, ANY_INTERFACE } from '../../../runtimes/node/capture/interfaces.js';
import { PcapStreamParser, pcapGlobalHeader, writeRecordHeader } from '../../../runtimes/node/capture/pcapstream.js';
import { parseTcpdumpStats, tcpdumpArgs } from '../../../runtimes/node/capture/tcpdump.js';
import { linktypeOf } from '../../../runtimes/node/capture/libpcap.js';
import { CaptureStartError, startFailure, type CapturedPacket, type OsInterface } from '../../../runtimes/node/capture/types.js';
import * as B from '../../helpers/build.js';

const TABLE: OsInterface[] = [
  { index: 1, name: 'lo', addrs: ['127.0.0.1', '::1'] },
  { index: 2, name: 'eth0', addrs: ['10.0.0.2', 'fe80::1'] },
  { index: 3, name: 'eth1', addrs: [] },
  { index: 4, name: 'ipvlan-eth2', addrs: ['10.0.1.2'] },
  { index: 5, name: 'veth9', addrs: [] },
];
const names = (l: OsInterface[]) => l.map((i) => i.name);

describe('selectInterfaces', () => {
  it('an exact name selects that interface only (no ipvlan- prefix)', () => {
    expect(selectInterfaces(['eth0'], TABLE)).toEqual([TABLE[1]]);
    expect(() => selectInterfaces(['eth2'], TABLE)).toThrow(CaptureStartError);
  });
  it('a prefix with * selects every name starting with it, also after ipvlan- (upstream regex)', () => {
    expect(names(selectInterfaces(['eth*'], TABLE))).toEqual(['eth0', 'eth1', 'ipvlan-eth2']);
    expect(names(selectInterfaces(['e*'], TABLE))).toEqual(['eth0', 'eth1', 'ipvlan-eth2']);
  });
  it('any is the pseudo-device: index 0, no addresses', () => {
    expect(selectInterfaces(['any'], TABLE)).toEqual([ANY_INTERFACE]);
    expect(ANY_INTERFACE).toEqual({ index: 0, name: 'any', addrs: [] });
  });
  it('-i repeats: in the order given, each interface once', () => {
    expect(names(selectInterfaces(['lo', 'eth*', 'eth0', 'veth9'], TABLE))).toEqual(['lo', 'eth0', 'eth1', 'ipvlan-eth2', 'veth9']);
  });
  it('no match, no pattern, or a * elsewhere than at the end: one line naming the pattern', () => {
    expect(() => selectInterfaces(['wlan*'], TABLE)).toThrow('-i "wlan*": no such interface (interfaces: lo, eth0, eth1, ipvlan-eth2, veth9, any)');
    expect(() => selectInterfaces([], TABLE)).toThrow(/no interface given/);
    expect(() => selectInterfaces(['e*h'], TABLE)).toThrow(/-i "e\*h": give a name, a prefix followed by one '\*' at the end/);
    expect(() => selectInterfaces(['*'], TABLE)).toThrow(CaptureStartError);
  });
  it('the OS table has lo with its index, addresses as text without IPv6 zones', () => {
    const lo = listInterfaces().find((i) => i.name === 'lo');
    expect(lo?.index).toBeGreaterThan(0);
    for (const i of listInterfaces()) for (const a of i.addrs) expect(a).not.toContain('%');
  });
});

describe('PcapStreamParser', () => {
  const packets = [B.hex('01 02 03'), new Uint8Array(0), B.hex('aa bb cc dd ee ff 00 11')];
  for (const [name, o] of [['µs little-endian', {}], ['ns big-endian', { nano: true, bigEndian: true }]] as const) {
    it(`${name}: header and packets, whatever the chunking`, () => {
      const file = B.pcap(packets.map((data, i) => ({ data, ts: { sec: 1700000000 + i, nsec: 'nano' in o ? 123456789 : 123456000 }, origLen: data.length + 5 })), { ...o, linkType: 113, snaplen: 65535 });
      for (const size of [1, 7, 16, file.length]) {
        const got: CapturedPacket[] = [];
        const headers: unknown[] = [];
        const p = new PcapStreamParser((h) => headers.push(h), (pk) => got.push({ ...pk, data: pk.data.slice() }));
        for (let off = 0; off < file.length; off += size) p.push(Buffer.from(file.subarray(off, off + size)));
        expect(headers).toEqual([{ linktype: 113, snaplen: 65535, nano: 'nano' in o }]);
        expect(got.map((g) => [g.sec, g.nsec, g.len, B.toHex(g.data)])).toEqual(packets.map((d, i) => [1700000000 + i, 123456000 + ('nano' in o ? 789 : 0), d.length + 5, B.toHex(d)]));
        expect(p.pending).toBe(0);
      }
    });
  }
  it('a stream that is not pcap is an error', () => {
    const p = new PcapStreamParser(() => {}, () => {});
    expect(() => p.push(Buffer.alloc(24, 0x41))).toThrow(/bad magic 0x41414141/);
  });
  it('the writer side: a nanosecond header and records the parser reads back', () => {
    const rec = new Uint8Array(16 + 2);
    writeRecordHeader(rec, 0, { sec: 5, nsec: 999999999, len: 60, data: B.hex('ab cd') });
    rec.set(B.hex('ab cd'), 16);
    const got: CapturedPacket[] = [];
    const p = new PcapStreamParser(() => {}, (pk) => got.push({ ...pk, data: pk.data.slice() }));
    p.push(Buffer.concat([pcapGlobalHeader(1, 262144), rec]));
    expect(p.header).toEqual({ linktype: 1, snaplen: 262144, nano: true });
    expect(got.map((g) => [g.sec, g.nsec, g.len, B.toHex(g.data)])).toEqual([[5, 999999999, 60, 'ab cd']]);
  });
});

describe('tcpdump engine pieces', () => {
  const iface = { index: 1, name: 'lo', addrs: [] };
  it('command line: packets to stdout as read, no name lookups, -p, -Z root only as root, cooked v1 on any', () => {
    expect(tcpdumpArgs({ iface, snaplen: 262144, promisc: true, filter: 'port 80' }, true))
      .toEqual(['-U', '-w', '-', '-n', '-i', 'lo', '-s', '262144', '-B', '8192', '-Z', 'root', '--', 'port 80']);
    expect(tcpdumpArgs({ iface: ANY_INTERFACE, snaplen: 100, promisc: false, filter: '' }, false))
      .toEqual(['-U', '-w', '-', '-n', '-i', 'any', '-s', '100', '-B', '8192', '-p', '-y', 'LINUX_SLL']);
  });
  it('parses the counters tcpdump prints at exit (singular, and the interface line it omits at 0)', () => {
    expect(parseTcpdumpStats('tcpdump: listening on lo\n1 packet captured\n2 packets received by filter\n0 packets dropped by kernel\n'))
      .toEqual({ captured: 1, received: 2, droppedByKernel: 0, droppedByInterface: 0 });
    expect(parseTcpdumpStats('5 packets captured\n9 packets received by filter\n3 packets dropped by kernel\n1 packet dropped by interface\n'))
      .toEqual({ captured: 5, received: 9, droppedByKernel: 3, droppedByInterface: 1 });
    expect(parseTcpdumpStats('tcpdump: lo: No such device exists\n')).toEqual({ captured: null, received: null, droppedByKernel: null, droppedByInterface: null });
  });
  it("node_pcap's link-type names map to LINKTYPE_ numbers", () => {
    expect(['LINKTYPE_ETHERNET', 'LINKTYPE_LINUX_SLL', 'LINKTYPE_RAW', 'LINKTYPE_NULL', 'Unknown linktype 276', 'Unknown linktype 12', 'nonsense'].map(linktypeOf))
      .toEqual([1, 113, 101, 0, 276, 101, -1]);
  });
});

describe('startFailure', () => {
  it('one line naming the interface; a reason that does not name it is the filter\'s; permission errors say what helps', () => {
    expect(startFailure('lo', 'udp and and', "can't parse filter expression: syntax error")).toBe('lo: can\'t parse filter expression: syntax error (filter "udp and and")');
    expect(startFailure('lo', '', 'lo: That device is not up')).toBe('lo: That device is not up');
    expect(startFailure('lo', 'udp', 'socket: Operation not permitted')).toBe('lo: socket: Operation not permitted (capturing needs root or CAP_NET_RAW)');
    expect(startFailure('eth0', '', "eth0: You don't have permission to perform this capture on that device")).toMatch(/^eth0: You don't have permission .* \(capturing needs root/);
  });
});
