// The connection list's facts read from records (connfacts.ts): the byte search, SNI, ALPN and DNS
// answers from records the CLI writes, the retransmission rule on hand-made sequences, end
// states and the DNS names table's bounds.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { find, valueEnd, recordFacts, tcpSeq, RetransmissionTracker, endState, newConnFacts, DnsNames, MAX_NAMES_PER_ADDRESS, MAX_TRACKED_CONNECTIONS } from '../../../../runtimes/browser/app/connfacts.js';

const ROOT = join(import.meta.dirname, '..', '..', '..', '..');
const enc = new TextEncoder();
const CORPUS = join(ROOT, '..', 'shared', 'corpus', 'http');

describe('byte search', () => {
  it('find and valueEnd', () => {
    const b = enc.encode('xx"TLS":{"a":"}\\"{","b":[1,{"c":2}]}yy');
    const t = find(b, enc.encode('"TLS":{'), 0, b.length);
    expect(t).toBe(2);
    const e = valueEnd(b, t + 6, b.length);
    expect(new TextDecoder().decode(b.subarray(t + 6, e))).toBe('{"a":"}\\"{","b":[1,{"c":2}]}');
    expect(valueEnd(b, t + 6, e - 1)).toBe(-1);
    expect(find(b, enc.encode('"DNS"'), 0, b.length)).toBe(-1);
  });
});

describe.skipIf(!spawnSync('sh', ['-c', 'command -v tshark'], { encoding: 'utf8' }).stdout.trim())('on the CLI\'s records, against tshark', () => {
  const cli = (f: string) => spawnSync(process.execPath, [join(ROOT, 'bin', 'tracecap.js'), f], { maxBuffer: 1 << 28, encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
  const tshark = (f: string, filter: string, ...fields: string[]) => spawnSync('tshark', ['-r', f, '-Y', filter, '-T', 'fields', '-E', 'separator=;', ...fields.flatMap((x) => ['-e', x])], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);

  it('SNI of every ClientHello (tls-sni.pcap)', () => {
    const f = join(CORPUS, 'tls-sni.pcap');
    const got: string[] = [];
    for (const l of cli(f)) { const b = enc.encode(l); const x = recordFacts(b, 0, b.length, true, false); if (x?.sni) got.push(x.sni); }
    expect(got).toEqual(tshark(f, 'tls.handshake.extensions_server_name', 'tls.handshake.extensions_server_name'));
    expect(got.length).toBeGreaterThan(0);
  });
  it('DNS answers: [name, address] of every A and AAAA answer (examples/dns.pcap)', () => {
    const f = join(ROOT, 'examples', 'dns.pcap');
    const got: string[] = [];
    for (const l of cli(f)) { const b = enc.encode(l); const x = recordFacts(b, 0, b.length, false, true); for (const [n, a] of x?.dns ?? []) got.push(`${n}=${a}`); }
    // tshark lists a response's answer names then its addresses: paired in order (A and AAAA only in this capture).
    const want = tshark(f, 'dns.flags.response == 1 && (dns.a || dns.aaaa)', 'dns.resp.name', 'dns.a', 'dns.aaaa').flatMap((line) => {
      const [names, a, aaaa] = line.split(';');
      const addrs = [...(a ? a.split(',') : []), ...(aaaa ? aaaa.split(',') : [])];
      return names!.split(',').map((n, i) => `${n}=${addrs[i]}`);
    });
    expect(got).toEqual(want);
    expect(got.length).toBeGreaterThan(0);
  });
  it('tcpSeq reads L4.seq and L4.len (h1-keepalive-mtu1500.pcap, every TCP record)', () => {
    const f = join(CORPUS, 'h1-keepalive-mtu1500.pcap');
    const want = tshark(f, 'tcp', 'tcp.seq_raw', 'tcp.len');
    const got = cli(f).map((l) => { const b = enc.encode(l); const t = tcpSeq(b, 0, b.length); return t ? `${t.seq};${t.len}` : 'none'; });
    expect(got).toEqual(want);
  });
});

describe('RetransmissionTracker', () => {
  it('a repeated data segment is one, a keep-alive and new data are not; a repeated SYN and FIN are', () => {
    const t = new RetransmissionTracker();
    const c = (flags: number, seq: number, len: number) => t.segment(1, 0, 10, 40000, flags, seq, len);
    const s = (flags: number, seq: number, len: number) => t.segment(1, 0, 20, 80, flags, seq, len);
    expect(c(0x02, 1000, 0)).toBe(false); // SYN
    expect(c(0x02, 1000, 0)).toBe(true); // SYN again
    expect(s(0x12, 5000, 0)).toBe(false);
    expect(c(0x18, 1001, 100)).toBe(false);
    expect(c(0x18, 1001, 100)).toBe(true); // the same data again
    expect(c(0x18, 1050, 100)).toBe(true); // overlapping
    expect(c(0x10, 1100, 1)).toBe(true); // behind by more than one: not a keep-alive
    expect(c(0x10, 1149, 1)).toBe(false); // a keep-alive: one byte, one before the next
    expect(c(0x10, 1150, 0)).toBe(false); // an ACK without data
    expect(s(0x18, 5001, 10)).toBe(false);
    expect(s(0x10, 5010, 1)).toBe(false); // keep-alive: one byte, one before the next
    expect(c(0x11, 1151, 0)).toBe(false); // FIN
    expect(c(0x11, 1151, 0)).toBe(true); // FIN again
    expect(c(0x14, 1000, 0)).toBe(false); // RST never
  });
  it('sequence numbers wrap (RFC 9293 modulo 2^32)', () => {
    const t = new RetransmissionTracker();
    expect(t.segment(2, 0, 1, 1, 0x18, 0xffffff00, 0x200)).toBe(false);
    expect(t.segment(2, 0, 1, 1, 0x18, 0x100, 0x100)).toBe(false);
    expect(t.segment(2, 0, 1, 1, 0x18, 0xffffff80, 0x10)).toBe(true);
  });
});

describe('end state and DNS names', () => {
  it('endState', () => {
    const f = newConnFacts();
    expect(endState(f, 'TCP')).toBe('open');
    expect(endState(f, 'UDP')).toBe('');
    f.finFwd = true; expect(endState(f, 'TCP')).toBe('half-closed');
    f.finBwd = true; expect(endState(f, 'TCP')).toBe('FIN');
    f.rst = 'server'; expect(endState(f, 'TCP')).toBe('RST (server)');
  });
  it('DnsNames keeps MAX_NAMES_PER_ADDRESS names an address, counts the rest, no duplicates', () => {
    const d = new DnsNames();
    for (let i = 0; i < MAX_NAMES_PER_ADDRESS + 3; i++) d.add([[`n${i}.test`, '10.0.0.1'], [`n${i}.test`, '10.0.0.1']]);
    expect(d.of('10.0.0.1').names).toHaveLength(MAX_NAMES_PER_ADDRESS);
    expect(d.of('10.0.0.1').more).toBe(3);
    expect(d.of('10.0.0.2')).toEqual({ names: [], more: 0 });
  });
});

describe('RetransmissionTracker bound', () => {
  it('follows at most MAX_TRACKED_CONNECTIONS, forgets the least recently used, counts what it forgot', () => {
    const t = new RetransmissionTracker();
    const n = MAX_TRACKED_CONNECTIONS;
    for (let i = 0; i < n; i++) t.segment(i, 1, 1, 1, 0x18, 1000, 10);
    t.segment(0, 1, 1, 1, 0x18, 1010, 10); // connection 0 is the most recent now
    expect(t.size).toBe(n);
    t.segment(n, 1, 1, 1, 0x18, 1000, 10); // one more: the oldest eighth goes
    expect(t.evicted).toBe(n / 8);
    expect(t.size).toBe(n - n / 8 + 1);
    expect(t.segment(0, 1, 1, 1, 0x18, 1010, 10)).toBe(true); // still followed: its repeat is one
    expect(t.segment(1, 1, 1, 1, 0x18, 1000, 10)).toBe(false); // forgotten: started over, not judged
  });
});
