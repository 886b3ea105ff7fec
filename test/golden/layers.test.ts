// Golden records for hand-built packets of every layer the core decodes, checked field by
// field against the reference (pcap-cli-behaviour.md §2.3, §2.4, §3, §10) and the README's
// list of deliberate differences.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { createTranslator, type TranslatorOptions } from '../../src/index.js';
import * as B from '../helpers/build.js';

const wasm = new WebAssembly.Module(readFileSync('build/tracecap.wasm'));
const A = '10.0.0.1', Z = '10.0.0.2';

async function records(pkts: Uint8Array[], o: TranslatorOptions & { linkType?: number } = {}): Promise<any[]> {
  const t = await createTranslator(wasm, { ifaceName: 'eth0', ifaceIndex: 2, ...o });
  const cap = B.pcap(pkts.map((data, i) => ({ data, ts: { sec: 1700000000 + i, nsec: 0 } })), { linkType: o.linkType ?? 1, nano: true });
  const text = new TextDecoder().decode(B.bytes(t.push(cap), t.finish()));
  expect(t.error).toBeNull();
  const lines = text.split('\n');
  expect(lines.pop()).toBe('');
  return lines.map((l) => JSON.parse(l));
}
const one = async (p: Uint8Array, o: TranslatorOptions & { linkType?: number } = {}) => (await records([p], o))[0];
const eth = (payload: Uint8Array, type: number = B.ETH.IPV4) => B.ethernet({ src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02', type, payload });
const v4 = (proto: number, payload: Uint8Array, extra: Partial<B.IPv4Options> = {}) => B.ipv4({ src: A, dst: Z, proto, payload, ...extra });
const tcp = (o: Partial<B.TcpOptions> = {}) => B.tcp({ srcPort: 40000, dstPort: 80, src: A, dst: Z, ...o });

describe('link layers', () => {
  it('802.1Q + QinQ: L2.type is the outer EtherType, tags listed, network layer decoded', async () => {
    const r = await one(B.ethernet({ src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02', type: B.ETH.IPV4, vlans: [{ id: 100, tpid: 0x88a8 }, { id: 200 }], payload: v4(6, tcp()) }));
    expect(r.L2).toEqual({ dst: '02:00:00:00:00:02', src: '02:00:00:00:00:01', type: 'Dot1Q', vlan: [100, 200] });
    expect(r.L4.dst).toBe(80);
    expect(r).not.toHaveProperty('err');
  });
  it('Linux cooked SLL and SLL2 have no L2 object', async () => {
    const sll = await one(B.sll({ protocol: B.ETH.IPV4, payload: v4(17, B.udp({ srcPort: 5000, dstPort: 53, src: A, dst: Z })) }), { linkType: 113 });
    expect(sll).not.toHaveProperty('L2');
    expect(sll.message).toMatch(/\| UDP \| 10\.0\.0\.1:5000 > 10\.0\.0\.2:53$/);
    const sll2 = await one(B.sll2({ protocol: B.ETH.IPV6, payload: B.ipv6({ src: '::1', dst: '::2', nextHeader: 6, payload: tcp({ src: '::1', dst: '::2' }) }) }), { linkType: 276 });
    expect(sll2).not.toHaveProperty('L2');
    expect(sll2.L3.v).toBe(6);
    expect(sll2.message).toMatch(/\| TCP \| ::1:40000 > ::2:80 \| \[ACK\]/);
  });
  it('BSD null (both byte orders), LOOP and raw IP', async () => {
    for (const [lt, pkt] of [[0, B.nullLoop({ family: 2, payload: v4(6, tcp()) })], [0, B.nullLoop({ family: 2, bigEndian: true, payload: v4(6, tcp()) })],
      [108, B.loop({ family: 2, payload: v4(6, tcp()) })], [101, v4(6, tcp())], [228, v4(6, tcp())]] as const) {
      const r = await one(pkt, { linkType: lt });
      expect(r.L3.src).toBe(A);
      expect(r.L4.src).toBe(40000);
      expect(r).not.toHaveProperty('err');
    }
  });
  it('an unsupported link type gives the base record, no error', async () => {
    const r = await one(B.hex('0102030405'), { linkType: 147 });
    expect(r.message).toBe('#0 | @2/eth0');
    expect(Object.keys(r)).toEqual(['logging.googleapis.com/labels', 'logging.googleapis.com/operation', 'message', 'meta', 'pcap', 'timestamp'].includes('iface') ? [] : ['iface', 'logging.googleapis.com/labels', 'logging.googleapis.com/operation', 'message', 'meta', 'pcap', 'timestamp']);
  });
  it('a cut Ethernet header is a decode error, the record is kept', async () => {
    const r = await one(B.hex('0102030405'));
    expect(r.err).toEqual([{ layer: 'Ethernet', msg: 'truncated: the captured bytes end inside this header' }]);
    expect(r.severity).toBe('ERROR');
  });
});

describe('IPv4 and IPv6', () => {
  it('IPv4 options render as {data, type} with NOP/EOL data ""', async () => {
    const r = await one(eth(v4(17, B.udp({ src: A, dst: Z }), { options: B.hex('01 94 04 0000 00') })));
    expect(r.L3.opts).toEqual([{ data: '', type: 1 }, { data: '\u0000\u0000', type: 148 }, { data: '', type: 0 }]);
    expect(r.L3.ihl).toBe(7);
  });
  it('IPv4 flags at DEBUG: Evil, DF, MF in that order; none gives [""]', async () => {
    expect((await one(eth(v4(17, B.udp({ src: A, dst: Z }), { flags: 7 })))).L3.flags).toEqual(['Evil', 'DF', 'MF']);
    expect((await one(eth(v4(17, B.udp({ src: A, dst: Z }), { flags: 0 })))).L3.flags).toEqual(['']);
  });
  it('a UDP fragment: ports print as 0, no L4, flow folds the constant 255', async () => {
    const r = await one(eth(v4(17, B.hex('00'.repeat(16)), { flags: 'MF', id: 9 })), { verbosity: 'info' });
    expect(r).not.toHaveProperty('L4');
    expect(r.message).toBe(`#0 | @2/eth0 | flow:${r.flow} | UDP | 10.0.0.1:0 > 10.0.0.2:0`);
    expect(r['logging.googleapis.com/operation'].id).toBe(`tracecap/iface/eth0/flow/udp:${r.flow}`);
    expect(r).not.toHaveProperty('err');
    expect(r.local).toBe(false);
    const icmpFlow = (await one(eth(v4(1, B.icmp4({})))));
    // Same hosts, both without an L4 flow: the same top-level flow id.
    expect(r.flow).toBe(icmpFlow.flow);
  });
  it('a TCP fragment keeps its record with the plain L3 message (pcap-sidecar drops it)', async () => {
    const r = await one(eth(v4(6, B.hex('00'.repeat(8)), { fragOffset: 10 })));
    expect(r.message).toBe(`#0 | @2/eth0 | flow:${r.flow} | 10.0.0.1 > 10.0.0.2`);
    expect(r.L3.foff).toBe(10);
  });
  it('IPv6: fields, RFC 5952 addresses, mapped IPv4 printed dotted', async () => {
    const r = await one(eth(B.ipv6({ src: '2001:db8::1', dst: '::ffff:10.0.0.9', nextHeader: 17, hopLimit: 33, trafficClass: 5, flowLabel: 0xabcde,
      payload: B.udp({ srcPort: 53, dstPort: 40000, src: '2001:db8::1', dst: '::ffff:10.0.0.9' }) }), B.ETH.IPV6), { verbosity: 'info' });
    expect(r.L3).toEqual({ cls: 5, dst: '10.0.0.9', flow: r.L3.flow, lbl: 0xabcde, len: 8, proto: { num: 17 }, src: '2001:db8::1', ttl: 33, v: 6 });
    expect(Object.keys(r.L3)).toEqual(['cls', 'dst', 'flow', 'lbl', 'len', 'proto', 'src', 'ttl', 'v']);
  });
  it('IPv6 extension headers are walked to TCP; proto.num stays the fixed header\'s', async () => {
    const r = await one(eth(B.ipv6({ src: '2001:db8::1', dst: '2001:db8::2', nextHeader: 6,
      extensions: [{ type: 0 }, { type: 60 }], payload: tcp({ src: '2001:db8::1', dst: '2001:db8::2', flags: 'SYN' }) }), B.ETH.IPV6));
    expect(r.L3.proto).toEqual({ name: 'IPv6HopByHop', num: 0 });
    expect(r.L4.flags.str).toBe('SYN');
    expect(r.message).toMatch(/\| TCP \| 2001:db8::1:40000 > 2001:db8::2:80 \| \[SYN\]/);
  });
  it('a cut IPv4 header is an IPv4 decode error; the record has no L3', async () => {
    const r = await one(eth(B.hex('45 00 00 28 00')));
    expect(r.err).toEqual([{ layer: 'IPv4', msg: 'truncated: the captured bytes end inside this header' }]);
    expect(r).not.toHaveProperty('L3');
    expect(r.message).toBe('#0 | @2/eth0');
    expect(r.meta.trunc).toBe(true);
  });
});

describe('TCP', () => {
  it('options: MSS 1280 trims to 0x05, WS 0 gives "0x" and no xwin, Unknown(30), EndList', async () => {
    const r = await one(eth(v4(6, tcp({ flags: 'SYN', window: 1000, options: [B.tcpOpt.mss(1280), B.tcpOpt.wscale(0), B.tcpOpt.raw(30, [1, 0]), B.tcpOpt.eol()] }))), { verbosity: 'info' });
    expect(r.L4.opts).toEqual([{ MSS: ['1280', '0x05'] }, { WindowScale: ['0x'] }, { 'Unknown(30)': ['0x01'] }, 'EndList']);
    expect(r.L4).not.toHaveProperty('xwin');
  });
  it('options: WS 14 scales by 16384; SACK blocks are trimmed hex', async () => {
    const r = await one(eth(v4(6, tcp({ window: 3, options: [B.tcpOpt.nop(), B.tcpOpt.wscale(14), B.tcpOpt.sack([[0x10, 0x200]])] }))));
    expect(r.L4.opts).toEqual(['NOP', { WindowScale: [{ dec: 14, hex: '0x0e', scale: '16384', win: '49152' }] }, { SACK: ['0x00000010000002'] }, 'EndList']);
    expect(r.L4.xwin).toBe('49152');
  });
  it('flags: every table entry, bit order for the rest, empty for none', async () => {
    const table: Record<string, number> = { SYN: 2, ACK: 0x10, PSH: 8, FIN: 1, RST: 4, URG: 0x20, ECE: 0x40, CWR: 0x80, 'SYN|ACK': 0x12, 'SYN|RST': 6,
      'PSH|ACK': 0x18, 'FIN|ACK': 0x11, 'RST|ACK': 0x14, 'URG|ACK': 0x30, 'SYN|PSH|ACK': 0x1a, 'FIN|RST|ACK': 0x15,
      'FIN|PSH|ACK': 0x19, 'SYN|ECE|CWR': 0xc2, 'ACK|ECE': 0x50, '': 0, 'FIN|SYN|RST|PSH|ACK|URG|ECE|CWR': 0xff };
    const rs = await records(Object.values(table).map((f) => eth(v4(6, tcp({ flags: f })))));
    Object.entries(table).forEach(([s, f], i) => {
      expect(rs[i].L4.flags.str).toBe(s);
      expect(rs[i].L4.flags.dec).toBe(f);
      expect(rs[i].L4.flags.hex).toBe('0x' + f.toString(16));
      expect(rs[i].L4.flags.bin).toBe('0b' + f.toString(2));
      expect(rs[i].message).toContain(`| [${s}] |`);
    });
  });
  it('L4.len is the captured payload length, a string', async () => {
    const r = await one(eth(v4(6, tcp({ payload: B.ascii('hello') }))));
    expect(r.L4.len).toBe('5');
    expect(r.message).toMatch(/len\/seq\/ack:5\/0\/0 \| size:5$/);
  });
  it('local: source among the interface addresses and a non-ephemeral source port', async () => {
    const rs = await records([eth(B.ipv4({ src: Z, dst: A, proto: 6, payload: B.tcp({ srcPort: 8080, dstPort: 40000, src: Z, dst: A }) })),
      eth(B.ipv4({ src: Z, dst: A, proto: 6, payload: B.tcp({ srcPort: 40000, dstPort: 8080, src: Z, dst: A }) })),
      eth(v4(6, tcp()))], { ifaceAddrs: [Z] });
    expect(rs.map((r) => r.local)).toEqual([true, false, false]);
    expect(rs[0].iface).toEqual({ addrs: [Z], index: 2, name: 'eth0' });
  });
  it('a TCP header cut short: decode error, plain L3 message (pcap-sidecar drops it)', async () => {
    const r = await one(eth(v4(6, B.hex('9c40 0050 0000'))));
    expect(r.err).toEqual([{ layer: 'TCP', msg: 'truncated: the captured bytes end inside this header' }]);
    expect(r).not.toHaveProperty('L4');
    expect(r.message).toBe(`#0 | @2/eth0 | flow:${r.flow} | 10.0.0.1 > 10.0.0.2`);
  });
});

describe('UDP', () => {
  it('is verbose at INFO: endpoints and IANA names', async () => {
    const r = await one(eth(v4(17, B.udp({ srcPort: 40000, dstPort: 123, src: A, dst: Z, payload: B.hex('00') }))), { verbosity: 'info' });
    expect(r.L4.sproto).toBe('safetynetp');
    expect(r.L4.dproto).toBe('ntp');
    expect(r.L4.endpoints.fwd).toBe('40000->123');
    expect(r.L4.size).toBe(1);
    expect(r.L4.len).toBe(9);
  });
  it('length 0 is a jumbogram: the payload is what was captured', async () => {
    const r = await one(eth(v4(17, B.udp({ length: 0, src: A, dst: Z, payload: B.hex('01020304') }))));
    expect(r.L4.len).toBe(0);
    expect(r.L4.size).toBe(4);
  });
});

describe('ICMP', () => {
  it('ICMPv4 destination unreachable (port) with the embedded IPv4 header', async () => {
    const inner = B.ipv4({ src: Z, dst: A, proto: 17, id: 77, ttl: 9, payload: B.udp({ src: Z, dst: A }) }).subarray(0, 28);
    const r = await one(eth(v4(1, B.icmp4({ type: 3, code: 3, payload: inner }))));
    expect(r.ICMP.msg).toBe('DestinationUnreachable(Port)');
    // The quoted UDP header names the datagram the error is about (B.udp's defaults): ports, length, checksum.
    const udpXsum = (inner[26]! << 8) | inner[27]!;
    expect(r.ICMP.IPv4).toEqual({ L4: { dst: 49153, len: 8, src: 49152, xsum: udpXsum }, dst: A, id: 77, proto: 17, src: Z, ttl: 9, xsum: r.ICMP.IPv4.xsum });
    expect(Object.keys(r.ICMP)).toEqual(['IPv4', 'code', 'msg', 'type', 'xsum']);
    expect(r.message).toBe(`#0 | @2/eth0 | flow:${r.flow} | ICMPv4 | 10.0.0.1 > 10.0.0.2 | DestinationUnreachable(Port)`);
  });
  it('ICMPv4 redirect has tgt; an unknown code prints (Code: n); unknown types are numeric', async () => {
    const inner = B.ipv4({ src: Z, dst: A, proto: 6 });
    const rs = await records([eth(v4(1, B.icmp4({ type: 5, code: 1, rest: B.hex('0a000063'), payload: inner }))),
      eth(v4(1, B.icmp4({ type: 3, code: 99, payload: inner }))), eth(v4(1, B.icmp4({ type: 42, code: 7 }))),
      eth(v4(1, B.icmp4({ type: 4, code: 0 }))), eth(v4(1, B.icmp4({ type: 4, code: 2 })))]);
    expect(rs[0].ICMP.tgt).toBe('10.0.0.99');
    expect(rs[0].ICMP.msg).toBe('Redirect(Host)');
    expect(rs[1].ICMP.msg).toBe('DestinationUnreachable(Code: 99)');
    expect(rs[2].ICMP.msg).toBe('42(7)');
    expect(rs[3].ICMP.msg).toBe('SourceQuench');
    expect(rs[4].ICMP.msg).toBe('SourceQuench(Code: 2)');
  });
  it('ICMPv4 time exceeded with a cut embedded header: ICMP kept, decode error added', async () => {
    const r = await one(eth(v4(1, B.icmp4({ type: 11, code: 0, payload: B.hex('4500') }))));
    expect(r.ICMP.msg).toBe('TimeExceeded(TTLExceeded)');
    expect(r.err).toEqual([{ layer: 'ICMPv4', msg: 'truncated: the captured bytes end inside this header' }]);
  });
  it('ICMPv6 echo, time exceeded (dsf/ecn split) and neighbor solicitation', async () => {
    const s = 'fe80::1', d = 'fe80::2';
    const invoking = B.ipv6({ src: '2001:db8::5', dst: '2001:db8::6', nextHeader: 6, trafficClass: 0xb9, flowLabel: 7, hopLimit: 1, payload: new Uint8Array(8) });
    const rs = await records([
      eth(B.ipv6({ src: s, dst: d, nextHeader: 58, payload: B.icmp6({ type: 128, id: 5, seq: 6, src: s, dst: d }) }), B.ETH.IPV6),
      eth(B.ipv6({ src: s, dst: d, nextHeader: 58, payload: B.icmp6({ type: 3, code: 0, src: s, dst: d, payload: invoking }) }), B.ETH.IPV6),
      eth(B.ipv6({ src: s, dst: d, nextHeader: 58, payload: B.icmp6({ type: 135, src: s, dst: d, payload: B.parseIP('fe80::2') }) }), B.ETH.IPV6),
    ]);
    expect(rs[0].ICMP).toMatchObject({ code: 0, id: 5, msg: 'EchoRequest', seq: 6, type: 128 });
    // 8 bytes of the TCP header quoted: its ports and sequence number.
    expect(rs[1].ICMP.IPv6).toEqual({ L4: { dst: 0, seq: 0, src: 0 }, dsf: 0xb9 >> 2, dst: '2001:db8::6', ecn: 1, lbl: 7, proto: 'TCP', src: '2001:db8::5', ttl: 1, v: 6 });
    expect(rs[1].ICMP.msg).toBe('TimeExceeded(HopLimitExceeded)');
    expect(rs[2].ICMP.msg).toBe('NeighborSolicitation');
    expect(rs[2]).not.toHaveProperty('err');
    expect(rs[2].message).toMatch(/\| ICMPv6 \| fe80::1 > fe80::2 \| NeighborSolicitation$/);
  });
});

describe('DNS', () => {
  const dnsPkt = (payload: Uint8Array) => eth(v4(17, B.udp({ srcPort: 53, dstPort: 40000, src: A, dst: Z, payload })));
  it('answers of every rendered type, TXT included, in sorted key order', async () => {
    const msg = B.dns({ id: 7, qr: true, rcode: 0, compress: true, questions: [{ name: 'example.com', type: 'A' }], answers: [
      { name: 'example.com', type: 'A', ttl: 60, data: '93.184.216.34' },
      { name: 'example.com', type: 'AAAA', ttl: 60, data: '2001:db8::34' },
      { name: 'www.example.com', type: 'CNAME', data: 'example.com' },
      { name: 'example.com', type: 'MX', data: { preference: 10, name: 'mail.example.com' } },
      { name: 'example.com', type: 'NS', data: 'ns1.example.com' },
      { name: 'example.com', type: 'SOA', data: { mname: 'ns1.example.com', rname: 'admin.example.com', serial: 2024, refresh: 7200, retry: 3600, expire: 1209600, minimum: 300 } },
      { name: '_sip._tcp.example.com', type: 'SRV', data: { priority: 1, weight: 2, port: 5060, target: 'sip.example.com' } },
      { name: '4.3.2.1.in-addr.arpa', type: 'PTR', data: 'host.example.com' },
      { name: 'example.com', type: 'TXT', data: ['v=spf1 -all', 'caf\u00e9 <&>'] },
      { name: 'example.com', type: 'URI', data: { priority: 10, weight: 1, target: 'https://example.com/' } },
      B.dnsOpt({ options: [{ code: 10, data: B.ascii('cookie!!') }] }),
    ] });
    const r = (await one(dnsPkt(msg))).DNS;
    expect(r.answers_count).toBe(11);
    expect(r.questions_count).toBe(1);
    const a = r.answers;
    expect(a[0]).toEqual({ A: '93.184.216.34', class: 'IN', name: 'example.com', ttl: 60, type: 'A' });
    expect(a[1].AAAA).toBe('2001:db8::34');
    expect(a[2].CNAME).toBe('example.com');
    expect(a[3].MX).toEqual({ name: 'mail.example.com', preference: 10 });
    expect(a[4].NS).toBe('ns1.example.com');
    expect(a[5].SOA).toEqual({ expire: 1209600, mname: 'ns1.example.com', refresh: 7200, retry: 3600, rname: 'admin.example.com', serial: 2024 });
    expect(Object.keys(a[5].SOA)).toEqual(['expire', 'mname', 'refresh', 'retry', 'rname', 'serial']);
    expect(a[6].SRV).toEqual({ name: 'sip.example.com', port: 5060, priority: 1, weight: 2 });
    expect(a[7].PTR).toBe('host.example.com');
    expect(a[8].TXT).toEqual(['v=spf1 -all', 'caf\u00e9 <&>']);
    expect(a[9].URI).toEqual({ priority: 10, target: 'https://example.com/', weight: 1 });
    expect(a[10].OPT).toEqual([{ code: 'Cookie', data: 'cookie!!' }]);
    expect(a[10].name).toBe('<Root>'); // the root, as tshark writes it (README "Deliberate differences", 9)
    for (const x of a) expect(Object.keys(x)).toEqual([...Object.keys(x)].sort((p, q) => Buffer.compare(Buffer.from(p), Buffer.from(q))));
  });
  it('names the opcode and response code ("Server Failure " keeps its trailing space)', async () => {
    const r = (await one(dnsPkt(B.dns({ qr: true, rcode: 2, opcode: 4, questions: [{ name: 'a.b', type: 'TXT' }] })), { verbosity: 'info' })).DNS;
    expect(r).toEqual({ id: 0x1234, op: 'Notify', questions: [{ class: 'IN', name: 'a.b', type: 'TXT' }], response_code: 'Server Failure ' });
  });
  it('a malformed message is a DNS decode error; UDP is still reported', async () => {
    const r = await one(dnsPkt(B.hex('1234 0100 0001 0000 0000 0000 c00c 0001 0001')));
    expect(r).not.toHaveProperty('DNS');
    expect(r.err[0].layer).toBe('DNS');
    expect(r.L4.sproto).toBe('domain');
  });
  it('invalid UTF-8 in a name becomes \\ufffd per byte', async () => {
    const r = await one(dnsPkt(B.dns({ questions: [{ name: B.hex('03 61 c3 62 00'), type: 'A' }] })));
    expect(r.DNS.questions[0].name).toBe('a\ufffdb');
  });
});

describe('base record', () => {
  it('DEBUG metadata: iface, labels, meta lengths and RFC 3339 time, pcap ids', async () => {
    const r = await one(eth(v4(17, B.udp({ src: A, dst: Z }))), { id: 'cli/x', logName: 'log/cli/x' });
    expect(r.iface).toEqual({ index: 2, name: 'eth0' });
    expect(r['logging.googleapis.com/labels']).toEqual({ 'run.googleapis.com/pcap/id': 'cli/x', 'run.googleapis.com/pcap/iface': 'eth0', 'run.googleapis.com/pcap/name': 'log/cli/x', 'run.googleapis.com/tool': 'pcap-sidecar' });
    expect(r.meta).toEqual({ cap_len: 42, flow: '12161960014018917983', len: 42, timestamp: '2023-11-14T22:13:20Z', trunc: false });
    expect(r.pcap).toEqual({ ctx: 'log/cli/x', id: 'cli/x', num: '0' });
  });
  it('meta.trunc when the capture is shorter than the wire', async () => {
    const t = await createTranslator(wasm, {});
    const cap = B.pcap([{ data: eth(v4(17, B.udp({ src: A, dst: Z, payload: new Uint8Array(100) }))), capLen: 60 }]);
    const r = JSON.parse(new TextDecoder().decode(B.bytes(t.push(cap), t.finish())));
    expect(r.meta.trunc).toBe(true);
    expect(r.meta.len).toBe(142);
    expect(r.meta.cap_len).toBe(60);
  });
});

describe('the largest record', () => {
  it('a 262144-byte packet of escape-heavy DNS TXT data renders as one valid record', async () => {
    const strings = Array.from({ length: 1000 }, () => '\u0001'.repeat(255));
    const answers = Array.from({ length: 4 }, () => ({ name: 'example.com', type: 'TXT' as const, data: strings.slice(0, 250) }));
    const msg = B.dns({ qr: true, questions: [{ name: 'example.com', type: 'TXT' }], answers, compress: true });
    const pkt = eth(B.ipv4({ src: A, dst: Z, proto: 17, totalLength: 0, payload: B.udp({ srcPort: 53, dstPort: 40000, length: 0, src: A, dst: Z, payload: msg }) }));
    expect(pkt.length).toBeGreaterThan(250000);
    expect(pkt.length).toBeLessThanOrEqual(262144);
    const rs = await records([pkt, pkt, pkt]);
    expect(rs).toHaveLength(3);
    expect(rs[2].DNS.answers[3].TXT[249]).toBe('\u0001'.repeat(255));
  });
});
