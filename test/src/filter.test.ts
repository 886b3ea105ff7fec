// Packet filters through the API: tcpdump -ddd parsing, BPF program validation errors, the
// software filters (reference §7) on hand-built packets and on real captures, the -c limit,
// and that a rejected packet never reaches the DEBUG analysis.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTranslator, parseBpfDdd, type TranslatorOptions, type BpfInsn } from '../../src/index.js';
import { parsePortList, parseSocketPair, parseCidr, BPF_MAXINSNS } from '../../src/filter.js';
import { instantiateCore } from '../../src/abi.js';
import { compileBpf, captureLinkTypes, COMMON_LINKTYPES, BpfCompileError } from '../../runtimes/node/bpf.js';
import { coreModule, SHARED } from '../diff/support.js';
import * as B from '../helpers/build.js';

const CORPUS = join(SHARED, 'corpus/http');
const tmp = mkdtempSync(join(tmpdir(), 'tracecap-filter-'));

async function run(data: Uint8Array, options: TranslatorOptions): Promise<{ lines: string[]; packets: number; records: number }> {
  const t = await createTranslator(await coreModule(), options);
  const dec = new TextDecoder();
  const text = dec.decode(t.push(data)) + dec.decode(t.finish());
  expect(t.error).toBeNull();
  return { lines: text.split('\n').filter((l) => l !== ''), packets: t.packets, records: t.records };
}
const nums = async (data: Uint8Array, options: TranslatorOptions) => (await run(data, { verbosity: 'info', ...options })).lines.map((l) => Number(JSON.parse(l).pcap.num));

// Hand-built packets, one of each kind the filters tell apart.
const eth = (payload: Uint8Array, type: number = B.ETH.IPV4) => B.ethernet({ type, payload });
const v4tcp = (src: string, sp: number, dst: string, dp: number, flags = 'ACK') =>
  eth(B.ipv4({ src, dst, proto: B.IPPROTO.TCP, payload: B.tcp({ src, dst, srcPort: sp, dstPort: dp, flags }) }));
const v4udp = (src: string, sp: number, dst: string, dp: number) =>
  eth(B.ipv4({ src, dst, proto: B.IPPROTO.UDP, payload: B.udp({ src, dst, srcPort: sp, dstPort: dp }) }));
const v6tcp = (src: string, sp: number, dst: string, dp: number, flags = 'ACK') =>
  eth(B.ipv6({ src, dst, nextHeader: B.IPPROTO.TCP, payload: B.tcp({ src, dst, srcPort: sp, dstPort: dp, flags }) }), B.ETH.IPV6);
const PACKETS = [
  v4tcp('10.0.0.1', 51234, '10.0.0.2', 8080, 'SYN'),          // 0
  v4tcp('10.0.0.2', 8080, '10.0.0.1', 51234, 'SYN|ACK'),      // 1
  v4udp('10.0.0.2', 41234, '10.0.0.53', 53),                  // 2
  v6tcp('::1', 55555, '2607:f8b0:4001:c08::cf', 443, 'PSH|ACK'), // 3
  eth(B.arp(), B.ETH.ARP),                                    // 4
  eth(B.ipv4({ src: '192.168.1.1', dst: '10.0.0.1', proto: B.IPPROTO.ICMP, payload: B.icmp4() })), // 5
  v4tcp('127.0.0.1', 55555, '10.10.10.10', 443, 'FIN|ACK'),   // 6
  v4udp('192.168.1.1', 5353, '224.0.0.251', 5353),            // 7
];
const CAPTURE = B.pcap(PACKETS);

describe('parseBpfDdd', () => {
  it('reads tcpdump -ddd output', () => {
    expect(parseBpfDdd('2\n40 0 0 12\n6 0 0 262144\n')).toEqual([{ code: 40, jt: 0, jf: 0, k: 12 }, { code: 6, jt: 0, jf: 0, k: 262144 }]);
    expect(parseBpfDdd('1\r\n6 0 0 0\r\n')).toEqual([{ code: 6, jt: 0, jf: 0, k: 0 }]);
  });
  it('rejects what is not -ddd output', () => {
    expect(() => parseBpfDdd('')).toThrow(RangeError);
    expect(() => parseBpfDdd('2\n6 0 0 0\n')).toThrow(/first line must count the 1 instruction/);
    expect(() => parseBpfDdd('1\n6 0 0\n')).toThrow(/line 2 is not/);
    expect(() => parseBpfDdd('1\n{ 0x6, 0, 0, 0x0 },\n')).toThrow(/line 2 is not/);
    expect(() => parseBpfDdd('1\n65536 0 0 0\n')).toThrow(/instruction 0 is not/);
    expect(() => parseBpfDdd('1\n6 256 0 0\n')).toThrow(RangeError);
    expect(() => parseBpfDdd('1\n6 0 0 4294967296\n')).toThrow(RangeError);
  });
  it('parses what this machine\'s tcpdump prints, whole', () => {
    const r = spawnSync('tcpdump', ['-r', join(CORPUS, 'dns-udp.pcap'), '-ddd', 'udp port 53'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const prog = parseBpfDdd(r.stdout);
    expect(prog.length).toBe(Number(r.stdout.split('\n')[0]));
    expect(prog.at(-1)!.code).toBe(6);
  });
});

describe('TranslatorOptions.bpf', () => {
  const accept: BpfInsn[] = [{ code: 6, jt: 0, jf: 0, k: 262144 }];
  const reject: BpfInsn[] = [{ code: 6, jt: 0, jf: 0, k: 0 }];
  const bad = async (program: BpfInsn[]) => createTranslator(await coreModule(), { bpf: [{ linktype: 1, program }] });

  it('keeps what a program accepts and numbers records by their packet', async () => {
    expect(await nums(CAPTURE, { bpf: [{ linktype: 1, program: accept }] })).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(await nums(CAPTURE, { bpf: [{ linktype: 1, program: reject }] })).toEqual([]);
    expect(await nums(CAPTURE, { bpf: compileBpf('udp or arp', [1]) })).toEqual([2, 4, 7]);
  });
  it('rejects packets of a link type without a program, once any program is set', async () => {
    expect(await nums(CAPTURE, { bpf: [{ linktype: 113, program: accept }] })).toEqual([]);
    expect(await nums(CAPTURE, { bpf: [] })).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });
  it('gives every validation error as a RangeError naming the instruction', async () => {
    await expect(bad([])).rejects.toThrow(/must have 1 to 4096 instructions/);
    await expect(bad(new Array(4097).fill(accept[0]))).rejects.toThrow(/must have 1 to 4096 instructions/);
    await expect(bad([{ code: 0x15, jt: 1, jf: 0, k: 0 }, ...accept])).rejects.toThrow(/link type 1: BPF program jumps past its end \(instruction 0\)/);
    await expect(bad([{ code: 0x00, jt: 0, jf: 0, k: 0 }, { code: 0xff, jt: 0, jf: 0, k: 0 }, ...accept])).rejects.toThrow(/unknown opcode \(instruction 1\)/);
    await expect(bad([{ code: 0x00, jt: 0, jf: 0, k: 0 }])).rejects.toThrow(/does not end in a return \(instruction 0\)/);
    await expect(bad([{ code: 0x02, jt: 0, jf: 0, k: 16 }, ...accept])).rejects.toThrow(/memory slot outside 0..15/);
    await expect(bad([{ code: 0x34, jt: 0, jf: 0, k: 0 }, ...accept])).rejects.toThrow(/divides by the constant zero/);
    await expect(bad([{ code: 0x64, jt: 0, jf: 0, k: 32 }, ...accept])).rejects.toThrow(/shifts by a constant of 32 or more/);
    await expect(bad([{ code: 6, jt: 0, jf: 0, k: 1.5 }])).rejects.toThrow(/instruction 0 is not/);
    await expect(createTranslator(await coreModule(), { bpf: [{ linktype: -1, program: accept }] })).rejects.toThrow(/linktype/);
    const many = Array.from({ length: 17 }, (_, i) => ({ linktype: i, program: accept }));
    await expect(createTranslator(await coreModule(), { bpf: many })).rejects.toThrow(/more than 16 link types/);
  });
  it('takes k as signed or unsigned 32 bits (ld #-1 and ld #0xffffffff are one instruction)', async () => {
    // ld #k; jeq #0xffffffff → accept
    const prog = (k: number): BpfInsn[] => [{ code: 0x00, jt: 0, jf: 0, k }, { code: 0x15, jt: 0, jf: 1, k: 0xffffffff }, ...accept, ...reject];
    expect(await nums(CAPTURE, { bpf: [{ linktype: 1, program: prog(-1) }] })).toHaveLength(8);
    expect(await nums(CAPTURE, { bpf: [{ linktype: 1, program: prog(0xffffffff) }] })).toHaveLength(8);
  });
});

describe('compileBpf and captureLinkTypes (runtimes/node)', () => {
  it('refuses an expression that compiles to more instructions than the core runs', async () => {
    expect((await instantiateCore(await coreModule())).bpfCap()).toBe(BPF_MAXINSNS);
    // libpcap's optimizer takes minutes on expressions that big: a stand-in tcpdump prints one.
    const fake = join(tmp, 'tcpdump-big');
    writeFileSync(fake, `#!/bin/sh\necho 4097\nfor i in $(seq 4097); do echo "6 0 0 1"; done\n`, { mode: 0o755 });
    expect(() => compileBpf('port 1', [1], 262144, { tcpdump: fake })).toThrow(/bad filter "port 1": it compiles to 4097 instructions, more than the 4096/);
    expect(() => compileBpf('port 1', [1], 262144, { tcpdump: join(tmp, 'no-such-tcpdump') })).toThrow(/tcpdump is not installed/);
  });
  it('gives tcpdump\'s message for a bad expression', () => {
    expect(() => compileBpf('tcp port', [1])).toThrow(new BpfCompileError('tcp port', 'syntax error'));
    expect(() => compileBpf('vlan', [113])).toThrow(/bad filter "vlan": no VLAN support for Linux cooked v1/);
    // An expression is never taken for tcpdump options.
    const target = join(tmp, 'written-by-tcpdump');
    expect(() => compileBpf(`-w ${target}`, [1])).toThrow(/syntax error/);
    expect(existsSync(target)).toBe(false);
  });
  it('skips link types libpcap cannot filter when asked, and fails when none is left', () => {
    expect(compileBpf('vlan', COMMON_LINKTYPES, 262144, { skipRejected: true }).map((p) => p.linktype)).toEqual([1]);
    expect(compileBpf('tcp', COMMON_LINKTYPES, 262144, { skipRejected: true }).map((p) => p.linktype)).toEqual([...COMMON_LINKTYPES]);
    expect(compileBpf('ip', COMMON_LINKTYPES, 262144, { skipRejected: true }).map((p) => p.linktype)).not.toContain(229); // raw IPv6
    expect(() => compileBpf('tcp port', COMMON_LINKTYPES, 262144, { skipRejected: true })).toThrow(/syntax error/);
  });
  it('reads link types from pcap headers and pcapng IDBs', () => {
    expect(captureLinkTypes(join(CORPUS, 'h2c-any-sll2.pcap'))).toEqual([276]);
    expect(captureLinkTypes(join(CORPUS, 'h1-keepalive-mtu1500.pcapng'))).toEqual([1]);
    // IDBs before the first packet block count (an IDB after it is left to the common set).
    const ng = B.pcapng([{ blocks: [{ type: 'idb', linkType: 1 }, { type: 'idb', linkType: 113 }, { type: 'epb', data: PACKETS[0]! }, { type: 'idb', linkType: 276 }] }]);
    const f = join(tmp, 'idbs.pcapng');
    writeFileSync(f, ng);
    expect(captureLinkTypes(f)).toEqual([1, 113]);
    const be = join(tmp, 'big-endian.pcapng');
    writeFileSync(be, B.pcapng([{ bigEndian: true, blocks: [{ type: 'idb', linkType: 276 }, { type: 'idb', linkType: 1 }] }]));
    expect(captureLinkTypes(be)).toEqual([276, 1]);
    expect(captureLinkTypes(join(CORPUS, '../../reference/style-anchors.md'))).toBeNull();
  });
});

describe('TranslatorOptions.filters on hand-built packets', () => {
  const f = (filters: TranslatorOptions['filters']) => nums(CAPTURE, { filters });
  it('l3: IPv4/IPv6 of other versions are dropped, packets without IP pass', async () => {
    expect(await f({ l3: ['ipv4'] })).toEqual([0, 1, 2, 4, 5, 6, 7]);
    expect(await f({ l3: ['0x29'] })).toEqual([3, 4]);
    expect(await f({ l3: ['IP', '41'] })).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    // arp only makes the set non-empty: every IP packet goes, ARP (which always passes) stays.
    expect(await f({ l3: ['arp'] })).toEqual([4]);
  });
  it('l4: TCP/UDP not listed are dropped; ICMP and ARP never', async () => {
    expect(await f({ l4: ['udp'] })).toEqual([2, 4, 5, 7]);
    expect(await f({ l4: ['tcp'] })).toEqual([0, 1, 3, 4, 5, 6]);
    expect(await f({ l4: ['icmp'] })).toEqual([4, 5]);
  });
  it('nets: both ends inside a network of their family; every network counts', async () => {
    expect(await f({ nets: ['10.0.0.0/8'] })).toEqual([0, 1, 2, 3, 4]);
    expect(await f({ nets: ['10.0.0.0/8', '10.0.0.0/30'] })).toEqual([0, 1, 2, 3, 4]);
    expect(await f({ nets: ['10.0.0.1', '10.0.0.2'] })).toEqual([0, 1, 3, 4]);
    expect(await f({ nets: ['10.0.0.0/8', '192.168.0.0/16'] })).toEqual([0, 1, 2, 3, 4, 5]);
    expect(await f({ nets: ['::1/128'] })).toEqual([0, 1, 2, 4, 5, 6, 7]);
    expect(await f({ nets: ['::/0', '2607:f8b0::/32'] })).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });
  it('ports and denied ports, for TCP and UDP', async () => {
    expect(await f({ ports: [8080] })).toEqual([0, 1, 4, 5]);
    expect(await f({ ports: [53, 443] })).toEqual([2, 3, 4, 5, 6]);
    expect(await f({ denyPorts: [443, 5353] })).toEqual([0, 1, 2, 4, 5]);
    expect(await f({ ports: [443], denyPorts: [55555] })).toEqual([4, 5]);
  });
  it('tcpFlags: a TCP segment needs one of the flags', async () => {
    expect(await f({ tcpFlags: ['syn'] })).toEqual([0, 1, 2, 4, 5, 7]);
    expect(await f({ tcpFlags: ['FIN', 'Rst'] })).toEqual([2, 4, 5, 6, 7]);
    expect(await f({ tcpFlags: ['psh', 'cwr'] })).toEqual([2, 3, 4, 5, 7]);
  });
  it('denySockets: either direction, IPv4 and IPv6', async () => {
    expect(await f({ denySockets: ['10.0.0.2:8080-10.0.0.1:51234'] })).toEqual([2, 3, 4, 5, 6, 7]);
    expect(await f({ denySockets: ['10.10.10.10:443-127.0.0.1:55555', '[2607:f8b0:4001:c08::cf]:443-[::1]:55555'] })).toEqual([0, 1, 2, 4, 5, 7]);
    expect(await f({ denySockets: ['10.0.0.53:53-10.0.0.2:41234'] })).toEqual([0, 1, 3, 4, 5, 6, 7]);
  });
  it('combines: a packet must pass every filter', async () => {
    expect(await f({ l3: ['ip4'], l4: ['tcp'], nets: ['10.0.0.0/8', '127.0.0.0/8'], tcpFlags: ['SYN', 'FIN'] })).toEqual([0, 1, 4, 6]);
    expect(await nums(CAPTURE, { bpf: compileBpf('not arp', [1]), filters: { l4: ['udp'] } })).toEqual([2, 5, 7]);
  });
  it('rejects bad values with a RangeError', async () => {
    const bad = async (filters: TranslatorOptions['filters']) => createTranslator(await coreModule(), { filters });
    await expect(bad({ l3: ['ipx'] })).rejects.toThrow(/unknown L3 protocol "ipx"/);
    await expect(bad({ l4: ['sctp'] })).rejects.toThrow(/unknown L4 protocol "sctp"/);
    await expect(bad({ tcpFlags: ['SYNACK'] })).rejects.toThrow(/unknown TCP flag "SYNACK"/);
    await expect(bad({ nets: ['10.0.0.0/33'] })).rejects.toThrow(/not an IP network/);
    await expect(bad({ nets: ['10.0.0/8'] })).rejects.toThrow(/not an IP network/);
    await expect(bad({ ports: [65536] })).rejects.toThrow(/ports must be an integer from 0 to 65535/);
    await expect(bad({ denyPorts: [1.5] })).rejects.toThrow(/denyPorts/);
    await expect(bad({ denySockets: ['10.0.0.1:1-::1:2'] })).rejects.toThrow(/not a socket pair/);
    await expect(bad({ denySockets: ['10.0.0.1:1-[::1]:2'] })).rejects.toThrow(/mixes IPv4 and IPv6/);
    await expect(bad({ denySockets: ['10.0.0.1:70000-10.0.0.2:1'] })).rejects.toThrow(/not a socket pair/);
    await expect(bad({ nets: Array.from({ length: 257 }, () => '10.0.0.0/8') })).rejects.toThrow(/too many networks \(limit 256\)/);
  });
  it('parses CLI-style lists: an unparsable port is an error (the sidecar made it port 0)', () => {
    expect(parsePortList('80, 443,ALL,any')).toEqual([80, 443]);
    expect(() => parsePortList('80,http')).toThrow(/not a port: "http"/);
    expect(() => parsePortList('99999')).toThrow(RangeError);
    expect(parseSocketPair('[::1]:1-[::2]:2').portB).toBe(2);
    expect(parseCidr('10.1.2.3/8').bits).toBe(8);
  });
});

describe('filters, serials, limits and analysis', () => {
  it('keeps output byte-identical without filters (empty filters too)', async () => {
    for (const v of ['info', 'debug'] as const) {
      const data = readFileSync(join(CORPUS, 'h2c-mtu1500.pcap'));
      const plain = (await run(data, { verbosity: v })).lines;
      expect((await run(data, { verbosity: v, filters: {}, bpf: [] })).lines).toEqual(plain);
      expect((await run(data, { verbosity: v, filters: { l3: [], nets: [] } })).lines).toEqual(plain);
    }
  });
  it('counts records, not packets, for the limit (like tcpdump -c)', async () => {
    const r = await run(CAPTURE, { verbosity: 'info', filters: { l4: ['udp'] }, limit: 2 });
    expect(r.lines.map((l) => Number(JSON.parse(l).pcap.num))).toEqual([2, 4]);
    expect(r.records).toBe(2);
    const all = await run(CAPTURE, { verbosity: 'info', filters: { l4: ['udp'] } });
    expect(all.packets).toBe(8);
    expect(all.records).toBe(4);
  });
  // A filter that runs before analysis makes DEBUG records of the kept packets exactly those
  // of a capture that never had the others (up to the serial numbers, and `first`, which
  // pcap-sidecar ties to serial 1).
  for (const [file, expr, filters] of [
    ['h1-keepalive-mtu1500.pcap', 'tcp port 28091 and (tcp[tcpflags] & tcp-push != 0)', { ports: [28091], tcpFlags: ['PSH'] }],
    ['h2c-mtu1500.pcap', 'tcp and not (src port 28082 and tcp[tcpflags] & tcp-push != 0)', null],
    ['h1-resets-mtu1500.pcap', 'tcp[tcpflags] & (tcp-rst|tcp-fin) = 0', null],
  ] as const) {
    it(`at DEBUG a rejected packet never reaches the analysis: ${file}, ${expr}`, async () => {
      const path = join(CORPUS, file);
      const kept = join(tmp, 'kept.pcap');
      expect(spawnSync('tcpdump', ['-r', path, '-w', kept, expr]).status).toBe(0);
      const norm = (l: string) => {
        const o = JSON.parse(l);
        delete o.pcap.num; delete o['logging.googleapis.com/operation'].first;
        // timing names the head records by pcap.num, which a filter does not renumber (its records keep the capture's numbers).
        const t = o.timing as Record<string, unknown> | undefined;
        if (t) for (const x of [t, ...((t.more ?? t.streams ?? []) as Record<string, unknown>[])]) { delete x.request_num; delete x.response_num; }
        o.message = String(o.message).replace(/^#\d+ /, '#');
        return JSON.stringify(o);
      };
      const want = (await run(readFileSync(kept), { verbosity: 'debug' })).lines.map(norm);
      const data = readFileSync(path);
      const viaBpf = (await run(data, { verbosity: 'debug', bpf: compileBpf(expr, captureLinkTypes(path)!) })).lines;
      expect(viaBpf.map(norm)).toEqual(want);
      expect(want.some((l) => l.includes('"HTTP"'))).toBe(true);
      if (filters) expect((await run(data, { verbosity: 'debug', filters })).lines).toEqual(viaBpf);
    });
  }
});

describe('software filters on real captures equal their BPF equivalents', () => {
  // [filters, an equivalent expression for these captures (TCP/UDP over IPv4 or IPv6)]
  const CASES: Array<[NonNullable<TranslatorOptions['filters']>, string]> = [
    [{ l4: ['udp'] }, 'not tcp'],
    [{ l3: ['ip6'] }, 'not ip'],
    [{ ports: [28081, 28086] }, 'not (tcp or udp) or port 28081 or port 28086'],
    [{ denyPorts: [28081] }, 'not port 28081'],
    [{ tcpFlags: ['SYN', 'FIN'] }, 'not tcp or tcp[tcpflags] & (tcp-syn|tcp-fin) != 0'],
    [{ nets: ['127.0.0.0/8'] }, 'not ip or (src net 127.0.0.0/8 and dst net 127.0.0.0/8)'],
    [{ nets: ['10.0.0.0/8'] }, 'not ip or (src net 10.0.0.0/8 and dst net 10.0.0.0/8)'],
    [{ l4: ['tcp'], denyPorts: [28082], tcpFlags: ['PSH', 'RST'] }, 'not udp and not port 28082 and (not tcp or tcp[tcpflags] & (tcp-push|tcp-rst) != 0)'],
  ];
  for (const file of ['h1-keepalive-lo.pcap', 'h2c-any-sll2.pcap', 'dns-udp.pcap', 'h1-resets-mtu1500.pcap']) {
    it(file, async () => {
      const path = join(CORPUS, file);
      const data = readFileSync(path);
      for (const [filters, expr] of CASES) {
        const want = await run(data, { verbosity: 'debug', bpf: compileBpf(expr, captureLinkTypes(path)!) });
        const got = await run(data, { verbosity: 'debug', filters });
        expect(got.lines, `${file}: ${JSON.stringify(filters)}`).toEqual(want.lines);
      }
    });
  }
  it('denies a real connection in both directions', async () => {
    const path = join(CORPUS, 'h1-resets-mtu1500.pcap');
    const data = readFileSync(path);
    const got = await nums(data, { filters: { denySockets: ['127.0.0.1:28093-127.0.0.1:54436'] } });
    const want = await nums(data, { bpf: compileBpf('not (tcp port 54436 and tcp port 28093)', [1]) });
    expect(got).toEqual(want);
    expect(got.length).toBe(96 - 12);
  });
});

describe('BPF programs never trap the core', () => {
  // Every opcode of the classic set, and some that are not.
  const OPCODES = [0x20, 0x28, 0x30, 0x40, 0x48, 0x50, 0x80, 0x00, 0x60, 0x01, 0x61, 0x81, 0xb1, 0x02, 0x03,
    0x04, 0x0c, 0x14, 0x1c, 0x24, 0x2c, 0x34, 0x3c, 0x94, 0x9c, 0x54, 0x5c, 0x44, 0x4c, 0xa4, 0xac, 0x64, 0x6c, 0x74, 0x7c, 0x84,
    0x05, 0x15, 0x1d, 0x25, 0x2d, 0x35, 0x3d, 0x45, 0x4d, 0x06, 0x16, 0x07, 0x87, 0x0e, 0x18, 0xff];
  it('random programs are rejected as values or run to a verdict', async () => {
    let seed = 12345;
    const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) >>> 0; return (seed >>> 8) % n; };
    const pick = <T>(a: T[]) => a[rnd(a.length)]!;
    const data = readFileSync(join(CORPUS, 'h1-resets-mtu1500.pcap'));
    let valid = 0, kept = 0, rejected = 0;
    for (let i = 0; i < 200; i++) {
      const n = 1 + rnd(24);
      const program: BpfInsn[] = Array.from({ length: n }, (_, pc) => ({
        code: pick(OPCODES), jt: rnd(Math.max(1, n - pc + 1)), jf: rnd(Math.max(1, n - pc + 1)),
        k: pick([0, 1, 2, 12, 14, 15, 16, 23, 31, 32, 40, 54, 1500, 0xffff, 0xfffff000, 0xffffffff, rnd(2 ** 32)]),
      }));
      if (rnd(10) > 0) program[n - 1] = { code: pick([0x06, 0x16]), jt: 0, jf: 0, k: pick([0, 1, 262144]) };
      let t;
      try {
        t = await createTranslator(await coreModule(), { verbosity: 'info', bpf: [{ linktype: 1, program }] });
      } catch (e) {
        expect(e, JSON.stringify(program)).toBeInstanceOf(RangeError);
        rejected++;
        continue;
      }
      valid++;
      const out = new TextDecoder().decode(t.push(data)) + new TextDecoder().decode(t.finish());
      expect(t.error).toBeNull();
      kept += out.split('\n').filter((l) => l !== '').length;
    }
    // Both outcomes really happen, and some valid programs keep packets.
    expect(valid).toBeGreaterThan(20);
    expect(rejected).toBeGreaterThan(20);
    expect(kept).toBeGreaterThan(0);
  });
});
