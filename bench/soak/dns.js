// DNS over UDP/53 for the soak generator: a query and its response, with CNAME chains (1-4
// links) ending in A/AAAA answers, or NS/MX/SOA/SRV/PTR/TXT answers; names compressed with
// pointers to earlier names as servers do; TTLs across 0..2^31-1. A DNS exchange counts as one
// connection of the mix. The response's truth lists every answer as the record must render it:
// name, type, class, ttl and the data under a key named by the type (assembly/json/dns.ts).

const TYPES = { A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, MX: 15, TXT: 16, AAAA: 28, SRV: 33 };

// A DNS message writer with name compression (RFC 1035 §4.1.4).
class Msg {
  constructor() { this.parts = []; this.len = 0; this.names = new Map(); }
  put(b) { this.parts.push(b); this.len += b.length; }
  u16(v) { const b = Buffer.alloc(2); b.writeUInt16BE(v); this.put(b); }
  u32(v) { const b = Buffer.alloc(4); b.writeUInt32BE(v >>> 0); this.put(b); }
  name(n) {
    const labels = n.split('.').filter(Boolean);
    for (let i = 0; i < labels.length; i++) {
      const suffix = labels.slice(i).join('.');
      const at = this.names.get(suffix);
      if (at !== undefined) { this.u16(0xc000 | at); return; }
      if (this.len < 0x3fff) this.names.set(suffix, this.len);
      this.put(Buffer.concat([Buffer.from([labels[i].length]), Buffer.from(labels[i])]));
    }
    this.put(Buffer.from([0]));
  }
  // A resource record whose data is written by fill() (its length patched afterwards).
  rr(name, type, ttl, fill) {
    this.name(name); this.u16(type); this.u16(1); this.u32(ttl);
    const lenAt = this.parts.length; this.u16(0);
    const before = this.len;
    fill();
    this.parts[lenAt].writeUInt16BE(this.len - before);
  }
  bytes() { return Buffer.concat(this.parts); }
}

function ttl(rng) { return rng.pick([0, 1, 60, 300, 86400, 2147483647, rng.u32() >>> 1]); }

/** RFC 5952 text of an IPv6 address (lowercase, longest zero run as ::). */
function ipv6Text(b) {
  const w = Array.from({ length: 8 }, (_, i) => b.readUInt16BE(i * 2));
  let best = -1, bestLen = 1;
  for (let i = 0; i < 8;) { let j = i; while (j < 8 && w[j] === 0) j++; if (j - i > bestLen) { best = i; bestLen = j - i; } i = j === i ? i + 1 : j; }
  const hex = w.map((x) => x.toString(16));
  return best < 0 ? hex.join(':') : `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

// The question and answers of one response; each answer has its name, type, TTL, a writer of
// its data, and the data as the record must show it.
function planAnswers(rng, qname) {
  const kind = rng.pick(['cname', 'cname', 'A', 'AAAA', 'NS', 'MX', 'SOA', 'SRV', 'PTR', 'TXT']);
  const out = [];
  const domain = qname.split('.').slice(1).join('.');
  if (kind === 'cname' || kind === 'A' || kind === 'AAAA') {
    let name = qname;
    const links = kind === 'cname' ? rng.int(1, 4) : 0;
    for (let i = 0; i < links; i++) {
      const target = `edge${i}-${rng.int(1, 99)}.${rng.pick(['cdn.example.net', domain])}`;
      out.push({ name, type: 'CNAME', ttl: ttl(rng), write: (m) => m.name(target), data: { CNAME: target } });
      name = target;
    }
    const v6 = kind === 'AAAA' || (kind === 'cname' && rng.chance(0.3));
    for (let i = rng.int(1, 3); i > 0; i--) {
      if (v6) { const a = Buffer.from(`20010db8${rng.hex(8)}0000000000${rng.hex(6)}`, 'hex'); out.push({ name, type: 'AAAA', ttl: ttl(rng), write: (m) => m.put(a), data: { AAAA: ipv6Text(a) } }); }
      else { const a = Buffer.from([192, 0, 2, rng.int(1, 254)]); out.push({ name, type: 'A', ttl: ttl(rng), write: (m) => m.put(a), data: { A: [...a].join('.') } }); }
    }
    return { qtype: v6 ? 'AAAA' : 'A', qname, answers: out };
  }
  if (kind === 'NS') for (let i = rng.int(2, 4); i > 0; i--) { const ns = `ns${i}.${domain}`; out.push({ name: domain, type: 'NS', ttl: ttl(rng), write: (m) => m.name(ns), data: { NS: ns } }); }
  if (kind === 'MX') for (let i = rng.int(1, 3); i > 0; i--) { const mx = `mx${i}.${domain}`, pref = i * 10; out.push({ name: domain, type: 'MX', ttl: ttl(rng), write: (m) => { m.u16(pref); m.name(mx); }, data: { MX: { name: mx, preference: pref } } }); }
  if (kind === 'SOA') {
    const soa = { expire: 1209600, mname: `ns1.${domain}`, refresh: 7200, retry: 3600, rname: `hostmaster.${domain}`, serial: rng.u32() >>> 0 };
    out.push({ name: domain, type: 'SOA', ttl: ttl(rng), data: { SOA: soa },
      write: (m) => { m.name(soa.mname); m.name(soa.rname); m.u32(soa.serial); m.u32(soa.refresh); m.u32(soa.retry); m.u32(soa.expire); m.u32(300); } });
  }
  if (kind === 'SRV') for (let i = rng.int(1, 3); i > 0; i--) {
    const srv = { name: `node${i}.${domain}`, port: rng.int(1, 65535), priority: rng.int(0, 20), weight: rng.int(0, 100) };
    out.push({ name: `_grpc._tcp.${domain}`, type: 'SRV', ttl: ttl(rng), data: { SRV: srv }, write: (m) => { m.u16(srv.priority); m.u16(srv.weight); m.u16(srv.port); m.name(srv.name); } });
  }
  if (kind === 'PTR') {
    const host = `host-${rng.int(1, 999)}.${domain}`;
    qname = `${rng.int(1, 254)}.2.0.192.in-addr.arpa`;
    out.push({ name: qname, type: 'PTR', ttl: ttl(rng), write: (m) => m.name(host), data: { PTR: host } });
  }
  if (kind === 'TXT') for (let i = rng.int(1, 2); i > 0; i--) {
    const strs = Array.from({ length: rng.int(1, 3) }, () => `v=soak${rng.int(1, 9)} ${rng.hex(rng.int(4, 60))}`);
    out.push({ name: domain, type: 'TXT', ttl: ttl(rng), write: (m) => { for (const s of strs) m.put(Buffer.concat([Buffer.from([s.length]), Buffer.from(s)])); }, data: { TXT: strs } });
  }
  return { qtype: kind, qname: kind === 'SRV' ? out[0].name : qname, answers: out };
}

function message(id, flags, qname, qtype, answers) {
  const m = new Msg();
  m.u16(id); m.u16(flags); m.u16(1); m.u16(answers.length); m.u16(0); m.u16(0);
  m.name(qname); m.u16(TYPES[qtype]); m.u16(1);
  for (const a of answers) m.rr(a.name, TYPES[a.type], a.ttl, () => a.write(m));
  return m.bytes();
}

/** One DNS query and its response, with the scheduler's connection interface. */
export class DnsExchange {
  constructor(o) { Object.assign(this, o); this.q = []; this.udp = true; this.observer = this; }
  nextTime() { return this.q.length ? this.q[0].t : Infinity; }
  /** The truth item of a datagram about to be written: the response's answers. */
  segment(p) { return p.answers ? { k: 'dns', answers: p.answers } : null; }
}

/** The script of one DNS exchange: the query now, the response a round trip later. */
export function* dnsScript(c, g) {
  const rng = g.rng;
  const plan = planAnswers(rng, `${rng.pick(['www', 'api', 'img', 'login'])}.${rng.pick(['example.com', 'example.org', 'soak.test'])}`);
  const { qname, answers } = plan;
  for (const a of answers) g.mark(`dns.${a.type}`);
  if (answers.filter((a) => a.type === 'CNAME').length > 1) g.mark('dns.cname_chain');
  const id = rng.int(0, 65535);
  c.q.push({ t: c.now, dir: 0, payload: message(id, 0x0100, qname, plan.qtype, []) });
  c.q.push({ t: c.now + c.rtt, dir: 1, payload: message(id, 0x8180, qname, plan.qtype, answers),
    answers: answers.map((a) => ({ ...a.data, class: 'IN', name: a.name, ttl: a.ttl, type: a.type })) });
  c.done = true;
  yield;
}
