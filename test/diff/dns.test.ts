// DNS over UDP port 53 against tshark, message by message and answer by answer. For every
// message tshark decodes (and does not call malformed): the id, opcode, RCODE, each question
// (name, type, class) and each answer record — paired with tshark's record through its PDML
// tree, so a field can never be matched with another record's — compared whole: name, type,
// class, TTL and the data tracecap renders for its type: A, AAAA, NS, CNAME, PTR, MX
// (preference, exchange), SOA (mname, rname, serial, refresh, retry, expire; like pcap-sidecar,
// tracecap renders no minimum), SRV (priority, weight, port, target; RFC 2782), TXT (each
// character-string), URI (RFC 7553: tshark 4.0 leaves it undissected, so the RDATA bytes tshark
// delimits are split here), OPT (option code names and data). Until this compared class and TTL, nothing caught that every
// answer holding a name in its RDATA had them read from the bytes after that RDATA.
//
// Inputs: examples/dns.pcap, corpus/http/dns-udp.pcap (moved to port 53), every corpus/tcpdump
// capture tshark decodes as DNS over UDP port 53 (found with `tshark -r F -Y 'dns && udp.port==53'
// -c 1`), the dns-zlip captures (empty datagrams to port 53), and a generated peer-style capture
// (test/helpers/dns-peer.ts) of several hundred messages.
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HAS_TSHARK, REPO, SHARED, lines, runTshark, translate } from './support.js';
import { parsePdml, findFirst, type PNode, type PPacket } from './oracle-pdml.js';
import { peerStyleDns } from '../helpers/dns-peer.js';

const TCPDUMP = join(SHARED, 'corpus/tcpdump');
const TCPDUMP_DNS = [
  'LINKTYPE_IPV4.pcap', 'LINKTYPE_IPV4_invalid.pcap', 'LINKTYPE_PKTAP.pcap', 'LINKTYPE_RAW_ipv4.pcap', 'LINKTYPE_RAW_ipv6.pcap',
  'dns-badvers.pcap', 'dns-uri.pcap', 'ipv4_invalid_total_length.pcap', 'ipv6_invalid_length_2.pcap', 'nflog.pcap',
  'rtp-seg-fault-1.pcapng', 'time_2038.pcap', 'time_2038_max.pcap', 'dns-zlip-1.pcap', 'dns-zlip-2.pcap', 'dns-zlip-3.pcap',
];
// tshark finds DNS over UDP port 53 in these, but tracecap does not get to UDP: link types it
// does not decode (PKTAP) and an IPv6 packet in a LINKTYPE_IPV4 file. (NFLOG is decoded since issue 23:
// its 4 DNS messages are compared.)
const NO_UDP = new Set(['LINKTYPE_PKTAP.pcap', 'LINKTYPE_IPV4_invalid.pcap']);
// Inputs of which no message is compared: NO_UDP, the dns-zlip captures (empty datagrams to port
// 53: neither tool finds a message) and rtp-seg-fault-1 (tshark calls its one message malformed).
const NONE_COMPARED = new Set([...NO_UDP, 'dns-zlip-1.pcap', 'dns-zlip-2.pcap', 'dns-zlip-3.pcap', 'rtp-seg-fault-1.pcapng']);

// gopacket's names (reference §10.4; assembly/names/enums_data.ts); any other value is "Unknown".
const TYPE_NAMES: Record<number, string> = {
  1: 'A', 2: 'NS', 3: 'MD', 4: 'MF', 5: 'CNAME', 6: 'SOA', 7: 'MB', 8: 'MG', 9: 'MR', 10: 'NULL', 11: 'WKS', 12: 'PTR',
  13: 'HINFO', 14: 'MINFO', 15: 'MX', 16: 'TXT', 28: 'AAAA', 33: 'SRV', 41: 'OPT', 256: 'URI',
};
const CLASS_NAMES: Record<number, string> = { 1: 'IN', 2: 'CS', 3: 'CH', 4: 'HS', 255: 'Any' };
const OPCODE_NAMES: Record<number, string> = { 0: 'Query', 1: 'Inverse Query', 2: 'Status', 4: 'Notify', 5: 'Update' };
const RCODE_NAMES: Record<number, string> = {
  0: 'No Error', 1: 'Format Error', 2: 'Server Failure ', 3: 'Non-Existent Domain', 4: 'Not Implemented', 5: 'Query Refused',
  6: 'Name Exists when it should not', 7: 'RR Set Exists when it should not', 8: 'RR Set that should exist does not',
  9: 'Server Not Authoritative for zone', 10: 'Name not contained in zone', 16: 'Bad OPT Version', 17: 'Key not recognized',
  18: 'Signature out of time window', 19: 'Bad TKEY Mode', 20: 'Duplicate key name', 21: 'Algorithm not supported',
  22: 'Bad Truncation', 23: 'Bad Cookie',
};
const OPT_NAMES: Record<number, string> = {
  3: 'NSID', 5: 'DAU', 6: 'DHU', 7: 'N3U', 8: 'EDNSClientSubnet', 9: 'EDNSExpire', 10: 'Cookie', 11: 'EDNSKeepAlive',
  12: 'CodePadding', 13: 'CodeChain', 14: 'CodeEDNSKeyTag', 16: 'EDNSClientTag', 17: 'EDNSServerTag', 26946: 'DeviceID',
};
/** The types tracecap renders data for (assembly/json/dns.ts); each must be compared at least once. */
const RENDERED = ['A', 'AAAA', 'NS', 'CNAME', 'PTR', 'MX', 'SOA', 'SRV', 'TXT', 'URI', 'OPT'];

/** Bytes as Go's encoding/json writes them and JSON.parse reads them back: each byte of an invalid UTF-8 sequence is U+FFFD. */
function goString(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; ) {
    const c = b[i]!;
    const n = c < 0x80 ? 1 : c >= 0xc2 && c < 0xe0 ? 2 : c >= 0xe0 && c < 0xf0 ? 3 : c >= 0xf0 && c < 0xf5 ? 4 : 0;
    let cp = n === 1 ? c : n === 2 ? c & 0x1f : n === 3 ? c & 0x0f : c & 0x07;
    let ok = n > 0 && i + n <= b.length;
    for (let k = 1; ok && k < n; k++) { const x = b[i + k]!; if ((x & 0xc0) !== 0x80) ok = false; else cp = (cp << 6) | (x & 0x3f); }
    if (ok && (n === 3 && (cp < 0x800 || (cp >= 0xd800 && cp < 0xe000)) || n === 4 && (cp < 0x10000 || cp > 0x10ffff))) ok = false;
    if (ok) { s += String.fromCodePoint(cp); i += n; } else { s += '\ufffd'; i++; }
  }
  return s;
}
const hexBytes = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));
// tracecap writes the root as tshark does, <Root> (README "Deliberate differences"; pcap-sidecar writes "").
const dnsName = (show: string) => show;
// tracecap writes IPv6 the Go way: an IPv4-mapped address as a dotted quad.
const goIp6 = (show: string) => (/^::ffff:\d+\.\d+\.\d+\.\d+$/.test(show) ? show.slice(7) : show);
const child = (n: PNode, name: string) => n.children.find((c) => c.name === name);
const group = (dns: PNode, show: string) => dns.children.find((c) => c.name === '' && c.show === show)?.children ?? [];

/** What tracecap must render for one answer record of tshark's tree. */
function expectedAnswer(rec: PNode): Record<string, unknown> {
  const f = (name: string) => {
    const n = child(rec, name);
    if (!n) throw new Error(`tshark record "${rec.show}" has no ${name}`);
    return n;
  };
  const num = (name: string) => Number(f(name).show);
  const type = num('dns.resp.type');
  // An SRV owner name is split by tshark into service, protocol and name (RFC 2782 _Service._Proto.Name).
  const name = child(rec, 'dns.resp.name')
    ? dnsName(f('dns.resp.name').show)
    : ['dns.srv.service', 'dns.srv.proto', 'dns.srv.name'].map((k) => child(rec, k)?.show).filter((s) => s && s !== '<Root>').join('.');
  const e: Record<string, unknown> = { name, type: TYPE_NAMES[type] ?? 'Unknown' };
  if (type === 41) {
    // OPT (RFC 6891 §6.1.3): CLASS is the UDP payload size, TTL the extended RCODE, version and flags.
    e.class = CLASS_NAMES[num('dns.rr.udp_payload_size')] ?? 'Unknown';
    e.ttl = ((num('dns.resp.ext_rcode') << 24) | (num('dns.resp.edns0_version') << 16) | num('dns.resp.z')) >>> 0;
  } else {
    e.class = CLASS_NAMES[num('dns.resp.class')] ?? 'Unknown';
    e.ttl = num('dns.resp.ttl');
  }
  switch (type) {
    case 1: e.A = f('dns.a').show; break;
    case 28: e.AAAA = goIp6(f('dns.aaaa').show); break;
    case 2: e.NS = dnsName(f('dns.ns').show); break;
    case 5: e.CNAME = dnsName(f('dns.cname').show); break;
    case 12: e.PTR = dnsName(f('dns.ptr.domain_name').show); break;
    case 15: e.MX = { name: dnsName(f('dns.mx.mail_exchange').show), preference: num('dns.mx.preference') }; break;
    case 6: e.SOA = {
      expire: num('dns.soa.expire_limit'), mname: dnsName(f('dns.soa.mname').show), refresh: num('dns.soa.refresh_interval'),
      retry: num('dns.soa.retry_interval'), rname: dnsName(f('dns.soa.rname').show), serial: num('dns.soa.serial_number'),
    }; break;
    case 33: e.SRV = { name: dnsName(f('dns.srv.target').show), port: num('dns.srv.port'), priority: num('dns.srv.priority'), weight: num('dns.srv.weight') }; break;
    case 16: e.TXT = rec.children.filter((c) => c.name === 'dns.txt').map((c) => goString(hexBytes(c.value))); break;
    case 256: {
      const d = hexBytes(f('dns.data').value);
      e.URI = { priority: (d[0]! << 8) | d[1]!, target: goString(d.subarray(4)), weight: (d[2]! << 8) | d[3]! };
      break;
    }
    case 41: e.OPT = rec.children.filter((c) => c.name === 'dns.opt').map((o) => ({
      code: OPT_NAMES[Number(child(o, 'dns.opt.code')!.show)] ?? 'Unknown',
      data: goString(hexBytes(child(o, 'dns.opt.data')?.value ?? '')),
    })); break;
  }
  return e;
}

/** Answers compared, by type name, over all inputs. */
const counts: Record<string, number> = {};
/** Answers compared, by class name. */
const classes: Record<string, number> = {};
/** Messages compared, by input. */
const messages: Record<string, number> = {};

/**
 * A copy of an Ethernet/IPv4 pcap with UDP port `from` changed to 53 (and the UDP checksum to 0,
 * "none", RFC 768): corpus/http/dns-udp.pcap's responder listens on an unprivileged port, and
 * tracecap, like pcap-sidecar, decodes DNS on port 53 only.
 */
function onPort53(data: Uint8Array, from: number): Uint8Array {
  const out = data.slice();
  const v = new DataView(out.buffer);
  const le = v.getUint32(0, true) === 0xa1b2c3d4 || v.getUint32(0, true) === 0xa1b23c4d;
  if (v.getUint32(20, le) !== 1) throw new Error('onPort53: not an Ethernet pcap');
  for (let o = 24; o + 16 <= out.length; ) {
    const incl = v.getUint32(o + 8, le);
    const f = o + 16;
    if (incl >= 34 && v.getUint16(f + 12) === 0x0800 && out[f + 23] === 17) {
      const u = f + 14 + (out[f + 14]! & 15) * 4;
      if (u + 8 <= f + incl) {
        for (const k of [0, 2]) if (v.getUint16(u + k) === from) v.setUint16(u + k, 53);
        v.setUint16(u + 6, 0);
      }
    }
    o = f + incl;
  }
  return out;
}

async function compare(file: string): Promise<void> {
  const base = file.replace(/.*\//, '');
  expect(existsSync(file), file).toBe(true);
  const { bytes } = await translate(new Uint8Array(readFileSync(file)), 'info');
  const recs = lines(bytes).map((l) => JSON.parse(l));
  const packets: PPacket[] = parsePdml(await runTshark(['-r', file, '-n', '-T', 'pdml']));
  expect(recs.length).toBe(packets.length);
  let compared = 0;
  packets.forEach((pkt, i) => {
    const at = `${base} #${i + 1}`;
    const r = recs[i];
    const udp = pkt.protos.find((p) => p.name === 'udp');
    const dns = pkt.protos.find((p) => p.name === 'dns');
    const on53 = !!udp && ['udp.srcport', 'udp.dstport'].some((k) => findFirst(udp.children, k)?.show === '53');
    if (!on53 || findFirst(pkt.protos, '_ws.malformed')) return;
    if (!dns) { expect(r.DNS, `${at}: tshark sees no DNS message`).toBeUndefined(); return; }
    if (NO_UDP.has(base)) { expect(r.L4, `${at}: tracecap now decodes UDP here; compare this capture`).toBeUndefined(); return; }
    if (!r.DNS) expect.fail(`${at}: tshark decodes DNS, tracecap reports ${JSON.stringify(r.err)}`);
    compared++;
    const d = r.DNS;
    expect(d.id, `${at} id`).toBe(Number(findFirst(dns.children, 'dns.id')!.show));
    // tshark shows no dns.flags.rcode in queries: the low 4 bits of the flags word then (RFC 1035 §4.1.1).
    const rcode = findFirst(dns.children, 'dns.flags.rcode')?.show ?? Number(findFirst(dns.children, 'dns.flags')!.show) & 15;
    expect(d.op, `${at} op`).toBe(OPCODE_NAMES[Number(findFirst(dns.children, 'dns.flags.opcode')!.show)] ?? 'Unknown');
    expect(d.response_code, `${at} response_code`).toBe(RCODE_NAMES[Number(rcode)] ?? 'Unknown');
    const questions = group(dns, 'Queries').map((q) => ({
      class: CLASS_NAMES[Number(child(q, 'dns.qry.class')!.show)] ?? 'Unknown',
      name: dnsName(child(q, 'dns.qry.name')!.show),
      type: TYPE_NAMES[Number(child(q, 'dns.qry.type')!.show)] ?? 'Unknown',
    }));
    expect(d.questions ?? [], `${at} questions`).toEqual(questions);
    // tshark lists answers, authority and additional records in separate groups; tracecap renders answers only.
    const answers = group(dns, 'Answers');
    expect(answers.length, `${at}: tshark dissected every answer`).toBe(Number(findFirst(dns.children, 'dns.count.answers')!.show));
    const got = d.answers ?? [];
    expect(got.length, `${at} answers`).toBe(Math.min(answers.length, 64)); // MAX_DNS_RECORDS
    got.forEach((a: Record<string, unknown>, j: number) => {
      const want = expectedAnswer(answers[j]!);
      expect(a, `${at} answer ${j + 1} (${answers[j]!.show})`).toEqual(want);
      counts[want.type as string] = (counts[want.type as string] ?? 0) + 1;
      classes[want.class as string] = (classes[want.class as string] ?? 0) + 1;
    });
  });
  messages[base] = compared;
  if (NONE_COMPARED.has(base)) expect(compared, base).toBe(0); else expect(compared, base).toBeGreaterThan(0);
}

describe.skipIf(!HAS_TSHARK)('DNS against tshark, every answer field', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tracecap-dns-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const f of [join(REPO, 'examples/dns.pcap'), ...TCPDUMP_DNS.map((n) => join(TCPDUMP, n))]) {
    it(f.replace(/.*\//, ''), () => compare(f));
  }

  it('dns-udp.pcap (corpus/http; its responder port 28086 rewritten to 53)', async () => {
    const file = join(dir, 'dns-udp.pcap');
    writeFileSync(file, onPort53(new Uint8Array(readFileSync(join(SHARED, 'corpus/http/dns-udp.pcap'))), 28086));
    await compare(file);
    expect(messages['dns-udp.pcap']).toBe(30);
  });

  it('peer-style capture (generated: CNAME chains, NS/MX/SOA/SRV/PTR/TXT/URI, CH, TTLs 0..2^31-1)', async () => {
    const { pcap, messages: n } = peerStyleDns(0x5eed);
    expect(n).toBeGreaterThan(400);
    const file = join(dir, 'dns-peer.pcap');
    writeFileSync(file, pcap);
    await compare(file);
    expect(messages['dns-peer.pcap']).toBe(n);
  });

  it('compared every type tracecap renders at least once', () => {
    console.log(`DNS answers compared with tshark, by type: ${JSON.stringify(counts)}; by class: ${JSON.stringify(classes)}; messages by input: ${JSON.stringify(messages)}`);
    for (const t of RENDERED) expect(counts[t] ?? 0, `${t} answers compared`).toBeGreaterThan(0);
  });
});
