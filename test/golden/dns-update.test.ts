// DNS UPDATE (RFC 2136) with TSIG (RFC 8945), and the root name, against tshark. The corpus has
// no UPDATE message (tshark -Y 'dns.flags.opcode==5' finds none in ../shared/corpus), so the
// messages are built byte by byte as nsupdate and a server exchange them: the sections by their
// RFC 2136 names (zone, prerequisites, updates, additional), every prerequisite and update form
// of §2.4 and §2.5 — class ANY and NONE with no RDATA among them — and the TSIG record's fields,
// record by record against tshark's tree (its section groups and record labels).
import { describe, it, expect } from 'vitest';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import * as B from '../helpers/build.js';
import { isKnownField } from '../../runtimes/browser/app/fields.js';
import { recordsOf } from '../helpers/records.js';

const wasm = new WebAssembly.Module(readFileSync('build/tracecap.wasm'));
const CORPUS = join(import.meta.dirname, '..', '..', '..', 'shared', 'corpus', 'tcpdump');

/** Every path of the records written in this file, for the app's field catalog (last test). */
const seenPaths = new Set<string>();

const records = (cap: Uint8Array, verbosity: 'info' | 'debug') => recordsOf(wasm, cap, verbosity, seenPaths);

/** tshark's output for a capture, with the given arguments. */
function tshark(cap: Uint8Array, args: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'tracecap-dnsupd-'));
  try {
    writeFileSync(join(dir, 'c.pcap'), cap);
    return execFileSync('tshark', ['-r', join(dir, 'c.pcap'), '-n', ...args], { encoding: 'utf8' });
  } finally { rmSync(dir, { recursive: true, force: true }); }
}

/** tshark's DNS layer of each packet (-T json, repeated keys kept as arrays). */
function tsharkDns(cap: Uint8Array): any[] {
  return JSON.parse(tshark(cap, ['-T', 'json', '--no-duplicate-keys', '-J', 'dns'])).map((p: any) => p._source.layers.dns);
}

// A section group of tshark's tree as [label, fields] pairs, in order.
function group(dns: any, name: string): [string, any][] {
  const g = dns[name];
  if (!g || typeof g !== 'object') return [];
  return Object.entries(g).flatMap(([label, v]) => (Array.isArray(v) ? v.map((x) => [label, x] as [string, any]) : [[label, v] as [string, any]]));
}

// tshark's record label "name: type T, class C[, …]": the type and class mnemonics it shows.
function labelNames(label: string): { type: string; class: string } {
  const m = /: type (\S+), class ([^,]+)/.exec(label);
  if (!m) throw new Error(`unexpected tshark label ${label}`);
  return { type: m[1]!, class: m[2]! };
}

// The type name tracecap gives a record of an UPDATE: tshark's mnemonic, or TYPEn (RFC 3597 §5)
// for the types neither gopacket's table nor TSIG/ANY names.
const OURS_KNOWN = new Set(['A', 'NS', 'MD', 'MF', 'CNAME', 'SOA', 'MB', 'MG', 'MR', 'NULL', 'WKS', 'PTR', 'HINFO', 'MINFO', 'MX', 'TXT', 'AAAA', 'SRV', 'OPT', 'URI', 'TSIG', 'ANY']);
const ourType = (tsharkName: string, num: number) => (OURS_KNOWN.has(tsharkName) ? tsharkName : `TYPE${num}`);

/** What tracecap must render for a record of tshark's tree in an UPDATE. */
function expectedRecord(label: string, f: any): Record<string, unknown> {
  const names = labelNames(label);
  const e: Record<string, unknown> = {
    class: names.class, name: f['dns.resp.name'], ttl: Number(f['dns.resp.ttl']), type: ourType(names.type, Number(f['dns.resp.type'])),
  };
  if (f['dns.a'] !== undefined) e.A = f['dns.a'];
  if (f['dns.aaaa'] !== undefined) e.AAAA = f['dns.aaaa'];
  if (f['dns.txt'] !== undefined) e.TXT = [f['dns.txt']].flat();
  if (f['dns.tsig.algorithm_name'] !== undefined) {
    e.TSIG = {
      algorithm: f['dns.tsig.algorithm_name'], error: Number(f['dns.tsig.error']), fudge: Number(f['dns.tsig.fudge']),
      mac_size: Number(f['dns.tsig.mac_size']), original_id: Number(f['dns.tsig.original_id']), other_len: Number(f['dns.tsig.other_len']),
      // "Nov 14, 2023 22:13:20.000000000 UTC"
      time_signed: Date.parse(String(f['dns.tsig.time_signed']).replace(/\.\d+ UTC$/, ' UTC')) / 1000,
    };
  }
  return e;
}

// ───────────────────────────── the messages ─────────────────────────────

/** TSIG RDATA (RFC 8945 §4.2). */
function tsigRdata(o: { time: number; mac: Uint8Array; id: number; error?: number; other?: Uint8Array }): Uint8Array {
  const alg = B.bytes(11, B.ascii('hmac-sha256'), 0);
  const other = o.other ?? new Uint8Array(0);
  return B.bytes(alg, B.u16be(Math.floor(o.time / 2 ** 32)), B.u32be(o.time >>> 0), B.u16be(300), B.u16be(o.mac.length), o.mac,
    B.u16be(o.id), B.u16be(o.error ?? 0), B.u16be(other.length), other);
}
const MAC = Uint8Array.from({ length: 32 }, (_, i) => (i * 37 + 11) & 0xff);
const tsig = (rdata: Uint8Array) => ({ name: 'tsig-key.example.com', type: 250, class: 255, ttl: 0, data: rdata });

// nsupdate's request: zone example.com; prerequisites of every form of RFC 2136 §2.4; updates of
// every form of §2.5; signed with TSIG.
const REQUEST = B.dns({
  id: 0x2b2b, qr: false, rd: false, opcode: 5,
  questions: [{ name: 'example.com', type: 'SOA' }],
  answers: [
    { name: 'www.example.com', type: 'A', class: 255, ttl: 0, rdlength: 0 },              // §2.4.1 RRset exists (value independent)
    { name: 'www.example.com', type: 'A', class: 1, ttl: 0, data: '192.0.2.1' },         // §2.4.2 RRset exists (value dependent)
    { name: 'new.example.com', type: 'AAAA', class: 254, ttl: 0, rdlength: 0 },          // §2.4.3 RRset does not exist
    { name: 'ns.example.com', type: 255, class: 255, ttl: 0, rdlength: 0 },              // §2.4.4 name is in use
    { name: 'gone.example.com', type: 255, class: 254, ttl: 0, rdlength: 0 },            // §2.4.5 name is not in use
  ],
  authorities: [
    { name: 'new.example.com', type: 'A', ttl: 300, data: '192.0.2.7' },                 // §2.5.1 add
    { name: 'new.example.com', type: 'AAAA', ttl: 300, data: '2001:db8::7' },
    { name: 'new.example.com', type: 'TXT', ttl: 300, data: ['v=1', 'owner=ops'] },
    { name: 'new.example.com', type: 49, ttl: 300, data: B.hex('000101aabbccdd') },    // DHCID (RFC 4701), as ISC DHCP adds it
    { name: 'www.example.com', type: 'TXT', class: 255, ttl: 0, rdlength: 0 },            // §2.5.2 delete an RRset
    { name: 'old.example.com', type: 255, class: 255, ttl: 0, rdlength: 0 },              // §2.5.3 delete all RRsets of a name
    { name: 'www.example.com', type: 'A', class: 254, ttl: 0, data: '192.0.2.1' },        // §2.5.4 delete an RR
  ],
  additionals: [tsig(tsigRdata({ time: 1700000000, mac: MAC, id: 0x2b2b }))],
});
// The server's answers: refused as not authoritative with a TSIG BADTIME (RFC 8945 §5.2.3: the
// server's time in other data, no MAC); and a success, signed.
const BADTIME = B.dns({ id: 0x2b2b, qr: true, rd: false, ra: false, opcode: 5, rcode: 9, questions: [{ name: 'example.com', type: 'SOA' }],
  additionals: [tsig(tsigRdata({ time: 1700000000, mac: new Uint8Array(0), id: 0x2b2b, error: 18, other: B.bytes(B.u16be(0), B.u32be(1700000900)) }))] });
const SUCCESS = B.dns({ id: 0x2b2c, qr: true, rd: false, ra: false, opcode: 5, questions: [{ name: 'example.com', type: 'SOA' }],
  additionals: [tsig(tsigRdata({ time: 1700000001, mac: MAC.slice().reverse(), id: 0x2b2c }))] });

function capture(msgs: Uint8Array[]): Uint8Array {
  return B.pcap(msgs.map((m, i) => {
    const [src, dst, sp, dp] = i % 3 === 0 ? ['10.0.0.9', '10.0.0.53', 41000, 53] : ['10.0.0.53', '10.0.0.9', 53, 41000];
    const ip = B.ipv4({ src: src as string, dst: dst as string, proto: 17, payload: B.udp({ srcPort: sp as number, dstPort: dp as number, payload: m, src: src as string, dst: dst as string }) });
    return { ts: { sec: 1700000000 + i, nsec: 0 }, data: B.ethernet({ type: B.ETH.IPV4, payload: ip }) };
  }), { nano: true });
}

describe('DNS UPDATE (RFC 2136) signed with TSIG (RFC 8945), against tshark', () => {
  const cap = capture([REQUEST, BADTIME, SUCCESS]);

  it('every section by its name, every record whole, no decode error', async () => {
    const recs = await records(cap, 'info');
    const ts = tsharkDns(cap);
    expect(recs.length).toBe(3);
    let compared = 0;
    recs.forEach((r, i) => {
      const at = `message ${i + 1}`;
      const d = r.DNS;
      expect(r.err, at).toBeUndefined();
      expect(d.op, at).toBe('Update');
      expect(d.id, at).toBe(Number(ts[i]['dns.id']));
      // Zone, Prerequisites, Updates, Additional records: tshark's groups of an UPDATE.
      const zone = group(ts[i], 'Zone').map(([label, f]) => ({ class: labelNames(label).class, name: f['dns.qry.name'], type: labelNames(label).type }));
      expect(d.zone, `${at} zone`).toEqual(zone);
      for (const [ours, theirs] of [['prerequisites', 'Prerequisites'], ['updates', 'Updates'], ['additional', 'Additional records']] as const) {
        const want = group(ts[i], theirs).map(([label, f]) => expectedRecord(label, f));
        // The MAC and other data tshark does not show are checked against the bytes sent (below).
        const got = (d[ours] ?? []).map((x: any) => (x.TSIG ? { ...x, TSIG: { ...x.TSIG, mac: undefined, other_data: undefined } } : x));
        expect(JSON.parse(JSON.stringify(got)), `${at} ${ours}`).toEqual(want);
        compared += want.length;
      }
      expect(d.questions, at).toBeUndefined();
      expect(d.answers, at).toBeUndefined();
    });
    // 1 + 5 + 7 + 1 records of the request, a TSIG in each answer.
    expect(compared).toBe(5 + 7 + 1 + 1 + 1);
  });

  it('the TSIG fields tshark does not show: the MAC and the other data, as sent', async () => {
    const [req, bad, ok] = (await records(cap, 'info')).map((r) => r.DNS.additional[0].TSIG);
    expect(req.mac).toBe(Buffer.from(MAC).toString('hex'));
    expect(req.other_data).toBeUndefined();
    expect(bad).toEqual({ algorithm: 'hmac-sha256', error: 18, fudge: 300, mac: '', mac_size: 0, original_id: 0x2b2b, other_data: '00006553f484', other_len: 6, time_signed: 1700000000 });
    expect(ok.mac).toBe(Buffer.from(MAC.slice().reverse()).toString('hex'));
  });

  it('the response code and, at DEBUG, the section counts as tshark counts them', async () => {
    const recs = await records(cap, 'debug');
    const ts = tsharkDns(cap);
    recs.forEach((r, i) => {
      const d = r.DNS, t = ts[i];
      expect([d.zone_count, d.prerequisites_count, d.updates_count, d.additional_count], `message ${i + 1}`)
        .toEqual(['dns.count.zones', 'dns.count.prerequisites', 'dns.count.updates', 'dns.count.add_rr'].map((k) => Number(t[k])));
      expect(d.response_code).toBe(['No Error', 'Server Not Authoritative for zone', 'No Error'][i]);
      expect(Number(t['dns.flags_tree']['dns.flags.rcode'] ?? 0)).toBe([0, 9, 0][i]);
    });
  });

  it('outside an UPDATE, class ANY with no RDATA stays a malformed A record', async () => {
    const q = B.dns({ id: 7, qr: true, answers: [{ name: 'www.example.com', type: 'A', class: 255, ttl: 0, rdlength: 0 }] });
    const [r] = await records(capture([q]), 'info');
    expect(r.DNS).toBeUndefined();
    expect(r.err).toEqual([{ layer: 'DNS', msg: 'DNS record data does not fit its type or length' }]);
  });
});

describe('the root name, as tshark writes it', () => {
  it('<Root> in questions, owner names and the names inside RDATA (NS, MX, SOA, SRV)', async () => {
    const resp = B.dns({ id: 9, qr: true, questions: [{ name: '', type: 'NS' }],
      answers: [
        { name: '', type: 'NS', data: 'a.root-servers.net' },
        { name: 'example.com', type: 'MX', data: { preference: 0, name: '' } },                   // null MX (RFC 7505)
        { name: '_sip._udp.example.com', type: 'SRV', data: { priority: 0, weight: 0, port: 0, target: '' } }, // no service (RFC 2782)
        { name: '', type: 'SOA', data: { mname: '', rname: 'nstld.verisign-grs.com', serial: 1, refresh: 2, retry: 3, expire: 4, minimum: 5 } },
      ] });
    const cap = capture([resp]);
    const [r] = await records(cap, 'info');
    const fields = tshark(cap, ['-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=|',
      '-e', 'dns.qry.name', '-e', 'dns.resp.name', '-e', 'dns.mx.mail_exchange', '-e', 'dns.srv.target', '-e', 'dns.soa.mname'])
      .trim().split('\t').map((s) => s.split('|'));
    const [qn, rn, mx, srv, mname] = fields as string[][];
    expect(r.DNS.questions.map((x: any) => x.name)).toEqual(qn);
    // tshark splits an SRV owner into service, protocol and name: it lists the other three owners.
    expect(r.DNS.answers.filter((a: any) => !a.SRV).map((a: any) => a.name)).toEqual(rn);
    expect(r.DNS.answers[0].NS).toBe('a.root-servers.net');
    expect(r.DNS.answers[1].MX.name).toEqual(mx![0]);
    expect(r.DNS.answers[2].SRV.name).toEqual(srv![0]);
    expect(r.DNS.answers[3].SOA.mname).toEqual(mname![0]);
    expect(qn).toEqual(['<Root>']);
    expect([mx![0], srv![0], mname![0]]).toEqual(['<Root>', '<Root>', '<Root>']);
  });

  it('dns-badvers.pcap (tcpdump corpus): its questions for the root', async () => {
    const file = join(CORPUS, 'dns-badvers.pcap');
    const recs = await records(new Uint8Array(readFileSync(file)), 'info');
    const names = execFileSync('tshark', ['-r', file, '-n', '-T', 'fields', '-e', 'dns.qry.name'], { encoding: 'utf8' }).trim().split('\n');
    expect(names).toEqual(['<Root>', '<Root>', '<Root>', '<Root>']);
    expect(recs.map((r) => r.DNS.questions[0].name)).toEqual(names);
  });
});

describe('the app\'s field catalog (runtimes/browser/app/fields.ts)', () => {
  it('names every path of the records above (UPDATE messages are in no corpus capture the catalog test reads)', () => {
    expect(seenPaths.size).toBeGreaterThan(50);
    expect([...seenPaths].filter((p) => !isKnownField(p))).toEqual([]);
  });
});
