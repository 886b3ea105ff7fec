// ICMP errors name the connection they are about and what it carried: the quoted TCP or UDP
// header's fields as far as quoted, a quoted DNS message and a quoted HTTP/1 start line, in the
// embedded header object (`ICMP.IPv4.L4`, `.DNS`, `.HTTP`; `ICMP.IPv6.…`), as tshark decodes the
// quoted packet. The corpus has no ICMP error quoting DNS or HTTP (tshark over ../shared/corpus
// finds errors quoting AFS and an unknown protocol only), so these are built byte by byte.
import { describe, it, expect } from 'vitest';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import * as B from '../helpers/build.js';
import { isKnownField } from '../../runtimes/browser/app/fields.js';
import { recordsOf } from '../helpers/records.js';

const wasm = new WebAssembly.Module(readFileSync('build/tracecap.wasm'));

/** Every path of the records written in this file, for the app's field catalog (last test). */
const seenPaths = new Set<string>();

const records = (cap: Uint8Array, verbosity: 'info' | 'debug' = 'debug') => recordsOf(wasm, cap, verbosity, seenPaths);

function tshark(cap: Uint8Array, fields: string[]): string[] {
  return tsharkAll(cap, fields)[0]!.map((v) => v.split('|').at(-1)!);
}

/** tshark's fields of every packet, every occurrence joined by '|' (sequence numbers absolute). */
function tsharkAll(cap: Uint8Array, fields: string[]): string[][] {
  const dir = mkdtempSync(join(tmpdir(), 'tracecap-icmp-'));
  try {
    writeFileSync(join(dir, 'c.pcap'), cap);
    return execFileSync('tshark', ['-r', join(dir, 'c.pcap'), '-n', '-o', 'tcp.relative_sequence_numbers:FALSE', '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=|',
      ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8' }).split('\n').slice(0, -1).map((l) => l.split('\t'));
  } finally { rmSync(dir, { recursive: true, force: true }); }
}

const pcap = (frames: Uint8Array[]) => B.pcap(frames.map((data, i) => ({ ts: { sec: 1 + i, nsec: 0 }, data })), { nano: true });

// An ICMPv4 error from 10.0.0.1 about the IPv4 packet q.
const err4 = (type: number, code: number, q: Uint8Array, rest: Uint8Array = new Uint8Array(4)) =>
  B.ethernet({ type: B.ETH.IPV4, payload: B.ipv4({ src: '10.0.0.1', dst: '10.0.0.9', proto: 1, payload: B.icmp4({ type, code, rest, payload: q }) }) });
// An ICMPv6 error from fd00::fe about the IPv6 packet q.
const err6 = (type: number, code: number, q: Uint8Array, rest: Uint8Array = new Uint8Array(4)) =>
  B.ethernet({ type: B.ETH.IPV6, payload: B.ipv6({ src: 'fd00::fe', dst: 'fd00::9', nextHeader: 58, payload: B.icmp6({ type, code, rest, payload: q, src: 'fd00::fe', dst: 'fd00::9' }) }) });

const udp4 = (sp: number, dp: number, payload: Uint8Array, src = '10.0.0.9', dst = '10.0.0.53') =>
  B.ipv4({ src, dst, proto: 17, payload: B.udp({ srcPort: sp, dstPort: dp, payload, src, dst }) });
const tcp4 = (o: { sp: number; dp: number; seq: number; ack: number; payload: Uint8Array }, src = '10.0.0.80', dst = '10.0.0.9') =>
  B.ipv4({ src, dst, proto: 6, payload: B.tcp({ srcPort: o.sp, dstPort: o.dp, seq: o.seq, ack: o.ack, flags: 'PSH|ACK', payload: o.payload, src, dst }) });
const tcp6 = (o: { sp: number; dp: number; seq: number; ack: number; payload: Uint8Array }, src = 'fd00::9', dst = 'fd00::80') =>
  B.ipv6({ src, dst, nextHeader: 6, payload: B.tcp({ srcPort: o.sp, dstPort: o.dp, seq: o.seq, ack: o.ack, flags: 'PSH|ACK', payload: o.payload, src, dst }) });

// The quoted TCP header's fields, as tshark shows them.
const TCP_FIELDS = ['tcp.srcport', 'tcp.dstport', 'tcp.seq', 'tcp.ack', 'tcp.flags', 'tcp.hdr_len', 'tcp.window_size_value', 'tcp.checksum', 'tcp.urgent_pointer'];
function tcpFromTshark(v: string[]): Record<string, unknown> {
  const [sp, dp, seq, ack, flags, hdr, win, xsum, urg] = v.map((x) => Number(x));
  const f = flags! & 0xff;
  return { ack, dst: dp, flags: { dec: f, str: f === 0x18 ? 'PSH|ACK' : f === 0x12 ? 'SYN|ACK' : f === 0x02 ? 'SYN' : `0x${f.toString(16)}` }, off: hdr! / 4, seq, src: sp, urg, win, xsum };
}

const REQUEST = B.ascii('GET /search?q=tracecap&lang=en HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n');
const RESPONSE = B.ascii('HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 9\r\n\r\nnot found');

describe('the quoted transport header', () => {
  it('a port unreachable about a DNS query (IPv4): ports, UDP length and checksum, as tshark', async () => {
    const query = udp4(41000, 53, B.dns({ questions: [{ name: 'a.example.', type: 'A' }] }));
    const cap = pcap([err4(3, 3, query)]);
    const [r] = await records(cap);
    const [sp, dp, len, xsum] = tshark(cap, ['udp.srcport', 'udp.dstport', 'udp.length', 'udp.checksum']);
    expect(r.ICMP.IPv4.L4).toEqual({ dst: Number(dp), len: Number(len), src: Number(sp), xsum: Number(xsum) });
    expect(r.ICMP.IPv4.dst).toBe('10.0.0.53');
  });

  it('a time exceeded about a TCP segment (IPv6) has its whole header; one quoting only 2 bytes of it has none', async () => {
    const seg = B.tcp({ srcPort: 50000, dstPort: 443, seq: 1, flags: 'SYN', src: 'fd00::9', dst: 'fd00::1' });
    const quoted = B.ipv6({ src: 'fd00::9', dst: 'fd00::1', nextHeader: 6, payload: seg });
    const cap = pcap([err6(3, 0, quoted), err6(3, 0, quoted.subarray(0, 42))]);
    const [a, b] = await records(cap);
    expect(a.ICMP.IPv6.L4).toEqual(tcpFromTshark(tsharkAll(cap, TCP_FIELDS)[0]!));
    expect(b.ICMP.IPv6.L4).toBeUndefined();
  });

  it('the 64 bits RFC 792 asks for: TCP ports and sequence number, UDP ports, length and checksum', async () => {
    const seg = tcp4({ sp: 80, dp: 40000, seq: 0xdeadbeef, ack: 7, payload: RESPONSE });
    const dg = udp4(5353, 33434, B.ascii('traceroute probe'));
    const cap = pcap([err4(11, 0, seg.subarray(0, 28)), err4(11, 0, dg.subarray(0, 28))]);
    const [t, u] = await records(cap);
    const ts = tsharkAll(cap, ['tcp.srcport', 'tcp.dstport', 'tcp.seq', 'udp.srcport', 'udp.dstport', 'udp.length', 'udp.checksum']);
    expect(t.ICMP.IPv4.L4).toEqual({ dst: Number(ts[0]![1]), seq: Number(ts[0]![2]), src: Number(ts[0]![0]) });
    expect(t.ICMP.IPv4.L4.seq).toBe(0xdeadbeef);
    expect(t.ICMP.IPv4.HTTP).toBeUndefined();
    expect(u.ICMP.IPv4.L4).toEqual({ dst: Number(ts[1]![4]), len: Number(ts[1]![5]), src: Number(ts[1]![3]), xsum: Number(ts[1]![6]) });
  });

  it('a later fragment quotes no transport header; a parameter problem and a packet too big quote theirs', async () => {
    const dg = udp4(41000, 53, B.dns({ questions: [{ name: 'example.com', type: 'A' }] }));
    const later = dg.slice(); later[6] = 0x00; later[7] = 0x02; // fragment offset 16 bytes
    const pp = err4(12, 0, dg, B.bytes(20, 0, 0, 0));
    const seg = tcp6({ sp: 443, dp: 50000, seq: 77, ack: 88, payload: new Uint8Array(1300) }, 'fd00::80', 'fd00::9');
    const ptb = err6(2, 0, seg.subarray(0, 1232 - 8), B.u32be(1280));
    const cap = pcap([err4(11, 0, later), pp, ptb]);
    const [f, p, t] = await records(cap);
    expect(f.ICMP.IPv4.L4).toBeUndefined();
    expect(f.ICMP.IPv4.DNS).toBeUndefined();
    const ts = tsharkAll(cap, ['ip.src', 'ip.dst', 'udp.srcport', 'udp.dstport', 'dns.qry.name', ...TCP_FIELDS]);
    expect(p.ICMP.msg).toBe('ParameterProblem(PointerIndicatesError)');
    expect([p.ICMP.IPv4.src, p.ICMP.IPv4.dst]).toEqual([ts[1]![0]!.split('|')[1], ts[1]![1]!.split('|')[1]]);
    expect([p.ICMP.IPv4.L4.src, p.ICMP.IPv4.L4.dst]).toEqual([Number(ts[1]![2]), Number(ts[1]![3])]);
    expect(p.ICMP.IPv4.DNS.questions).toEqual([{ class: 'IN', name: ts[1]![4], type: 'A' }]);
    expect(t.ICMP.msg).toBe('PacketTooBig');
    expect(t.ICMP.IPv6.L4).toEqual(tcpFromTshark(ts[2]!.slice(5)));
  });
});

describe('a quoted DNS message', () => {
  const answers = Array.from({ length: 8 }, (_, i) => ({ name: `host${i}.example.com`, type: 'A' as const, data: `192.0.2.${i + 1}` }));
  const response = B.dns({ id: 0x4d4d, qr: true, questions: [{ name: 'hosts.example.com', type: 'A' }, { name: '', type: 'NS' }], answers, compress: true });

  it('is decoded whole when quoted whole, as tshark (a port unreachable about a response)', async () => {
    const cap = pcap([err4(3, 3, udp4(53, 41000, response, '10.0.0.53', '10.0.0.9'))]);
    const [r] = await records(cap);
    const [id, qn, qt, an, a] = tsharkAll(cap, ['dns.id', 'dns.qry.name', 'dns.qry.type', 'dns.resp.name', 'dns.a'])[0]!.map((v) => v.split('|'));
    const d = r.ICMP.IPv4.DNS;
    expect(d.id).toBe(Number(id![0]));
    expect(d.questions.map((q: any) => [q.name, q.type])).toEqual(qn!.map((n, i) => [n, qt![i] === '1' ? 'A' : 'NS']));
    expect(d.answers.map((x: any) => [x.name, x.A])).toEqual(an!.map((n, i) => [n, a![i]]));
    expect([d.answers_count, d.questions_count, d.op, d.response_code]).toEqual([8, 2, 'Query', 'No Error']);
    expect(r.ICMP.IPv4.err).toBeUndefined();
    expect(r.err).toBeUndefined();
  });

  it('cut anywhere, keeps what the quote holds and says why it stops, in the quote: never a trap, never the record\'s err', async () => {
    const dg = udp4(53, 41000, response, '10.0.0.53', '10.0.0.9');
    const cuts = Array.from({ length: response.length + 1 }, (_, n) => 28 + n);
    const recs = await records(pcap(cuts.map((n) => err4(3, 3, dg.subarray(0, n)))));
    const ts = tsharkAll(pcap(cuts.map((n) => err4(3, 3, dg.subarray(0, n)))), ['dns.id', 'dns.qry.name', 'dns.resp.name']);
    expect(recs.length).toBe(cuts.length);
    let prevQ = 0, prevA = 0;
    recs.forEach((r, n) => {
      const at = `${n} bytes of DNS`;
      expect(r.err, at).toBeUndefined();
      expect(r.severity, at).toBeUndefined();
      const q = r.ICMP.IPv4;
      expect(q.L4.src, at).toBe(53);
      if (n === 0) { expect(q.DNS, at).toBeUndefined(); expect(q.err, at).toBeUndefined(); return; }
      const whole = n === response.length;
      expect(q.err === undefined, at).toBe(whole);
      if (!whole) expect(q.err[0].layer, at).toBe('DNS');
      if (n < 12) { expect(q.DNS, at).toBeUndefined(); return; }
      expect(q.DNS.id, at).toBe(0x4d4d);
      expect(q.DNS.id, at).toBe(Number(ts[n]![0]));
      // Questions and answers only ever grow with the quote, and each shown is one tshark shows too.
      const qs = q.DNS.questions ?? [], as = q.DNS.answers ?? [];
      expect(qs.length, at).toBeGreaterThanOrEqual(prevQ);
      expect(as.length, at).toBeGreaterThanOrEqual(prevA);
      prevQ = qs.length; prevA = as.length;
      const theirQ = ts[n]![1] ? ts[n]![1]!.split('|') : [];
      const theirA = ts[n]![2] ? ts[n]![2]!.split('|') : [];
      expect(qs.map((x: any) => x.name), at).toEqual(theirQ.slice(0, qs.length));
      expect(as.map((x: any) => x.name), at).toEqual(theirA.slice(0, as.length));
    });
    expect([prevQ, prevA]).toEqual([2, 8]);
    // 100 bytes: the header, both questions (40 bytes) and the 2 answers of 22 bytes whole before the cut.
    const part = recs[100]!.ICMP.IPv4;
    expect(part.DNS.questions.length).toBe(2);
    expect(part.DNS.answers.map((x: any) => x.A)).toEqual(['192.0.2.1', '192.0.2.2']);
    expect(part.err).toEqual([{ layer: 'DNS', msg: 'truncated: the captured bytes end inside this header' }]);
  });

  it('stops where RFC 4884 says the original datagram ends: ICMP extensions are not DNS', async () => {
    // A time exceeded quoting the first 128 bytes of a 327-byte DNS response (length 32 words),
    // then an extension structure with an MPLS label stack (RFC 4950).
    const dg = udp4(53, 41000, B.dns({ id: 77, qr: true, questions: [{ name: 'hosts.example.com', type: 'A' }], answers }), '10.0.0.53', '10.0.0.9');
    const obj = B.bytes(B.u16be(8), 1, 1, B.u32be((16001 << 12) | (1 << 8) | 255));
    const ext = B.bytes(0x20, 0, 0, 0, obj);
    const x = B.inetChecksum(ext); ext[2] = x >> 8; ext[3] = x & 0xff;
    const cap = pcap([err4(11, 0, B.bytes(dg.subarray(0, 128), ext), B.bytes(0, 32, 0, 0))]);
    const [r] = await records(cap);
    const [orig, an, a] = tsharkAll(cap, ['icmp.length.original_datagram', 'dns.resp.name', 'dns.a'])[0]!.map((v) => v.split('|'));
    expect(orig).toEqual(['128']);
    const d = r.ICMP.IPv4.DNS;
    // 28 + 35 bytes of headers and question, 33 bytes per answer: one answer lies whole in the 128 bytes.
    expect(d.answers.map((y: any) => [y.name, y.A])).toEqual([['host0.example.com', '192.0.2.1']]);
    expect([an![0], a![0]]).toEqual(['host0.example.com', '192.0.2.1']);
    // tshark 4.0 reads on into the extension: the second address ends in its first byte (version 2, 0x20).
    expect(a![1]).toBe('192.0.2.32');
    expect(r.ICMP.IPv4.err).toEqual([{ layer: 'DNS', msg: 'truncated: the captured bytes end inside this header' }]);
  });
});

describe('a quoted HTTP/1 start line', () => {
  it('a request line in a port unreachable and a time exceeded of IPv6, as tshark', async () => {
    const seg = tcp6({ sp: 50000, dp: 80, seq: 1000, ack: 2000, payload: REQUEST });
    const cap = pcap([err6(1, 4, seg), err6(3, 0, seg)]);
    const recs = await records(cap);
    const ts = tsharkAll(cap, ['http.request.method', 'http.request.uri', 'http.request.version', ...TCP_FIELDS]);
    expect(recs.map((r) => r.ICMP.msg)).toEqual(['DestinationUnreachable(PortUnreachable)', 'TimeExceeded(HopLimitExceeded)']);
    recs.forEach((r, i) => {
      const [method, uri, version] = ts[i]!;
      expect(r.ICMP.IPv6.HTTP).toEqual({ kind: 'request', method, proto: version, url: uri });
      expect(r.ICMP.IPv6.L4).toEqual(tcpFromTshark(ts[i]!.slice(3)));
      expect(r.ICMP.IPv6.err).toBeUndefined();
    });
    expect(recs[0].ICMP.IPv6.HTTP.url).toBe('/search?q=tracecap&lang=en');
  });

  it('a status line in a time exceeded (IPv4), at INFO too', async () => {
    const cap = pcap([err4(11, 0, tcp4({ sp: 80, dp: 40000, seq: 5, ack: 7, payload: RESPONSE }))]);
    const [r] = await records(cap, 'info');
    const [code, phrase, version] = tshark(cap, ['http.response.code', 'http.response.phrase', 'http.response.version']);
    expect(r.ICMP.IPv4.HTTP).toEqual({ code: Number(code), kind: 'response', proto: version, status: `${code} ${phrase}` });
  });

  it('a line the quote cuts: what came whole before the cut, and why it stops', async () => {
    const seg = tcp6({ sp: 50000, dp: 80, seq: 1000, ack: 2000, payload: REQUEST });
    const resp = tcp4({ sp: 80, dp: 40000, seq: 5, ack: 7, payload: RESPONSE });
    const cap = pcap([err6(3, 0, seg.subarray(0, 40 + 20 + 14)), err4(3, 4, resp.subarray(0, 20 + 20 + 14))]);
    const [a, b] = await records(cap);
    const ts = tsharkAll(cap, ['http.request.method', 'http.response.code']);
    expect(a.ICMP.IPv6.HTTP).toEqual({ kind: 'request', method: ts[0]![0] });
    expect(a.ICMP.IPv6.err).toEqual([{ layer: 'HTTP', msg: 'truncated: the captured bytes end inside this header' }]);
    expect(b.ICMP.IPv4.HTTP).toEqual({ code: Number(ts[1]![1]), kind: 'response', proto: 'HTTP/1.1' });
    expect(b.ICMP.IPv4.err).toEqual([{ layer: 'HTTP', msg: 'truncated: the captured bytes end inside this header' }]);
    expect(a.err).toBeUndefined();
    expect(b.err).toBeUndefined();
  });

  it('other TCP payloads are no HTTP', async () => {
    const tls = B.bytes(0x16, 0x03, 0x01, 0x00, 0x40, 0x01, new Uint8Array(64));
    const cap = pcap([err4(3, 4, tcp4({ sp: 443, dp: 40000, seq: 5, ack: 7, payload: tls })), err4(3, 4, tcp4({ sp: 80, dp: 40000, seq: 5, ack: 7, payload: B.ascii('hello world\r\n') }))]);
    const recs = await records(cap);
    for (const r of recs) { expect(r.ICMP.IPv4.HTTP).toBeUndefined(); expect(r.ICMP.IPv4.L4.src).toBeGreaterThan(0); }
  });
});

describe('the app\'s field catalog (runtimes/browser/app/fields.ts)', () => {
  it('names every path of the records above (ICMP errors are in no corpus capture the catalog test reads)', () => {
    expect(seenPaths.size).toBeGreaterThan(50);
    expect([...seenPaths].filter((p) => !isKnownField(p))).toEqual([]);
  });
});
