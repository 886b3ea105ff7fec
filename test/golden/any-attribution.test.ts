// Interface attribution on `any` (reference §3.3, §2.2 `iface`, §2.4 message prefix): with the
// OS interface table (`osInterfaces`), a packet captured on `any` names the interface that owns
// its source address, else its destination address, in the message prefix and (DEBUG) in the
// `iface` object. Labels and the operation id keep the capture interface name, meta.flow and flow
// its index 0, `local` its (empty) address set (§3.4). Every other byte stays the same.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { createTranslator, type TranslatorOptions } from '../../src/index.js';
import * as B from '../helpers/build.js';

const wasm = new WebAssembly.Module(readFileSync('build/tracecap.wasm'));
const H2C_ANY = readFileSync(new URL('../../../shared/corpus/http/h2c-any-sll2.pcap', import.meta.url).pathname);

const TABLE = [{ index: 1, name: 'lo', addrs: ['127.0.0.1', '::1'] }, { index: 2, name: 'eth0', addrs: ['10.0.0.2'] }];
const LO = { addrs: ['127.0.0.1', '::1'], index: 1, name: 'lo' };
const ETH0 = { addrs: ['10.0.0.2'], index: 2, name: 'eth0' };
const ANY = { index: 0, name: 'any' };
const ANY_META_FLOW = '12161962213042174405'; // hashU64(0), reference §3.1

async function text(cap: Uint8Array, o: TranslatorOptions = {}): Promise<string> {
  const t = await createTranslator(wasm, o);
  const out = new TextDecoder().decode(B.bytes(t.push(cap), t.finish()));
  expect(t.error).toBeNull();
  return out;
}
const lines = (s: string) => { const l = s.split('\n'); expect(l.pop()).toBe(''); return l; };

// The line without a table, changed exactly where attribution may change it: the iface object
// and the message prefix. Anything else that differs fails the byte comparison.
function attributed(line: string, to: { index: number; name: string; addrs: string[] } | null, dbg: boolean): string {
  if (!to) return line;
  let s = line;
  if (dbg) {
    const obj = `"iface":{"addrs":[${to.addrs.map((a) => JSON.stringify(a)).join(',')}],"index":${to.index},"name":${JSON.stringify(to.name)}},`;
    expect(s).toContain('"iface":{"index":0,"name":"any"},');
    s = s.replace('"iface":{"index":0,"name":"any"},', obj);
  }
  expect(s).toMatch(/"message":"#\d+ \| @0\/any/);
  return s.replace(/("message":"#\d+ \| )@0\/any/, `$1@${to.index}/${to.name}`);
}

describe('attribution on any: h2c-any-sll2.pcap (loopback traffic captured on any, SLL2)', () => {
  for (const verbosity of ['info', 'debug'] as const) {
    it(`${verbosity}: every record names lo/1; all else is byte-identical to the records without a table`, async () => {
      const plain = lines(await text(H2C_ANY, { verbosity }));
      const got = lines(await text(H2C_ANY, { verbosity, osInterfaces: TABLE }));
      expect(got.length).toBe(33);
      expect(got.length).toBe(plain.length);
      for (let i = 0; i < got.length; i++) {
        expect(got[i]).toBe(attributed(plain[i]!, LO, verbosity === 'debug'));
        const r = JSON.parse(got[i]!);
        expect(r.message.startsWith(`#${i} | @1/lo | flow:`)).toBe(true);
        if (verbosity === 'debug') {
          expect(r.iface).toEqual(LO);
          expect(r['logging.googleapis.com/labels']['run.googleapis.com/pcap/iface']).toBe('any');
        } else expect(r).not.toHaveProperty('iface');
        expect(r['logging.googleapis.com/operation'].id).toMatch(/^tracecap\/iface\/any\/flow\/tcp:\d+$/);
        expect(r.meta.flow).toBe(ANY_META_FLOW);
        expect(r.local).toBe(false);
      }
    });
  }
  it('no table, an empty table, or a table on a capture whose interface is not any: the same bytes as today', async () => {
    const ref = await text(H2C_ANY);
    expect(await text(H2C_ANY, { osInterfaces: [] })).toBe(ref);
    const eth1 = await text(H2C_ANY, { ifaceName: 'eth1', ifaceIndex: 3 });
    expect(await text(H2C_ANY, { ifaceName: 'eth1', ifaceIndex: 3, osInterfaces: TABLE })).toBe(eth1);
    // the interface name decides, not the index: `any` given with another index is still any
    const any7 = lines(await text(H2C_ANY, { ifaceName: 'any', ifaceIndex: 7 }));
    const any7t = lines(await text(H2C_ANY, { ifaceName: 'any', ifaceIndex: 7, osInterfaces: TABLE }));
    expect(any7t[0]).toContain('"iface":{"addrs":["127.0.0.1","::1"],"index":1,"name":"lo"}');
    expect(any7t[0]).toContain('"run.googleapis.com/pcap/iface":"any"');
    expect(any7t[0]).not.toBe(any7[0]);
  });
});

// Hand-built packets on `any` (SLL2, as libpcap writes for any), one per rule.
const udp4 = (src: string, dst: string) => B.sll2({ payload: B.ipv4({ src, dst, proto: 17, payload: B.udp({ src, dst, srcPort: 40000, dstPort: 53, payload: B.ascii('q') }) }) });
const tcp6 = (src: string, dst: string) => B.sll2({ protocol: B.ETH.IPV6, payload: B.ipv6({ src, dst, nextHeader: 6, payload: B.tcp({ src, dst, srcPort: 40000, dstPort: 80 }) }) });
const arp = (senderIp: string, targetIp: string) => B.sll2({ protocol: B.ETH.ARP, payload: B.arp({ senderIp, targetIp }) });
const CASES: Array<[string, Uint8Array, typeof LO | null]> = [
  ['source on eth0', udp4('10.0.0.2', '93.184.216.34'), ETH0],
  ['source on no interface, destination on eth0', udp4('93.184.216.34', '10.0.0.2'), ETH0],
  ['source on eth0, destination on lo: the source wins', udp4('10.0.0.2', '127.0.0.1'), ETH0],
  ['source on lo, destination on eth0: the source wins', udp4('127.0.0.1', '10.0.0.2'), LO],
  ['neither address on an interface: any/0', udp4('192.0.2.1', '198.51.100.1'), null],
  ['ARP: the sender protocol address', arp('10.0.0.2', '10.0.0.1'), ETH0],
  ['ARP: the sender before the target', arp('127.0.0.1', '10.0.0.2'), LO],
  ['ARP: the target when the sender is on no interface', arp('10.0.0.1', '127.0.0.1'), LO],
  ['ARP: neither address on an interface', arp('10.0.0.1', '10.0.0.3'), null],
  ['IPv6 ::1 on lo', tcp6('::1', '::1'), LO],
  ['IPv6 destination on lo', tcp6('2001:db8::1', '::1'), LO],
  ['an IPv4-mapped IPv6 source is its IPv4 address (Go compares string forms)', tcp6('::ffff:10.0.0.2', '2001:db8::1'), ETH0],
  ['no L3 and no ARP: any/0', B.sll2({ protocol: 0x88cc, payload: B.hex('0207040002000000000102') }), null],
];

describe('attribution on any: hand-built packets', () => {
  for (const verbosity of ['info', 'debug'] as const) {
    it(`${verbosity}: source before destination, ARP by protocol addresses, unknown stays any/0; nothing else changes`, async () => {
      const cap = B.pcap(CASES.map(([, data], i) => ({ data, ts: { sec: 1700000000 + i, nsec: 0 } })), { linkType: 276, nano: true });
      const plain = lines(await text(cap, { verbosity }));
      const got = lines(await text(cap, { verbosity, osInterfaces: TABLE }));
      expect(got.length).toBe(CASES.length);
      CASES.forEach(([what, , to], i) => {
        const r = JSON.parse(got[i]!);
        const want = to ?? { ...ANY, addrs: [] };
        expect(r.message.startsWith(`#${i} | @${want.index}/${want.name}`), what).toBe(true);
        if (verbosity === 'debug') expect(r.iface, what).toEqual(to ?? ANY);
        expect(r.meta.flow, what).toBe(ANY_META_FLOW);
        expect(r['logging.googleapis.com/operation'].id, what).toContain('/iface/any/flow/');
        expect(got[i], what).toBe(attributed(plain[i]!, to, verbosity === 'debug'));
      });
    });
  }
  it('pcapng: the if_name in effect decides; an ifaceName option overrides it', async () => {
    const pkts = [udp4('10.0.0.2', '93.184.216.34'), udp4('127.0.0.1', '10.0.0.2')];
    const cap = B.pcapng({ blocks: [
      { type: 'idb', linkType: 276, name: 'any' },
      { type: 'idb', linkType: 276, name: 'eth1' },
      ...pkts.flatMap((data, i) => [0, 1].map((iface) => ({ type: 'epb' as const, iface, ts: { sec: 1700000000 + i, nsec: 0 }, data }))),
    ] });
    const r = lines(await text(cap, { osInterfaces: TABLE })).map((l) => JSON.parse(l));
    expect(r.map((x) => x.iface)).toEqual([ETH0, { index: 1, name: 'eth1' }, LO, { index: 1, name: 'eth1' }]);
    expect(r.map((x) => x.message.split(' | ')[1])).toEqual(['@2/eth0', '@1/eth1', '@1/lo', '@1/eth1']);
    const o = lines(await text(cap, { osInterfaces: TABLE, ifaceName: 'any' })).map((l) => JSON.parse(l));
    expect(o.map((x) => x.iface.name)).toEqual(['eth0', 'eth0', 'lo', 'lo']);
    expect(o.map((x) => x['logging.googleapis.com/labels']['run.googleapis.com/pcap/iface'])).toEqual(['any', 'any', 'any', 'any']);
    // the capture index (the pcapng interface id) still feeds meta.flow
    expect(o[0].meta.flow).not.toBe(o[1].meta.flow);
  });
  it('an address on two interfaces belongs to the last listed; repeated addresses are listed once', async () => {
    const cap = B.pcap([udp4('10.0.0.2', '93.184.216.34')], { linkType: 276 });
    const table = [...TABLE, { index: 9, name: 'dummy0', addrs: ['10.0.0.2', '10.0.0.9', '10.0.0.2'] }];
    const [r] = lines(await text(cap, { osInterfaces: table })).map((l) => JSON.parse(l));
    expect(r.iface).toEqual({ addrs: ['10.0.0.2', '10.0.0.9'], index: 9, name: 'dummy0' });
    expect(r.message).toMatch(/^#0 \| @9\/dummy0 \| flow:/);
  });
  it('names are JSON-escaped in the iface object and the message', async () => {
    const cap = B.pcap([udp4('10.0.0.2', '93.184.216.34')], { linkType: 276 });
    const name = 'e<"\\>ü';
    const out = await text(cap, { osInterfaces: [{ index: 4, name, addrs: ['10.0.0.2'] }] });
    const [r] = lines(out).map((l) => JSON.parse(l));
    expect(r.iface.name).toBe(name);
    expect(r.message.startsWith(`#0 | @4/${name} | flow:`)).toBe(true);
    expect(out).toContain('"name":"e\\u003c\\"\\\\\\u003eü"');
  });
});

describe('osInterfaces option', () => {
  const bad = (osInterfaces: unknown) => createTranslator(wasm, { osInterfaces: osInterfaces as TranslatorOptions['osInterfaces'] });
  it('rejects bad tables with a RangeError naming the entry', async () => {
    await expect(bad('lo')).rejects.toThrow(RangeError);
    await expect(bad([null])).rejects.toThrow(/osInterfaces\[0\] must be an object/);
    await expect(bad([{ index: -1, name: 'lo', addrs: [] }])).rejects.toThrow(/osInterfaces\[0\]: index/);
    await expect(bad([{ index: 1.5, name: 'lo', addrs: [] }])).rejects.toThrow(RangeError);
    await expect(bad([{ index: 2 ** 31, name: 'lo', addrs: [] }])).rejects.toThrow(RangeError);
    await expect(bad([{ index: 1, name: '', addrs: [] }])).rejects.toThrow(/name must be 1 to 64 bytes/);
    await expect(bad([{ index: 1, name: 'é'.repeat(33), addrs: [] }])).rejects.toThrow(/name must be 1 to 64 bytes/);
    await expect(bad([{ index: 1, name: 'x'.repeat(5000), addrs: [] }])).rejects.toThrow(/name must be 1 to 64 bytes/);
    await expect(bad([{ index: 1, name: 'lo' }])).rejects.toThrow(/addrs must be an array/);
    await expect(bad([{ index: 1, name: 'lo', addrs: ['127.0.0.256'] }])).rejects.toThrow(/not an IP address/);
    await expect(bad([{ index: 1, name: 'lo', addrs: [7] }])).rejects.toThrow(/not an IP address/);
    await expect(bad([{ index: 1, name: 'lo', addrs: Array.from({ length: 17 }, (_, i) => `10.0.0.${i}`) }])).rejects.toThrow(/osInterfaces\[0\]: has more than 16/);
    await expect(bad(Array.from({ length: 65 }, (_, i) => ({ index: i + 1, name: `if${i}`, addrs: [] })))).rejects.toThrow(/osInterfaces\[64\]: too many OS interfaces \(limit 64\)/);
  });
  it('accepts the limits: 64 interfaces, 16 distinct addresses each (repeats not counted), 64-byte names', async () => {
    const addrs = [...Array.from({ length: 16 }, (_, i) => `10.0.0.${i}`), '10.0.0.3'];
    const table = Array.from({ length: 64 }, (_, i) => ({ index: i + 1, name: 'n'.repeat(62) + String(i).padStart(2, '0'), addrs: i === 63 ? addrs : [] }));
    const cap = B.pcap([udp4('10.0.0.15', '192.0.2.1')], { linkType: 276 });
    const [r] = lines(await text(cap, { osInterfaces: table })).map((l) => JSON.parse(l));
    expect(r.iface).toEqual({ addrs: addrs.slice(0, 16), index: 64, name: 'n'.repeat(62) + '63' });
  });
});
