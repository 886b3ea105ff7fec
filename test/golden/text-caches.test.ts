// The renderer caches texts that repeat for every packet of a connection (L2 block, endpoints
// objects, flow/iface/local/labels/operation, the message's addresses; assembly/record/render.ts
// TextCache). Property: a record rendered in the middle of a capture, where those caches are
// warm, equals the record of the same packet translated on its own, with cold caches. Only the
// packet number (and the first packet's "first" flag) may differ.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { createTranslator, type TranslatorOptions } from '../../src/index.js';
import * as B from '../helpers/build.js';

const wasm = new WebAssembly.Module(readFileSync('build/tracecap.wasm'));

// A mix built to collide in every cache: the same 5-tuple on two interfaces, the same addresses
// with other MACs, ports and directions, IPv4 and IPv6, TCP, UDP and a UDP header cut short,
// VLAN tags, and a local address. On `any` with an OS interface table (reference §3.3) the two
// directions of one connection are attributed to different interfaces (10.0.0.1 is lo's,
// 10.0.0.2 eth0's, 192.168.1.9 nobody's), so the same flow id carries different iface texts.
type Pkt = { iface: number; ts: { sec: number; nsec: number }; data: Uint8Array };

function packets(): Pkt[] {
  // Every attribute drawn independently from a small set, so that packets share a cache key
  // while differing in something else.
  let seed = 12345;
  const pick = <T>(xs: readonly T[]): T => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return xs[(seed >> 8) % xs.length]!; };
  const macs = ['02:00:00:00:00:01', '02:00:00:00:00:02', '02:00:00:00:00:03'];
  const v4s = ['10.0.0.1', '10.0.0.2', '192.168.1.9'];
  const v6s = ['fd00::1', 'fd00::2'];
  const ports = [80, 443, 40000];
  const out: Pkt[] = [];
  for (let i = 0; i < 300; i++) {
    const six = pick([false, false, false, true]);
    const a = six ? pick(v6s) : pick(v4s), z = six ? pick(v6s) : pick(v4s);
    const sp = pick(ports), dp = pick(ports);
    const kind = pick(['tcp', 'tcp', 'udp', 'udp-cut'] as const);
    const proto = kind === 'tcp' ? 6 : 17;
    const l4 = kind === 'tcp' ? B.tcp({ src: a, dst: z, srcPort: sp, dstPort: dp, seq: 1000 + i, ack: 5, payload: B.ascii(pick(['', 'x', 'GET'])) })
      : kind === 'udp' ? B.udp({ src: a, dst: z, srcPort: sp, dstPort: dp, payload: B.ascii('q') })
      : B.hex('9c40'); // a UDP header cut after the source port
    const ip = six ? B.ipv6({ src: a, dst: z, nextHeader: proto, payload: l4 }) : B.ipv4({ src: a, dst: z, proto, payload: l4 });
    const data = B.ethernet({ src: pick(macs), dst: pick(macs), vlans: pick([[], [], [], [7]]), type: six ? B.ETH.IPV6 : B.ETH.IPV4, payload: ip });
    out.push({ iface: pick([0, 1]), ts: { sec: 1700000000 + i, nsec: 1000 * i }, data });
  }
  return out;
}

function capture(pkts: Pkt[], names: readonly string[] = ['eth0', 'eth1']): Uint8Array {
  return B.pcapng({
    blocks: [
      { type: 'idb', linkType: 1, name: names[0] },
      { type: 'idb', linkType: 1, name: names[1] },
      ...pkts.map((p) => ({ type: 'epb' as const, iface: p.iface, ts: p.ts, data: p.data })),
    ],
  });
}

async function translate(cap: Uint8Array, o: TranslatorOptions): Promise<any[]> {
  const t = await createTranslator(wasm, o);
  const text = new TextDecoder().decode(B.bytes(t.push(cap), t.finish()));
  expect(t.error).toBeNull();
  const lines = text.split('\n');
  lines.pop();
  return lines.map((l) => JSON.parse(l));
}

// Drops what depends on the packet's position in the capture.
function positionless(r: any): any {
  const c = structuredClone(r);
  delete c.pcap.num;
  c.message = c.message.replace(/^#\d+ /, '#N ');
  delete c['logging.googleapis.com/operation'].first;
  return c;
}

const OS_TABLE = [
  { index: 1, name: 'lo', addrs: ['10.0.0.1', 'fd00::1'] }, { index: 2, name: 'eth0', addrs: ['10.0.0.2'] }, { index: 7, name: 'wg0', addrs: ['fd00::2'] },
];
const CASES: Array<[string, TranslatorOptions, string[]?]> = [
  ['default options', {}],
  ['a local address and names', { ifaceAddrs: ['10.0.0.2', 'fd00::2'], id: 'ctx', logName: 'log/x' }],
  ['one interface index for both interfaces', { ifaceIndex: 3 }],
  // one name and index for both capture interfaces: no change of interface empties the caches
  ['any with an OS interface table', { ifaceName: 'any', ifaceIndex: 0, osInterfaces: OS_TABLE }],
  ['an OS interface table, one interface named any and one not', { osInterfaces: OS_TABLE }, ['any', 'eth1']],
];

describe('record/render text caches', () => {
  for (const verbosity of ['info', 'debug'] as const) {
    for (const [name, o, names] of CASES) {
      it(`${verbosity}, ${name}: a record with warm caches equals the same packet alone`, async () => {
        const pkts = packets();
        const opts: TranslatorOptions = { verbosity, ...o };
        const all = await translate(capture(pkts, names), opts);
        expect(all.length).toBe(pkts.length);
        if (o.osInterfaces) {
          // the mix is attributed to every interface of the table, and some packets to none
          const seen = new Set(all.map((r) => r.message.split(' | ')[1]));
          for (const p of ['@1/lo', '@2/eth0', '@7/wg0', '@0/any']) expect(seen).toContain(p);
        }
        for (let i = 0; i < pkts.length; i++) {
          const [alone] = await translate(capture([pkts[i]!], names), opts);
          const a = positionless(all[i]), b = positionless(alone);
          if (verbosity === 'info') expect(a).toEqual(b);
          else {
            // DEBUG adds connection state (L7 of earlier segments, traces); the cached parts must match.
            for (const k of ['L2', 'flow', 'iface', 'local', 'logging.googleapis.com/labels', 'logging.googleapis.com/operation', 'message']) expect(a[k]).toEqual(b[k]);
            expect(a.L3?.endpoints).toEqual(b.L3?.endpoints);
            expect(a.L4?.endpoints).toEqual(b.L4?.endpoints);
          }
        }
      });
    }
  }
});
