// A "peer-style" DNS capture for the differential test (test/diff/dns.test.ts): queries and
// responses over UDP port 53 as stub and recursive resolvers exchange them — EDNS(0) OPT in the
// additional section, the question echoed, answers compressed against the question and earlier
// RDATA (RFC 1035 §4.1.4), CNAME chains of 1 to 4 links before the A/AAAA records, NS/MX/SRV with
// glue, SOA in answers and in NXDOMAIN/NODATA authority sections, PTR for in-addr.arpa and
// ip6.arpa, TXT of several strings, CH-class server-identity queries (version.bind), URI
// (RFC 7553), TTLs over the whole 0..2^31-1 range (RFC 2181 §8). Deterministic for a seed.
// Not a test file itself (vitest only picks up *.test.ts).

import * as B from './build.js';
import { prng } from '../diff/support.js';

const CLASS_IN = 1;
const CLASS_CH = 3;

/** The capture and how many DNS messages it holds. */
export interface PeerCapture { pcap: Uint8Array; messages: number }

/** A pcap (Ethernet) of query/response pairs as real resolvers send them, from a seeded PRNG. */
export function peerStyleDns(seed: number, pairs = 260): PeerCapture {
  const r = prng(seed);
  const int = (n: number) => Math.floor(r() * n);
  const pick = <T>(a: readonly T[]): T => a[int(a.length)]!;
  const chance = (p: number) => r() < p;

  const ZONES = ['example.com', 'example.net', 'example.org', 'corp.example.com', 'shop.example', 'svc.cluster.example'];
  const CDNS = ['cdn.example.net', 'edge.example.org', 'global.fastly.example', 'akam.example.net'];
  const HOSTS = ['www', 'api', 'mail', 'static', 'img', 'login', 'app', 'auth', 'db-1', 'svc-07', 'metrics', 'a'];
  // TTLs from the whole unsigned 31-bit range RFC 2181 §8 allows: the usual values, 0, the
  // maximum, values near it and uniformly random ones.
  const COMMON_TTLS = [1, 5, 30, 60, 120, 300, 600, 900, 1367, 1800, 3600, 7200, 14400, 86400, 172800, 604800];
  const ttl = (): number => {
    const k = r();
    if (k < 0.08) return 0;
    if (k < 0.55) return pick(COMMON_TTLS);
    if (k < 0.62) return 0x7fffffff;
    if (k < 0.7) return 0x7fffffff - int(100000);
    return Math.floor(r() * 0x80000000);
  };
  const ip4 = () => `${pick([192, 198, 203, 10, 172])}.${int(256)}.${int(256)}.${1 + int(254)}`;
  const ip6 = () => {
    const g = () => int(0x10000).toString(16);
    const k = r();
    if (k < 0.4) return `2001:db8:${g()}::${g()}`;
    if (k < 0.7) return `2001:db8:${g()}:${g()}:${g()}:${g()}:${g()}:${g()}`;
    if (k < 0.85) return `2606:2800:220:${g()}:${g()}:0:0:${g()}`;
    return `fe80::${g()}:${g()}`;
  };
  const opt = (): B.DnsRecord => B.dnsOpt({ udpSize: pick([512, 1232, 1232, 4096]), do: chance(0.3) });

  type Msg = Omit<B.DnsOptions, 'id'>;
  const out: B.PcapPacket[] = [];
  let t = 1_700_000_000;
  const client4 = ['192.0.2.10', '192.0.2.11', '198.51.100.7'], server4 = ['192.0.2.53', '8.8.8.8', '9.9.9.9', '1.1.1.1'];
  const client6 = ['2001:db8::10', '2001:db8:1::77'], server6 = ['2001:4860:4860::8888', '2620:fe::fe', '2001:db8::53'];

  function send(v6: boolean, cli: string, srv: string, cport: number, id: number, q: Msg, a: Msg | null): void {
    const compress = chance(0.9); // a few servers do not compress
    const packet = (src: string, dst: string, sport: number, dport: number, msg: Uint8Array) => {
      const udp = B.udp({ src, dst, srcPort: sport, dstPort: dport, payload: msg });
      const ip = v6 ? B.ipv6({ src, dst, nextHeader: 17, payload: udp }) : B.ipv4({ src, dst, proto: 17, id: int(0x10000), payload: udp });
      t += 0.001 + r() * 0.05;
      out.push({ data: B.ethernet({ type: v6 ? B.ETH.IPV6 : B.ETH.IPV4, payload: ip }), ts: Number(t.toFixed(6)) });
    };
    packet(cli, srv, cport, 53, B.dns({ id, ...q }));
    if (a) packet(srv, cli, 53, cport, B.dns({ id, compress, ...a }));
  }

  // One exchange: the query and (usually) its response.
  function exchange(): void {
    const v6 = chance(0.25);
    const cli = pick(v6 ? client6 : client4), srv = pick(v6 ? server6 : server4);
    const id = int(0x10000), cport = 1024 + int(64512);
    const edns = chance(0.8);
    const zone = pick(ZONES);
    const k = r();
    let qname: string, qtype: B.DnsType, qclass = CLASS_IN;
    let an: B.DnsRecord[] = [], ns: B.DnsRecord[] = [], ar: B.DnsRecord[] = [];
    let rcode = 0, aa = chance(0.3);
    const soa = (owner: string): B.DnsRecord => ({
      name: owner, type: 'SOA', ttl: ttl(), data: {
        mname: `ns${1 + int(4)}.${owner}`, rname: pick(['hostmaster', 'dns-admin', 'root']) + '.' + owner,
        serial: chance(0.2) ? 0xffffffff - int(1000) : 2024010100 + int(100000), refresh: pick([1200, 3600, 7200, 10800, 43200]),
        retry: pick([180, 600, 900, 3600]), expire: pick([604800, 1209600, 2419200, 3600000]), minimum: pick([0, 60, 300, 3600, 86400]),
      },
    });
    const glue = (name: string) => { if (chance(0.7)) ar.push({ name, type: 'A', ttl: ttl(), data: ip4() }); if (chance(0.4)) ar.push({ name, type: 'AAAA', ttl: ttl(), data: ip6() }); };
    if (k < 0.42) {
      // A or AAAA, behind a CNAME chain of 0..4 links (1..4 most of the time), as CDNs answer.
      qtype = chance(0.6) ? 'A' : 'AAAA';
      qname = `${pick(HOSTS)}.${zone}`;
      if (chance(0.05)) qname = qname.replace(/[a-z]/g, (c) => (chance(0.5) ? c.toUpperCase() : c)); // 0x20 case randomisation
      const links = chance(0.15) ? 0 : 1 + int(4);
      let owner = qname;
      for (let i = 0; i < links; i++) {
        const target = i === 0 && chance(0.3) ? `${pick(HOSTS)}-alias.${zone}` : `${pick(['e', 'a', 'dsc', 'h'])}${int(9999)}.${pick(CDNS)}`;
        an.push({ name: owner, type: 'CNAME', ttl: ttl(), data: target });
        owner = target;
      }
      if (chance(0.12)) {
        ns.push(soa(owner.split('.').slice(-2).join('.'))); // NODATA: the chain ends without an address
      } else {
        const n = 1 + int(4);
        for (let i = 0; i < n; i++) an.push({ name: owner, type: qtype, ttl: ttl(), data: qtype === 'A' ? ip4() : ip6() });
      }
    } else if (k < 0.5) {
      qtype = 'NS'; qname = zone;
      const n = 2 + int(3);
      for (let i = 0; i < n; i++) { const h = `ns${i + 1}.${chance(0.7) ? zone : pick(CDNS)}`; an.push({ name: zone, type: 'NS', ttl: ttl(), data: h }); glue(h); }
    } else if (k < 0.58) {
      qtype = 'MX'; qname = zone;
      const n = 1 + int(3);
      for (let i = 0; i < n; i++) {
        const h = `${pick(['mx', 'mail', 'smtp', 'aspmx'])}${i}.${chance(0.8) ? zone : pick(CDNS)}`;
        an.push({ name: zone, type: 'MX', ttl: ttl(), data: { preference: pick([0, 1, 5, 10, 20, 30, 50, 65535]), exchange: h } });
        glue(h);
      }
    } else if (k < 0.64) {
      qtype = 'SOA'; qname = zone; an.push(soa(zone));
      if (chance(0.5)) an.push({ name: zone, type: 'NS', ttl: ttl(), data: `ns1.${zone}` }); // ANY-style extra
    } else if (k < 0.71) {
      qtype = 'SRV';
      qname = `${pick(['_sip._udp', '_sip._tcp', '_ldap._tcp', '_xmpp-server._tcp', '_http._tcp', '_kerberos._udp'])}.${zone}`;
      const n = 1 + int(3);
      for (let i = 0; i < n; i++) {
        const target = chance(0.08) ? '' : `${pick(['sip', 'dc', 'xmpp', 'srv'])}${i}.${zone}`; // "." = service not available (RFC 2782)
        an.push({ name: qname, type: 'SRV', ttl: ttl(), data: { priority: pick([0, 10, 20, 65535]), weight: int(0x10000), port: pick([5060, 389, 5269, 80, 443, 88, int(0x10000)]), target } });
        if (target) glue(target);
      }
    } else if (k < 0.79) {
      qtype = 'PTR';
      if (chance(0.7)) {
        const a = ip4().split('.');
        qname = `${a.reverse().join('.')}.in-addr.arpa`;
      } else {
        const nib = Array.from({ length: 32 }, () => int(16).toString(16));
        qname = `${nib.join('.')}.ip6.arpa`;
      }
      const n = chance(0.1) ? 2 : 1;
      for (let i = 0; i < n; i++) an.push({ name: qname, type: 'PTR', ttl: ttl(), data: `${pick(HOSTS)}${i}.${zone}` });
    } else if (k < 0.87) {
      qtype = 'TXT'; qname = chance(0.5) ? zone : `${pick(['_dmarc', 'selector1._domainkey', '_acme-challenge'])}.${zone}`;
      const n = 1 + int(3);
      for (let i = 0; i < n; i++) {
        const strings: Array<string | Uint8Array> = [];
        const m = 1 + int(3);
        for (let j = 0; j < m; j++) {
          strings.push(pick([
            'v=spf1 include:_spf.example.com ~all', 'v=DMARC1; p=reject; rua=mailto:d@example.com', '', 'google-site-verification=abc123_-XYZ',
            'k=rsa; p=' + 'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A'.repeat(7), 'say "hello" \\ there', 'caf\u00e9 \u2713 <b>&amp;</b>',
            'x'.repeat(255), 'tab\there', B.hex('00 01 7f ff fe 80'),
          ]));
        }
        // Encoded here (RFC 1035 §3.3.14: <length><bytes> each) since one string is not UTF-8.
        const wire = strings.map((x) => (typeof x === 'string' ? B.utf8(x) : x));
        an.push({ name: qname, type: 'TXT', ttl: ttl(), data: B.bytes(...wire.flatMap((b) => [b.length, b])) });
      }
    } else if (k < 0.9) {
      // Server identity over CHAOS (RFC 4892): TXT class CH, TTL 0, no EDNS.
      qtype = 'TXT'; qclass = CLASS_CH; qname = pick(['version.bind', 'hostname.bind', 'id.server', 'version.server']);
      an.push({ name: qname, type: 'TXT', class: CLASS_CH, ttl: chance(0.8) ? 0 : ttl(), data: [pick(['9.18.24-1-Debian', 'unbound 1.17.1', 'PowerDNS Recursor 4.8', 'ns1.fra'])] });
      if (chance(0.3)) ns.push({ name: qname, type: 'NS', class: CLASS_CH, ttl: 0, data: qname });
      aa = true;
    } else if (k < 0.95) {
      // NXDOMAIN: the zone's SOA in the authority section, sometimes after a CNAME that leads nowhere.
      qtype = pick(['A', 'AAAA', 'MX', 'TXT'] as const); qname = `${pick(HOSTS)}-missing.${zone}`; rcode = 3;
      if (chance(0.3)) { const target = `gone${int(99)}.${pick(CDNS)}`; an.push({ name: qname, type: 'CNAME', ttl: ttl(), data: target }); }
      ns.push(soa(zone));
    } else {
      // URI (RFC 7553): priority, weight, target as the rest of the RDATA.
      qtype = 'URI'; qname = `${pick(['_http._tcp', '_ftp._tcp', '_ldap._tcp'])}.${zone}`;
      const n = 1 + int(2);
      for (let i = 0; i < n; i++) an.push({ name: qname, type: 'URI', ttl: ttl(), data: { priority: pick([1, 10, 65535]), weight: int(0x10000), target: pick(['https://www.example.com/', 'ftp://ftp1.example.com/public', 'ldap://dc.example.com:389/', 'http://www.example.com/p?a=1&b="2"']) } });
    }
    const question = [{ name: qname, type: qtype, class: qclass }];
    const useEdns = edns && qclass === CLASS_IN;
    const query: Msg = { rd: true, qr: false, questions: question, additionals: useEdns ? [opt()] : [] };
    if (useEdns) ar.push(opt());
    const response: Msg = { qr: true, rd: true, ra: true, aa, rcode, questions: question, answers: an, authorities: ns, additionals: ar };
    send(v6, cli, srv, cport, id, query, chance(0.97) ? response : null);
  }

  for (let i = 0; i < pairs; i++) exchange();

  // Not peer-style: an OPT record in the answer section (RFC 6891 §6.1.1 only allows it in the
  // additional section), so the renderer's OPT path is compared with tshark too.
  const oddOpt = (id: number, options: Array<{ code: number; data?: Uint8Array }>) =>
    send(false, client4[0]!, server4[0]!, 40000 + id, id, { questions: [{ name: 'example.com', type: 'A' }] }, {
      qr: true, ra: true, questions: [{ name: 'example.com', type: 'A' }],
      answers: [{ name: 'example.com', type: 'A', ttl: 300, data: '192.0.2.1' }, B.dnsOpt({ udpSize: 1232, do: true, options }), { name: 'example.com', type: 'A', ttl: 77, data: '192.0.2.2' }],
    });
  oddOpt(1, [{ code: 10, data: B.hex('0102030405060708') }]);
  oddOpt(2, [{ code: 3, data: B.ascii('ns1.fra') }, { code: 12, data: new Uint8Array(4) }]);

  return { pcap: B.pcap(out), messages: out.length };
}
