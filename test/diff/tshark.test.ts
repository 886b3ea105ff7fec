// Differential test against tshark over every capture of ../shared/corpus/http/ (pcap and
// pcapng; Ethernet and Linux cooked v2). tshark runs once per file; every record of tracecap at
// DEBUG and at INFO verbosity is compared, packet by packet, with tshark's fields:
//   L3.src/dst (ip.src/dst, ipv6.src/dst), L3.ttl (ip.ttl, ipv6.hlim), L3.id (ip.id),
//   L3.len (ip.len, ipv6.plen), L3.proto.num (ip.proto, ipv6.nxt),
//   TCP: L4.src/dst, L4.seq/ack (tcp.seq_raw/ack_raw), L4.flags.dec (tcp.flags & 0xff),
//        L4.win (tcp.window_size_value), L4.len (string; captured payload = tcp.len when the frame is whole),
//   UDP: L4.src/dst, L4.len (udp.length), ICMP/ICMPv6: ICMP.type/code,
//   timestamp (frame.time_epoch), and at DEBUG meta.len/cap_len (frame.len/cap_len).
// tshark dissects some captures with non-standard ports (DNS on a high UDP port, h2c on random
// ports) and may decode HTTP/2, DNS, TLS or nothing at all above TCP/UDP: none of that affects
// these header fields. Mismatches are collected; the test fails listing the first 20.
//
// Run: npm run build && npx vitest run test/diff

import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { HAS_TSHARK, SHARED, filesUnder, lines, pool, runTshark, translate } from './support.js';

const HTTP = join(SHARED, 'corpus/http');
const FILES = filesUnder(HTTP, ['.pcap', '.pcapng']);

const FIELDS = [
  'frame.number', 'frame.time_epoch', 'frame.len', 'frame.cap_len',
  'ip.src', 'ip.dst', 'ipv6.src', 'ipv6.dst', 'ip.ttl', 'ipv6.hlim', 'ip.id', 'ip.len', 'ip.proto', 'ipv6.plen', 'ipv6.nxt',
  'ip.flags.mf', 'ip.frag_offset',
  'tcp.srcport', 'tcp.dstport', 'tcp.seq_raw', 'tcp.ack_raw', 'tcp.flags', 'tcp.window_size_value', 'tcp.len',
  'udp.srcport', 'udp.dstport', 'udp.length',
  'icmp.type', 'icmp.code', 'icmpv6.type', 'icmpv6.code',
] as const;
type Field = (typeof FIELDS)[number];
type Row = Record<Field, string>;

async function tsharkRows(file: string): Promise<Row[]> {
  const out = await runTshark(['-r', file, '-n', '-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=f', '-E', 'header=n',
    ...FIELDS.flatMap((f) => ['-e', f])]);
  return out.split('\n').filter((l) => l !== '').map((l) => {
    const cols = l.split('\t');
    if (cols.length !== FIELDS.length) throw new Error(`tshark row has ${cols.length} columns, expected ${FIELDS.length}: ${l}`);
    return Object.fromEntries(FIELDS.map((f, i) => [f, cols[i]!])) as Row;
  });
}

/* eslint-disable @typescript-eslint/no-explicit-any */
type Rec = any;

interface Case { name: string; rows: Row[]; debug: Rec[]; info: Rec[]; debugCount: number; infoCount: number; errors: string[] }
const cases = new Map<string, Case>();

beforeAll(async () => {
  if (!HAS_TSHARK) throw new Error('tshark is not installed (Debian package tshark)');
  await pool(FILES, 4, async (file) => {
    const data = new Uint8Array(readFileSync(file));
    const rows = await tsharkRows(file);
    const errors: string[] = [];
    const run = async (v: 'debug' | 'info') => {
      const t = await translate(data, v);
      if (t.error) errors.push(`${v}: capture error ${t.error.reason} at ${t.error.offset}`);
      return lines(t.bytes).map((l) => JSON.parse(l) as Rec);
    };
    const debug = await run('debug');
    const info = await run('info');
    cases.set(file, { name: basename(file), rows, debug, info, debugCount: debug.length, infoCount: info.length, errors });
  });
});

/** IPv4 fragment (tshark reassembles, gopacket and so tracecap do not: spec §9.2). */
const isFragment = (r: Row) => r['ip.src'] !== '' && (r['ip.flags.mf'] === '1' || (r['ip.frag_offset'] !== '' && r['ip.frag_offset'] !== '0'));
/** ICMP or ICMPv6 by IP protocol (tshark's tcp/udp fields then describe the quoted packet). */
const isIcmp = (r: Row) => ['1', '58'].includes(r['ip.src'] !== '' ? r['ip.proto'] : r['ipv6.nxt']);

const hexOrDec = (s: string) => String(s.startsWith('0x') ? parseInt(s, 16) : Number(s));

/** How many comparisons of each kind ran (guards against a vacuous pass). */
type Stats = Record<'L3' | 'TCP' | 'UDP' | 'ICMP' | 'fields', number>;
const newStats = (): Stats => ({ L3: 0, TCP: 0, UDP: 0, ICMP: 0, fields: 0 });

/** Compares one record with its tshark row; pushes one line per differing field. */
function compare(file: string, v: 'DEBUG' | 'INFO', i: number, rec: Rec, row: Row, out: string[], stats = newStats()): void {
  const at = `${file} #${row['frame.number']} (pcap.num ${i}, ${v})`;
  const eq = (field: string, expected: string, got: unknown) => {
    stats.fields++;
    if (got === undefined || String(got) !== expected) out.push(`${at} ${field}: tshark=${expected} tracecap=${got === undefined ? '<absent>' : JSON.stringify(got)}`);
  };

  eq('timestamp', row['frame.time_epoch'], rec.timestamp ? `${rec.timestamp.seconds}.${String(rec.timestamp.nanos).padStart(9, '0')}` : undefined);
  if (v === 'DEBUG') {
    eq('meta.len', row['frame.len'], rec.meta?.len);
    eq('meta.cap_len', row['frame.cap_len'], rec.meta?.cap_len);
  }

  const v4 = row['ip.src'] !== '', v6 = !v4 && row['ipv6.src'] !== '';
  if (!v4 && !v6) {
    if (rec.L3 !== undefined) out.push(`${at} L3: tshark has no IP layer, tracecap has L3`);
    return;
  }
  stats.L3++;
  const L3 = rec.L3 ?? {};
  if (rec.L3 === undefined) out.push(`${at} L3: absent`);
  eq('L3.src', v4 ? row['ip.src'] : row['ipv6.src'], L3.src);
  eq('L3.dst', v4 ? row['ip.dst'] : row['ipv6.dst'], L3.dst);
  eq('L3.ttl', v4 ? row['ip.ttl'] : row['ipv6.hlim'], L3.ttl);
  eq('L3.len', v4 ? row['ip.len'] : row['ipv6.plen'], L3.len);
  eq('L3.proto.num', v4 ? row['ip.proto'] : row['ipv6.nxt'], L3.proto?.num);
  if (v4) eq('L3.id', hexOrDec(row['ip.id']), L3.id);

  const proto = Number(v4 ? row['ip.proto'] : row['ipv6.nxt']);
  if (proto === 1 || proto === 58) {
    // ICMP: tshark's first tcp/udp occurrence would be the header quoted inside an ICMP error; tracecap has no L4 here.
    const t = proto === 1 ? 'icmp' : 'icmpv6';
    stats.ICMP++;
    eq('ICMP.type', row[`${t}.type`], rec.ICMP?.type);
    eq('ICMP.code', row[`${t}.code`], rec.ICMP?.code);
    return;
  }
  if (isFragment(row)) {
    // IPv4 fragment: tshark reassembles, gopacket (and so tracecap, spec §9.2) does not; no L4 to compare.
    return;
  }
  const L4 = rec.L4 ?? {};
  if (row['tcp.srcport'] !== '') {
    stats.TCP++;
    if (rec.L4 === undefined) out.push(`${at} L4: absent (TCP)`);
    eq('L4.src', row['tcp.srcport'], L4.src);
    eq('L4.dst', row['tcp.dstport'], L4.dst);
    eq('L4.seq', row['tcp.seq_raw'], L4.seq);
    eq('L4.ack', row['tcp.ack_raw'], L4.ack);
    eq('L4.flags.dec', String(parseInt(row['tcp.flags'], 16) & 0xff), L4.flags?.dec);
    eq('L4.win', row['tcp.window_size_value'], L4.win);
    if (typeof L4.len !== 'string') out.push(`${at} L4.len: TCP length must be a string, got ${JSON.stringify(L4.len)}`);
    // L4.len is the captured payload length; equal to tshark's tcp.len when nothing was cut by the snap length.
    if (row['frame.len'] === row['frame.cap_len']) eq('L4.len', row['tcp.len'], L4.len);
  } else if (row['udp.srcport'] !== '') {
    stats.UDP++;
    if (rec.L4 === undefined) out.push(`${at} L4: absent (UDP)`);
    eq('L4.src', row['udp.srcport'], L4.src);
    eq('L4.dst', row['udp.dstport'], L4.dst);
    eq('L4.len', row['udp.length'], L4.len);
  } else if (rec.L4 !== undefined) {
    out.push(`${at} L4: tshark has no TCP/UDP layer, tracecap has L4`);
  }
}

it('finds the http corpus (pcap and pcapng, Ethernet and SLL2)', () => {
  expect(FILES.map((f) => basename(f))).toEqual(expect.arrayContaining(['h2c-any-sll2.pcap', 'h1-keepalive-mtu1500.pcapng', 'dns-udp.pcap']));
});

describe.each(FILES.map((f) => [basename(f), f] as const))('%s', (_name, file) => {
  it('tracecap = tshark, field by field, at DEBUG and INFO', () => {
    const c = cases.get(file)!;
    const problems: string[] = [...c.errors];
    for (const [v, recs] of [['DEBUG', c.debug], ['INFO', c.info]] as const) {
      if (recs.length !== c.rows.length) problems.unshift(`${c.name} (${v}): record count ${recs.length}, tshark frames ${c.rows.length}`);
      const n = Math.min(recs.length, c.rows.length);
      const stats = newStats();
      for (let i = 0; i < n; i++) compare(c.name, v, i, recs[i], c.rows[i]!, problems, stats);
      // Not vacuous: every tshark TCP/UDP/ICMP packet was compared as such.
      expect(stats.TCP, `${v}: TCP packets compared`).toBe(c.rows.filter((r) => r['tcp.srcport'] !== '' && !isIcmp(r) && !isFragment(r)).length);
      expect(stats.UDP, `${v}: UDP packets compared`).toBe(c.rows.filter((r) => r['tcp.srcport'] === '' && r['udp.srcport'] !== '' && !isIcmp(r) && !isFragment(r)).length);
      expect(stats.L3, `${v}: IP packets compared`).toBe(c.rows.filter((r) => r['ip.src'] !== '' || r['ipv6.src'] !== '').length);
      expect(stats.L3, `${v}: IP packets compared`).toBeGreaterThan(0);
    }
    if (problems.length) {
      expect.fail(`${problems.length} mismatch(es); first 20:\n  ${problems.slice(0, 20).join('\n  ')}`);
    }
  });
});

describe('comparator (self-check, negative control)', () => {
  it('reports every field that differs from tshark, and nothing else', () => {
    const c = [...cases.values()].find((x) => x.name === 'h1-keepalive-mtu1500.pcap')!;
    const i = c.rows.findIndex((r) => r['tcp.len'] !== '0' && r['tcp.len'] !== '');
    const clean: string[] = [];
    compare(c.name, 'DEBUG', i, c.debug[i], c.rows[i]!, clean);
    expect(clean).toEqual([]);
    const bad = structuredClone(c.debug[i]);
    bad.L3.ttl += 1; bad.L3.id += 1; bad.L4.seq += 1; bad.L4.ack += 1; bad.L4.flags.dec ^= 1; bad.L4.win += 1;
    bad.L4.len = String(Number(bad.L4.len) + 1); bad.L4.src += 1; bad.L3.dst = '10.9.9.9'; bad.meta.cap_len += 1;
    bad.timestamp.nanos += 1;
    const problems: string[] = [];
    compare(c.name, 'DEBUG', i, bad, c.rows[i]!, problems);
    expect(problems.map((p) => /\) (\S+): tshark=/.exec(p)?.[1] ?? p).sort()).toEqual(
      ['L3.dst', 'L3.id', 'L3.ttl', 'L4.ack', 'L4.flags.dec', 'L4.len', 'L4.seq', 'L4.src', 'L4.win', 'meta.cap_len', 'timestamp']);
    const numLen = structuredClone(c.debug[i]);
    numLen.L4.len = Number(numLen.L4.len);
    const p2: string[] = [];
    compare(c.name, 'INFO', i, numLen, c.rows[i]!, p2);
    expect(p2).toHaveLength(1);
    expect(p2[0]).toMatch(/L4\.len: TCP length must be a string/);
  });
});
