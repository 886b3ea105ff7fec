// TLS connections of the soak generator and what their records must show.
//
// tlsScript(c, g): a TLS 1.2 or 1.3 ClientHello (SNI, ALPN, supported_versions, cipher suites,
// signature algorithms, sometimes GREASE values and padding), sometimes split over segments,
// the ServerHello (and for 1.2 the rest of the handshake as opaque records), then
// application-data records of various sizes both ways; closed with alerts and FIN, reset, or
// abandoned. TlsObserver: the segment that completes a hello's record shows client_hello
// (sni, alpn, versions, ja4 — the checker computes JA4 from the fields kept here) or
// server_hello (cipher, version, alpn); no TLS segment carries a trace.
import { CLIENT, SERVER } from './tcp.js';

const GREASE = [0x0a0a, 0x1a1a, 0x2a2a, 0x3a3a, 0x4a4a, 0x5a5a, 0x6a6a, 0x7a7a, 0x8a8a, 0x9a9a, 0xaaaa, 0xbaba, 0xcaca, 0xdada, 0xeaea, 0xfafa];
const CIPHERS13 = [0x1301, 0x1302, 0x1303];
const CIPHERS12 = [0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035];
const SIGALGS = [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601];
const VERSION_NAMES = { 0x0301: 'TLS 1.0', 0x0302: 'TLS 1.1', 0x0303: 'TLS 1.2', 0x0304: 'TLS 1.3' };

const u16 = (v) => { const b = Buffer.alloc(2); b.writeUInt16BE(v); return b; };
const vec16 = (b) => Buffer.concat([u16(b.length), b]);
const vec8 = (b) => Buffer.concat([Buffer.from([b.length]), b]);
const list16 = (vals) => Buffer.concat(vals.map(u16));
const ext = (type, body) => Buffer.concat([u16(type), vec16(body)]);
const record = (type, version, body) => Buffer.concat([Buffer.from([type]), u16(version), vec16(body)]);
const handshake = (type, body) => { const h = Buffer.alloc(4); h[0] = type; h.writeUIntBE(body.length, 1, 3); return Buffer.concat([h, body]); };

/** A ClientHello record and the fields its record must show. */
function clientHello(gen, c) {
  const rng = gen.rng;
  const tls13 = rng.chance(0.7), grease = rng.chance(0.4);
  gen.mark(tls13 ? 'tls.1.3' : 'tls.1.2');
  if (grease) gen.mark('tls.grease');
  const g = () => rng.pick(GREASE);
  const ciphers = [...(grease ? [g()] : []), ...(tls13 ? CIPHERS13 : []), ...CIPHERS12.filter(() => rng.chance(0.6))];
  const sigAlgs = SIGALGS.filter(() => rng.chance(0.8));
  if (!sigAlgs.length) sigAlgs.push(0x0403);
  const alpn = rng.pick([['h2', 'http/1.1'], ['http/1.1'], [], ['h2']]);
  const sni = rng.chance(0.9) ? `svc${rng.int(1, 500)}.example.com` : null;
  const versionCodes = tls13 ? [...(grease ? [g()] : []), 0x0304, 0x0303] : [];
  const exts = [];
  const add = (type, body) => exts.push([type, body]);
  if (grease) add(g(), Buffer.alloc(0));
  if (sni) add(0, vec16(Buffer.concat([Buffer.from([0]), vec16(Buffer.from(sni))])));
  add(23, Buffer.alloc(0));
  add(65281, Buffer.from([0]));
  add(10, vec16(list16([...(grease ? [g()] : []), 0x001d, 0x0017, 0x0018])));
  add(11, vec8(Buffer.from([0])));
  if (alpn.length) add(16, vec16(Buffer.concat(alpn.map((p) => vec8(Buffer.from(p))))));
  add(13, vec16(list16(sigAlgs)));
  if (tls13) { add(51, vec16(Buffer.concat([u16(0x001d), vec16(rng.bytes(32))]))); add(45, vec8(Buffer.from([1]))); add(43, vec8(list16(versionCodes))); }
  if (rng.chance(0.3)) add(21, Buffer.alloc(rng.int(100, 1600)));
  if (grease) add(g(), Buffer.from([0]));
  const body = Buffer.concat([u16(0x0303), rng.bytes(32), vec8(rng.bytes(32)), vec16(list16(ciphers)), Buffer.from([1, 0]),
    vec16(Buffer.concat(exts.map(([t, b]) => ext(t, b))))]);
  const versions = tls13 ? versionCodes.filter((v) => !GREASE.includes(v)).map((v) => VERSION_NAMES[v]) : ['TLS 1.2'];
  c.tls13 = tls13; c.alpn = alpn;
  return { bytes: record(22, 0x0301, handshake(1, body)),
    truth: { k: 'ch', sni, alpn, versions, ciphers, exts: exts.map(([t]) => t), sigAlgs, versionCodes, legacy: 0x0303 } };
}

/** A ServerHello record and the fields its record must show. */
function serverHello(rng, c) {
  const cipher = c.tls13 ? rng.pick(CIPHERS13) : rng.pick(CIPHERS12);
  const alpn = !c.tls13 && c.alpn.length && rng.chance(0.7) ? c.alpn[0] : null;
  const exts = c.tls13 ? [ext(43, u16(0x0304)), ext(51, Buffer.concat([u16(0x001d), vec16(rng.bytes(32))]))]
    : [ext(65281, Buffer.from([0])), ext(23, Buffer.alloc(0)), ...(alpn ? [ext(16, vec16(vec8(Buffer.from(alpn))))] : [])];
  const body = Buffer.concat([u16(0x0303), rng.bytes(32), vec8(rng.bytes(32)), u16(cipher), Buffer.from([0]), vec16(Buffer.concat(exts))]);
  return { bytes: record(22, 0x0303, handshake(2, body)),
    truth: { k: 'sh', cipher: `0x${cipher.toString(16).padStart(4, '0')}`, version: c.tls13 ? 'TLS 1.3' : 'TLS 1.2', alpn } };
}

const appData = (rng, n) => record(23, 0x0303, rng.bytes(n));

// Sends a hello, sometimes cut so that it completes in a later segment.
function sendHello(c, g, dir, hello) {
  const start = c.sent[dir];
  c.observer.hellos[dir].push({ end: start + hello.bytes.length, truth: hello.truth });
  // Anywhere; the connection's first segment sometimes shorter than the record header (too
  // short to tell the protocol: kept until the rest comes).
  const cuts = [];
  if (start === 0 && g.rng.chance(g.p.shortFirst)) { cuts.push(g.rng.int(1, 4)); g.mark('tls.short_first_segment'); }
  else if (g.rng.chance(g.p.tlsSplit)) cuts.push(start + g.rng.int(1, hello.bytes.length - 1));
  if (cuts.length) g.mark('tls.split_hello');
  return c.send(dir, hello.bytes, { cuts });
}

/** The script of one TLS connection. */
export function* tlsScript(c, g) {
  const rng = g.rng;
  c.observer = new TlsObserver(c);
  const ending = rng.weighted([88, g.p.reset * 100, g.p.abandon * 100]);
  const life = g.lifetime();
  g.mark(['tls.close', 'tls.reset', 'tls.abandoned'][ending]);
  c.open();
  yield;
  let arrive = sendHello(c, g, CLIENT, clientHello(g, c));
  if (ending === 2 && rng.chance(0.3)) { c.done = true; return; }
  yield;
  c.until(arrive + 0.001);
  arrive = sendHello(c, g, SERVER, serverHello(rng, c));
  arrive = c.send(SERVER, Buffer.concat([record(22, 0x0303, rng.bytes(c.tls13 ? 40 : rng.int(800, 4000))), record(20, 0x0303, Buffer.from([1])), appData(rng, rng.int(50, 3000))]));
  yield;
  c.until(arrive + 0.001);
  arrive = c.send(CLIENT, Buffer.concat([record(20, 0x0303, Buffer.from([1])), appData(rng, rng.int(40, 100))]));
  const rounds = rng.int(1, 8);
  for (let i = 0; i < rounds; i++) {
    yield;
    c.until(arrive + Math.min(rng.exp(life / rounds), 500));
    arrive = c.send(CLIENT, appData(rng, rng.int(30, 3000)));
    yield;
    c.until(arrive + rng.exp(0.02));
    const n = rng.int(1, 4);
    const recs = [];
    for (let k = 0; k < n; k++) recs.push(appData(rng, rng.chance(0.05) ? 16384 : rng.int(20, 4000)));
    if (i === rounds - 1 && ending === 1) { c.send(SERVER, Buffer.concat(recs), { stopAt: c.sent[SERVER] + rng.int(1, 3000) }); c.reset(rng.chance(0.5) ? CLIENT : SERVER); return; }
    arrive = c.send(SERVER, Buffer.concat(recs));
  }
  if (ending === 2) { c.done = true; return; }
  yield;
  c.until(arrive + rng.exp(0.3));
  c.send(CLIENT, record(21, 0x0303, rng.bytes(26)));
  c.close(CLIENT);
}

/** Works out, packet by packet, what the records of one TLS connection must show. */
export class TlsObserver {
  constructor(c) { this.c = c; this.hellos = [[], []]; }

  /** The truth item of a packet about to be written. */
  segment(p) {
    const b = p.off + p.payload.length;
    const list = this.hellos[p.dir];
    if (p.payload.length && list.length && list[0].end > p.off && list[0].end <= b) return list.shift().truth;
    return { k: 'seg', tr: null };
  }
}
