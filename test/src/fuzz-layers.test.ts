// The robustness sweep over issue 23's decoders: every link type and link-level encapsulation
// (test/helpers/links.ts), tunnels (VXLAN, Geneve, GRE with key and
// sequence, ERSPAN II and III, GTP-U, Teredo, AYIYA, EtherIP, MPLS in IP and in UDP, IP in IP,
// 6in4, nested), IP fragments and ICMP errors' quotes — built here with an HTTP exchange or a
// DNS answer inside, and taken from tcpdump's corpus — mutated in their header bytes and cut
// short at random. Every mutation must translate at INFO and DEBUG without a trap, give one
// record per packet, and every record must be one valid JSON line.
import { describe, it, expect } from 'vitest';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createTranslator, type TranslatorOptions } from '../../src/index.js';
import * as B from '../helpers/build.js';
import { WRAPS, TRACE, builtTunnels } from '../helpers/tunnels.js';
import { CASES, capture as linkCapture } from '../helpers/links.js';

const wasm = new WebAssembly.Module(readFileSync('build/tracecap.wasm'));
const CORPUS = join(import.meta.dirname, '..', '..', '..', 'shared', 'corpus', 'tcpdump');
// Rounds of mutation per capture: the suite's, or more for a longer sweep (TRACECAP_FUZZ_ROUNDS=500).
const ROUNDS = Number(process.env.TRACECAP_FUZZ_ROUNDS ?? 12);
function rng(seed: number): () => number { return () => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed >>> 8; }; }

// Translates cap; fails unless it gives `packets` records, each a JSON object on one line.
async function check(cap: Uint8Array, packets: number, what: string, options: TranslatorOptions = {}): Promise<any[]> {
  let records: any[] = [];
  for (const verbosity of ['info', 'debug'] as const) {
    const t = await createTranslator(wasm, { verbosity, project: 'p', ...options });
    const text = new TextDecoder().decode(B.bytes(t.push(cap), t.finish()));
    expect(t.error, `${what} ${verbosity}`).toBeNull();
    const lines = text.split('\n');
    expect(lines.pop(), `${what} ${verbosity}: ends with a newline`).toBe('');
    expect(lines.length, `${what} ${verbosity}: one record per packet`).toBe(packets);
    lines.forEach((l, i) => {
      let v: unknown;
      try { v = JSON.parse(l); } catch (e) { throw new Error(`${what} ${verbosity} record ${i}: not JSON (${(e as Error).message}): ${l.slice(0, 300)}`); }
      expect(typeof v === 'object' && v !== null, `${what} ${verbosity} record ${i}`).toBe(true);
      if (verbosity === 'debug') records.push(v);
    });
  }
  return records;
}

// The classic pcap's packets (header fields and bytes), to mutate and write again.
function packetsOf(data: Uint8Array): { le: boolean; nano: boolean; link: number; pkts: { sec: number; sub: number; data: Uint8Array; orig: number }[] } | null {
  const v = new DataView(data.buffer, data.byteOffset, data.length);
  const m = v.getUint32(0, true);
  const le = m === 0xa1b2c3d4 || m === 0xa1b23c4d;
  if (!le && m !== 0xd4c3b2a1 && m !== 0x4d3cb2a1) return null;
  const nano = m === 0xa1b23c4d || m === 0x4d3cb2a1;
  const pkts = [];
  for (let o = 24; o + 16 <= data.length;) {
    const incl = v.getUint32(o + 8, le);
    if (o + 16 + incl > data.length) break;
    pkts.push({ sec: v.getUint32(o, le), sub: v.getUint32(o + 4, le), data: data.slice(o + 16, o + 16 + incl), orig: v.getUint32(o + 12, le) });
    o += 16 + incl;
  }
  return { le, nano, link: v.getUint32(20, le) & 0x0fffffff, pkts };
}

// Flips bytes in the first `span` bytes of some packets (the headers) and cuts some short.
function mutate(src: ReturnType<typeof packetsOf> & object, r: () => number, span: number): Uint8Array {
  const out = src.pkts.map((p) => {
    const d = p.data.slice();
    if (d.length > 0 && r() % 2) for (let k = 1 + (r() % 3); k > 0; k--) d[r() % Math.min(d.length, span)] = r() % 4 === 0 ? [0, 0xff, 0x80, 0x7f][r() % 4]! : r() & 255;
    const cut = r() % 5 === 0 ? r() % (d.length + 1) : d.length;
    return { ts: { sec: p.sec, nsec: src.nano ? p.sub : p.sub * 1000 }, data: d, capLen: cut, origLen: Math.max(p.orig, d.length) };
  });
  return B.pcap(out, { nano: src.nano, linkType: src.link });
}

describe('mutated tunnels, fragments and ICMP quotes (never a trap, never an invalid line)', () => {
  it(`each built encapsulation, ${ROUNDS} mutations each`, async () => {
    const r = rng(23);
    const sets = builtTunnels();
    expect(sets.length).toBe(WRAPS.length + 5);
    for (const [name, pkts] of sets) {
      const cap = B.pcap(pkts.map((data, i) => ({ data, ts: { sec: 100, nsec: i * 1000 } })), { nano: true });
      // As built, the decoders see what they are meant to: the tunnel, the fragments, the quote.
      const recs = await check(cap, pkts.length, `${name} (as built)`);
      const want = name === 'ipv4 fragments' ? (r: any) => r.fragment?.state === 'reassembled' : name === 'icmp errors' ? (r: any) => r.ICMP?.IPv4?.L4 !== undefined
        : (r: any) => r.tunnel?.inner?.L4 !== undefined;
      expect(recs.filter(want).length, name).toBeGreaterThan(0);
      if (WRAPS.some(([n]) => n === name)) expect(recs.find((r) => r.HTTP?.code === 200)?.['logging.googleapis.com/trace'], name).toBe(`projects/p/traces/${TRACE}`);
      const src = packetsOf(cap)!;
      for (let round = 0; round < ROUNDS; round++) await check(mutate(src, r, 160), pkts.length, `${name} mutation ${round}`);
    }
  });
  it(`each link type and link-level encapsulation (${CASES.length}), ${ROUNDS} mutations each`, async () => {
    const r = rng(31);
    for (const c of CASES) {
      const cap = linkCapture(c.link, c.wrap);
      const src = packetsOf(cap)!;
      const recs = await check(cap, src.pkts.length, `${c.name} (as built)`, c.options);
      expect(recs.every((x) => x.L3 !== undefined), `${c.name}: every packet reaches L3 as built`).toBe(true);
      for (let round = 0; round < ROUNDS; round++) await check(mutate(src, r, 96), src.pkts.length, `${c.name} mutation ${round}`, c.options);
    }
  });
  // tcpdump's captures with tunnels, fragments, ICMP errors quoting a transport header, and link types.
  const files = ['afs.pcap', 'bigtcp-ipv4-geneve-ipv6.pcap', 'erspan-type-i-3.pcap', 'erspan-type-iii-pb-1.pcap', 'gso-ipv4-vxlan-ipv6.pcap', 'gso-ipv6-geneve-ipv4.pcap',
    'icmp-cksum-oobr-1.pcap', 'ios_nhrp.pcap', 'ipv6-srh-ext-header.pcap', 'isis-infinite-loop.pcap', 'mpls-over-udp.pcap', 'various_gre.pcap', 'vxlan.pcap',
    'wccp_redirect_gre.pcap', 'esp_truncated.pcap', 'isakmp-ikev1_n_print-oobr.pcap',
    // and of the link types: PPPoE, NSH, MPLS on Ethernet, NFLOG, Cisco HDLC, PPP to MPLS, radiotap
    'pppoes.pcap', 'nsh.pcap', 'tok2str-oobr-2.pcap', 'nflog.pcap', 'HDLC.pcap', 'lspping-fec-ldp.pcap', 'ieee802.11_exthdr.pcap', 'ieee802.11_meshid.pcap'];
  it(`${files.length} corpus captures, ${Math.ceil(ROUNDS / 3)} mutations each`, async () => {
    const r = rng(29);
    for (const f of files) {
      const path = join(CORPUS, f);
      expect(existsSync(path), f).toBe(true);
      const src = packetsOf(new Uint8Array(readFileSync(path)));
      expect(src, `${f} is a classic pcap`).not.toBeNull();
      for (let round = 0; round < Math.ceil(ROUNDS / 3); round++) await check(mutate(src!, r, 200), src!.pkts.length, `${f} mutation ${round}`);
    }
  });
});
