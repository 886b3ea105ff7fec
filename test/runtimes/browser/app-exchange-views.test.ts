// The app's exchange views (issue 24) in Debian's Chromium: the all-requests waterfall (rows equal
// the exchanges the records pair, in time order, coloured by status class; sorts; the text filter;
// the filter bar; a click opens the request's packet), the latency statistics per endpoint (counts, errors and
// nearest-rank percentiles computed here from the records; a click narrows the waterfall), the
// connection list's SNI, ALPN, DNS names, end state and retransmissions against tshark, and a generated
// capture of many exchanges. Saves screenshots to build/test-artifacts/app/exchange-*.png. Needs
// `npm run build` (build/app/, bin/tracecap.js), tshark and mergecap.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveApp, type AppServer } from '../../../runtimes/node/app.js';
import { ExchangeBuilder, httpPacket, type Exchange } from '../../../src/exchanges.js';
import { applyFilter, haveChromium, launch, openFile } from './app-page.js';
import { records } from './app/corpus.js';
import { dns, ethernet, ipv4, pcap, tcp, udp, ascii, IPPROTO } from '../../helpers/build.js';
import { build } from 'esbuild';
import { clientHelloRecord } from '../../helpers/tls.js';
import type { ExchangeTiming } from '../../../src/exchanges.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const APP = join(ROOT, 'build', 'app');
const CORPUS = join(ROOT, '..', 'shared', 'corpus', 'http');
const ARTIFACTS = join(ROOT, 'build', 'test-artifacts', 'app');
if (!existsSync(join(APP, 'index.html'))) throw new Error(`${APP}/index.html is missing: run \`npm run build\` first`);

let server: AppServer;
let browser: Browser;
let dir: string;
const errors: string[] = [];

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  dir = mkdtempSync(join(tmpdir(), 'tracecap-app-exchanges-'));
  server = await serveApp({ root: APP, port: 0 });
  if (haveChromium) browser = await launch();
});
afterAll(async () => { await browser?.close(); await server?.close(); rmSync(dir, { recursive: true, force: true }); });

/** A page as tall as `height` (every row of a short list in the DOM at once), page errors collected. */
async function page(height = 900): Promise<Page> {
  const p = await browser.newPage({ viewport: { width: 1400, height } });
  p.on('pageerror', (e) => errors.push(e.message));
  await p.goto(server.url);
  return p;
}

/** The exchanges the records pair (the app's HTTP worker pairs the same records). */
function exchangesOf(file: string): Exchange[] {
  // As the app's HTTP worker is fed: every record with an HTTP object or a `timing`.
  const b = new ExchangeBuilder();
  for (const r of records(file)) { const x = httpPacket(r); if (x) b.add(x); }
  return b.exchanges();
}

/** Status class as the issue names them, computed here. */
const cls = (s: number | undefined) => (s === undefined ? 'none' : `${String(s)[0]}xx`);
/** Latency as the HTTP view shows it (µs-rounded respTime − reqTime), or undefined. */
const latency = (e: Exchange) => (e.respTime === undefined || !e.method ? undefined : Math.max(0, Math.round((e.respTime - e.reqTime) * 1000) / 1000));
/** Nearest-rank percentile, written here independently of endpoints.ts. */
const nearest = (sorted: number[], q: number) => sorted[Math.ceil(q * sorted.length) - 1];
/** Path of a URL with all-digit segments as {id} (the corpus URLs have no other ids). */
const folded = (url: string) => new URL(url, 'http://x').pathname.split('/').map((s) => (/^\d+$/.test(s) ? '{id}' : s)).join('/');

/** The waterfall rows in the DOM, in order. */
async function wfRows(p: Page): Promise<Array<{ id: number; req: number; status: string; rowClass: string; bar: string; url: string }>> {
  return p.$$eval('[data-testid=wf-all-row]', (rows) => rows.map((r) => {
    const u = r.querySelector<HTMLElement>('.wf-url')!;
    return {
      id: Number(u.dataset.id), req: Number(u.dataset.req), url: u.textContent ?? '',
      status: r.querySelector('.status')?.textContent ?? '', rowClass: [...r.classList].find((c) => c.startsWith('wf-st-')) ?? '',
      bar: [...(r.querySelector('.wf-ph')?.classList ?? [])].join(' '),
    };
  }));
}
const rowIds = (p: Page) => p.$$eval('[data-testid=wf-all-row]', (rows) => rows.sort((a, b) => Number(a.getAttribute('data-index')) - Number(b.getAttribute('data-index'))).map((r) => Number(r.querySelector<HTMLElement>('.wf-url')!.dataset.id)));
const caption = (p: Page, view: string) => p.textContent(`[data-testid=${view}] [data-testid=view-count]`);

describe.skipIf(!haveChromium)('the app\'s exchange views', () => {
  const mixed = () => {
    const f = join(dir, 'mixed.pcap');
    if (!existsSync(f)) execFileSync('mergecap', ['-F', 'pcap', '-w', f, ...['h1-keepalive-mtu1500.pcap', 'h2c-mtu1500.pcap', 'h1-resets-mtu1500.pcap'].map((x) => join(CORPUS, x))]);
    return f;
  };

  it('the waterfall lists every exchange in time order, coloured by status class; sorts, filters and opens the request\'s packet', async () => {
    const file = mixed();
    const exs = exchangesOf(file);
    expect(exs.some((e) => e.proto === 'HTTP/2')).toBe(true);
    expect(exs.some((e) => e.proto.startsWith('HTTP/1'))).toBe(true);
    const p = await page(Math.max(900, exs.length * 22 + 400));
    await openFile(p, file);
    await p.click('[data-testid=tab-requests]');
    await p.waitForFunction((n) => document.querySelectorAll('[data-testid=wf-all-row]').length === n, exs.length, { timeout: 30_000 });
    // Timing joined from the records (README "Exchange timing"): every exchange the core timed has phases.
    const timed = exs.filter((e) => e.timing !== undefined).length;
    expect(timed).toBeGreaterThan(exs.length / 2);
    expect(await caption(p, 'requests')).toBe(`${exs.length} exchanges${timed < exs.length ? ` · ${timed} with phases (the others: request to response)` : ''}`);
    // Time order (ties by id), as the exchanges' request times say.
    const byTime = [...exs].sort((a, b) => a.reqTime - b.reqTime || a.id - b.id);
    expect(await rowIds(p)).toEqual(byTime.map((e) => e.id));
    const rows = await wfRows(p);
    const byId = new Map(exs.map((e) => [e.id, e]));
    for (const r of rows) {
      const e = byId.get(r.id)!;
      expect(r.req).toBe(e.reqNum);
      expect(r.url).toBe(e.url);
      expect(r.status).toBe(e.status === undefined ? '—' : String(e.status));
      expect(r.rowClass).toBe(`wf-st-${cls(e.status)}`);
      if (e.timing) expect(r.bar).toMatch(/^wf-ph ph-(connect|send|wait|receive)$/);
      else expect(r.bar).toBe(`wf-ph ph-latency s-${cls(e.status)}`);
    }
    // The statuses of the captures: colours of more than one class are drawn.
    expect(new Set(rows.map((r) => r.rowClass)).size).toBeGreaterThan(1);
    const colours = await p.$$eval('[data-testid=wf-all-row] .ph-latency', (bars) => [...new Set(bars.map((b) => `${[...b.classList].find((c) => c.startsWith('s-'))}=${getComputedStyle(b).backgroundColor}`))]);
    const byClass = new Map(colours.map((c) => c.split('=') as [string, string]));
    expect(new Set(byClass.values()).size).toBe(byClass.size); // each class its own colour
    await p.screenshot({ path: join(ARTIFACTS, 'exchange-waterfall.png') });

    // Sorted by duration, both ways: unanswered ones last either way.
    await p.click('[data-testid=wf-all] [role=columnheader]:has-text("Duration")');
    await p.waitForFunction(() => document.querySelector('[data-testid=wf-all] [aria-sort]')?.textContent?.includes('Duration'));
    // The bar's length: with timing from the SYN (when it carries the connection's setup) to the
    // response's last byte (else its first, else the request's end); without, request to response.
    const dur = (e: Exchange) => {
      const t = e.timing;
      if (t) {
        const begin = t.connect ? Math.min(t.start, t.connect.syn) : t.start;
        const off = t.responseEnd ?? t.responseStart ?? t.requestEnd;
        return (off !== undefined ? t.start + off : e.respTime === undefined ? t.start : Math.max(t.start, e.respTime)) - begin;
      }
      return latency(e) === undefined ? undefined : Math.max(0, e.respTime! - e.reqTime);
    };
    const asc = [...exs].sort((a, b) => { const x = dur(a), y = dur(b); return x === y ? a.id - b.id : x === undefined ? 1 : y === undefined ? -1 : x - y || a.id - b.id; });
    await p.waitForFunction((first) => Number(document.querySelector<HTMLElement>('[data-testid=wf-all-row][data-index="0"] .wf-url')?.dataset.id) === first, asc[0]!.id);
    const got = await rowIds(p);
    expect(got.map((id) => dur(byId.get(id)!))).toEqual(asc.map(dur));
    await p.click('[data-testid=wf-all] [role=columnheader]:has-text("Duration")');
    await p.waitForFunction(() => document.querySelector('[data-testid=wf-all] [aria-sort=descending]') !== null);
    await p.waitForTimeout(200);
    const desc = (await rowIds(p)).map((id) => dur(byId.get(id)!));
    const answered = desc.filter((d) => d !== undefined) as number[];
    expect(answered).toEqual([...answered].sort((a, b) => b - a));
    expect(desc.slice(answered.length).every((d) => d === undefined)).toBe(true);

    // The text filter: URL, method or status containing the text.
    await p.click('[data-testid=wf-all] [role=columnheader]:has-text("Time (UTC)")');
    await p.fill('[data-testid=wf-filter]', '404');
    const want404 = byTime.filter((e) => e.url.toLowerCase().includes('404') || e.method.toLowerCase().includes('404') || String(e.status ?? '').includes('404'));
    expect(want404.length).toBeGreaterThan(0);
    await p.waitForFunction((n) => document.querySelector('[data-testid=requests] [data-testid=view-count]')?.textContent?.startsWith(`${n} exchange`), want404.length);
    await p.waitForFunction((n) => document.querySelectorAll('[data-testid=wf-all-row]').length === n, want404.length);
    expect(await rowIds(p)).toEqual(want404.map((e) => e.id));

    // A click opens the request's packet in the Packets view.
    const target = want404[0]!;
    await p.click('[data-testid=wf-all-row][data-index="0"]');
    await p.waitForFunction((n) => new URLSearchParams(location.hash.slice(1)).get('pkt') === String(n), target.reqNum);
    await p.waitForSelector('[data-testid=detail]');

    // The filter bar selects for this view too: the exchanges with a packet it keeps.
    // (The Waterfall's own text box starts empty again when the view is shown again.)
    const kept = await applyFilter(p, 'L4.dst == 28091');
    expect(kept.ok).toBe(true);
    await p.click('[data-testid=tab-requests]');
    const to28091 = byTime.filter((e) => e.server.endsWith(':28091'));
    expect(to28091.length).toBeGreaterThan(0);
    expect(to28091.length).toBeLessThan(exs.length);
    await p.waitForFunction((n) => document.querySelector('[data-testid=requests] [data-testid=view-count]')?.textContent?.startsWith(`${n} exchange`), to28091.length);
    await p.waitForFunction((n) => document.querySelectorAll('[data-testid=wf-all-row]').length === n, to28091.length);
    expect(await rowIds(p)).toEqual(to28091.map((e) => e.id));
    await p.close();
  });

  it('statistics per endpoint: counts, errors and p50/p95/p99/max equal the records\'; a click shows the endpoint\'s exchanges', async () => {
    const file = mixed();
    const exs = exchangesOf(file);
    const want = new Map<string, { n: number; errors: number; lat: number[] }>();
    for (const e of exs) {
      const key = `${e.method || '(no request)'} ${folded(e.url)}`;
      const w = want.get(key) ?? { n: 0, errors: 0, lat: [] };
      const l = latency(e);
      w.n++;
      if ((e.status ?? 0) >= 500 || e.note?.startsWith('stream reset') || e.timing?.reset !== undefined || (l === undefined && e.status === undefined)) w.errors++;
      if (l !== undefined) w.lat.push(l);
      want.set(key, w);
    }
    const p = await page(1200);
    await openFile(p, file);
    await p.click('[data-testid=tab-stats]');
    await p.waitForFunction((n) => document.querySelectorAll('[data-testid=stats-row]').length === n, want.size, { timeout: 30_000 });
    expect(await caption(p, 'stats')).toBe(`${want.size} endpoints · ${exs.length} exchanges`);
    const rows = await p.$$eval('[data-testid=stats-row]', (rs) => rs.map((r) => {
      const v = (c: string) => r.querySelector<HTMLElement>(`[data-col=${c}] [data-v]`)?.dataset.v;
      return {
        key: r.querySelector<HTMLElement>('.ep-path')!.dataset.key!, count: r.querySelector('[data-col=count]')!.textContent!,
        errors: r.querySelector<HTMLElement>('[data-col=errors]')!.dataset.v!, p50: v('p50'), p95: v('p95'), p99: v('p99'), max: v('max'),
      };
    }));
    expect(rows.map((r) => r.key).sort()).toEqual([...want.keys()].sort());
    for (const r of rows) {
      const w = want.get(r.key)!;
      const l = [...w.lat].sort((a, b) => a - b);
      expect([Number(r.count), Number(r.errors)]).toEqual([w.n, w.errors]);
      const num = (x: string | undefined) => (x === undefined ? undefined : Number(x));
      expect([num(r.p50), num(r.p95), num(r.p99), num(r.max)]).toEqual(l.length ? [nearest(l, 0.5), nearest(l, 0.95), nearest(l, 0.99), l[l.length - 1]] : [undefined, undefined, undefined, undefined]);
    }
    // Sorted by count, most first (the default).
    expect(rows.map((r) => Number(r.count))).toEqual(rows.map((r) => Number(r.count)).sort((a, b) => b - a));
    await p.screenshot({ path: join(ARTIFACTS, 'exchange-stats.png') });
    // A click: the waterfall, narrowed to the endpoint.
    const pick = rows.find((r) => r.key.includes('{id}')) ?? rows[0]!;
    await p.click(`[data-testid=stats-row]:has([data-key="${pick.key}"])`);
    await p.waitForSelector('[data-testid=wf-endpoint]');
    await p.waitForFunction((n) => document.querySelectorAll('[data-testid=wf-all-row]').length === n, want.get(pick.key)!.n);
    const ids = await rowIds(p);
    expect(ids.map((id) => exs[id]!).every((e) => `${e.method || '(no request)'} ${folded(e.url)}` === pick.key)).toBe(true);
    await p.click('[data-testid=wf-endpoint] button');
    await p.waitForFunction((n) => document.querySelector('[data-testid=requests] [data-testid=view-count]')?.textContent?.startsWith(`${n} exchanges`), exs.length);
    await p.close();
  });

  it('connections: SNI, ALPN, DNS names, end state and retransmissions equal tshark\'s', async () => {
    // A built capture: a DNS answer naming the server twice, then to that server a connection
    // closed by both sides with its request sent twice, one the server resets, and one left open;
    // merged with the corpus' TLS connections (SNI) for the names of a ClientHello.
    const C = '10.0.0.1', S = '10.1.2.3', R = '10.0.0.53';
    const pk: Array<{ data: Uint8Array; ts: number }> = [];
    let t = 1_700_000_000;
    const add = (src: string, dst: string, l4: Uint8Array, proto: number = IPPROTO.TCP) => { t += 0.01; pk.push({ data: ethernet({ payload: ipv4({ src, dst, proto, payload: l4 }) }), ts: t }); };
    const seg = (src: string, dst: string, sp: number, dp: number, flags: string, seq: number, ack: number, payload?: Uint8Array) =>
      add(src, dst, tcp({ src, dst, srcPort: sp, dstPort: dp, flags, seq, ack, ...(payload ? { payload } : {}) }));
    add(C, R, udp({ src: C, dst: R, srcPort: 5353 + 1, dstPort: 53, payload: dns({ id: 7, questions: [{ name: 'api.example.test', type: 'A' }] }) }), IPPROTO.UDP);
    add(R, C, udp({ src: R, dst: C, srcPort: 53, dstPort: 5354, payload: dns({ id: 7, questions: [{ name: 'api.example.test', type: 'A' }], answers: [{ name: 'api.example.test', type: 'A', data: S }, { name: 'www.example.test', type: 'A', data: S }] }) }), IPPROTO.UDP);
    const req = ascii('GET /a HTTP/1.1\r\nHost: api.example.test\r\n\r\n');
    const resp = ascii('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    const conn = (cp: number, end: 'fin' | 'rst' | 'open', again: boolean) => {
      seg(C, S, cp, 80, 'SYN', 100, 0); seg(S, C, 80, cp, 'SYN|ACK', 500, 101); seg(C, S, cp, 80, 'ACK', 101, 501);
      seg(C, S, cp, 80, 'PSH|ACK', 101, 501, req);
      if (again) { t += 0.3; seg(C, S, cp, 80, 'PSH|ACK', 101, 501, req); }
      const after = 101 + req.length;
      if (end === 'rst') { seg(S, C, 80, cp, 'RST|ACK', 501, after); return; }
      seg(S, C, 80, cp, 'PSH|ACK', 501, after, resp);
      seg(C, S, cp, 80, 'ACK', after, 501 + resp.length);
      if (end === 'fin') { seg(C, S, cp, 80, 'FIN|ACK', after, 501 + resp.length); seg(S, C, 80, cp, 'FIN|ACK', 501 + resp.length, after + 1); seg(C, S, cp, 80, 'ACK', after + 1, 502 + resp.length); }
    };
    conn(40001, 'fin', true); conn(40002, 'rst', false); conn(40003, 'open', false);
    // TLS 1.2 (RFC 5246 §7.4.1.3): the ServerHello carries the chosen ALPN protocol (RFC 7301 §3.1).
    const T = '10.1.2.4';
    const u16 = (n: number) => Uint8Array.of((n >>> 8) & 255, n & 255);
    const alpnExt = Uint8Array.of(0x00, 0x10, 0x00, 0x05, 0x00, 0x03, 0x02, 0x68, 0x32); // ALPN ["h2"]
    const shBody = Uint8Array.from([0x03, 0x03, ...new Uint8Array(32).fill(2), 0x00, 0xc0, 0x2f, 0x00, ...u16(alpnExt.length), ...alpnExt]);
    const serverHello = Uint8Array.from([0x16, 0x03, 0x03, ...u16(shBody.length + 4), 0x02, 0x00, ...u16(shBody.length), ...shBody]);
    const ch = clientHelloRecord('tls.example.test', ['h2', 'http/1.1']);
    seg(C, T, 40010, 443, 'SYN', 700, 0); seg(T, C, 443, 40010, 'SYN|ACK', 900, 701); seg(C, T, 40010, 443, 'ACK', 701, 901);
    seg(C, T, 40010, 443, 'PSH|ACK', 701, 901, ch); seg(T, C, 443, 40010, 'PSH|ACK', 901, 701 + ch.length, serverHello);
    // A second one whose server's hello is not captured: the client's offer is shown.
    seg(C, T, 40011, 443, 'SYN', 700, 0); seg(T, C, 443, 40011, 'SYN|ACK', 900, 701); seg(C, T, 40011, 443, 'ACK', 701, 901);
    seg(C, T, 40011, 443, 'PSH|ACK', 701, 901, clientHelloRecord('offer.example.test', ['h2', 'http/1.1']));
    const built = join(dir, 'conns-built.pcap');
    writeFileSync(built, pcap(pk));
    const file = join(dir, 'conns.pcap');
    execFileSync('mergecap', ['-F', 'pcap', '-w', file, built, join(CORPUS, 'tls-sni.pcap'), join(CORPUS, 'h1-resets-mtu1500.pcap')]);

    // tshark's view, per TCP stream: endpoints, SNI, RST sender, FINs, retransmission-type flags.
    const tsh = (filter: string, ...fields: string[]) => spawnSync('tshark', ['-r', file, '-Y', filter, '-T', 'fields', '-E', 'separator=;', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).map((l) => l.split(';'));
    type W = { client: string; server: string; sni: string; alpn: string; rst: string; finC: boolean; finS: boolean; retrans: number };
    const streams = new Map<string, W>();
    for (const [st, src, sp, dst, dp, syn, ack, fin, rst, sni] of tsh('tcp', 'tcp.stream', 'ip.src', 'tcp.srcport', 'ip.dst', 'tcp.dstport', 'tcp.flags.syn', 'tcp.flags.ack', 'tcp.flags.fin', 'tcp.flags.reset', 'tls.handshake.extensions_server_name')) {
      let w = streams.get(st!);
      const synAck = syn === '1' && ack === '1';
      if (!w) { w = { client: synAck ? `${dst}:${dp}` : `${src}:${sp}`, server: synAck ? `${src}:${sp}` : `${dst}:${dp}`, sni: '', alpn: '', rst: '', finC: false, finS: false, retrans: 0 }; streams.set(st!, w); }
      const fromClient = `${src}:${sp}` === w.client;
      if (sni) w.sni ||= sni;
      if (rst === '1' && !w.rst) w.rst = fromClient ? 'client' : 'server';
      if (fin === '1') { if (fromClient) w.finC = true; else w.finS = true; }
    }
    // ALPN: the server's choice (tshark's alpn string of the ServerHello), else the client's offer.
    for (const [st, type, alpn] of tsh('tls.handshake.extensions_alpn_str', 'tcp.stream', 'tls.handshake.type', 'tls.handshake.extensions_alpn_str')) {
      const w = streams.get(st!)!;
      if (type === '2') w.alpn = alpn!; else if (type === '1' && !w.alpn) w.alpn = alpn!;
    }
    expect([...streams.values()].map((w) => w.alpn).filter(Boolean).sort()).toEqual(['h2', 'h2,http/1.1']);
    for (const [st] of tsh('tcp.analysis.retransmission || tcp.analysis.fast_retransmission || tcp.analysis.spurious_retransmission || tcp.analysis.out_of_order', 'tcp.stream')) streams.get(st!)!.retrans++;
    const names = new Map<string, string[]>();
    for (const [rn, a] of tsh('dns.flags.response == 1 && dns.a', 'dns.resp.name', 'dns.a')) {
      const ns = rn!.split(','), as = a!.split(',');
      ns.forEach((n, i) => { const l = names.get(as[i]!) ?? []; if (!l.includes(n)) l.push(n); names.set(as[i]!, l); });
    }
    expect([...streams.values()].some((w) => w.retrans > 0)).toBe(true);
    expect(names.get(S)).toEqual(['api.example.test', 'www.example.test']);

    const p = await page(1200);
    await openFile(p, file);
    await p.click('[data-testid=tab-conns]');
    await p.waitForFunction((n) => document.querySelectorAll('[data-testid=conn-row]').length >= n, streams.size);
    const rows = await p.$$eval('[data-testid=conn-row]', (rs) => rs.map((r) => {
      const c = [...r.querySelectorAll('[role=gridcell]')].map((x) => x.textContent ?? '');
      const col = (k: string) => r.querySelector(`[data-col=${k}]`)?.textContent ?? '';
      return { proto: c[0]!, client: c[1]!, server: c[2]!, sni: col('sni'), alpn: col('alpn'), names: col('names'), end: col('end'), retrans: col('retrans') };
    }));
    const tcpRows = rows.filter((r) => r.proto === 'TCP');
    expect(tcpRows.length).toBe(streams.size);
    for (const w of streams.values()) {
      const r = tcpRows.find((x) => x.client === w.client && x.server === w.server);
      expect(r, `${w.client} → ${w.server}`).toBeDefined();
      const end = w.rst ? `RST (${w.rst})` : w.finC && w.finS ? 'FIN' : w.finC || w.finS ? 'half-closed' : 'open';
      expect({ sni: r!.sni, alpn: r!.alpn, end: r!.end, retrans: Number(r!.retrans), names: r!.names }, `${w.client} → ${w.server}`)
        .toEqual({ sni: w.sni, alpn: w.alpn, end, retrans: w.retrans, names: (names.get(w.server.replace(/:\d+$/, '')) ?? []).join(', ') });
    }
    // The built connections show each state once.
    expect(tcpRows.filter((r) => r.server === `${S}:80`).map((r) => r.end).sort()).toEqual(['FIN', 'RST (server)', 'open']);
    await p.screenshot({ path: join(ARTIFACTS, 'exchange-conns.png') });
    await p.close();
  });

  it('a generated capture of many exchanges: every one listed, the last reachable, statistics that add up', async () => {
    const file = join(dir, 'gen.pcap');
    execFileSync(process.execPath, [join(ROOT, 'bench', 'gen.js'), 'http', file, String(12 << 20)]);
    const exs = exchangesOf(file);
    expect(exs.length).toBeGreaterThan(5000);
    const p = await page(900);
    await openFile(p, file);
    await p.click('[data-testid=tab-requests]');
    await p.waitForFunction((n) => document.querySelector('[data-testid=requests] [data-testid=view-count]')?.textContent?.startsWith(`${n.toLocaleString('en-US')} exchanges`), exs.length, { timeout: 60_000 });
    // Virtualised: only the rows in sight are in the DOM.
    expect(await p.$$eval('[data-testid=wf-all-row]', (r) => r.length)).toBeLessThan(100);
    const byTime = [...exs].sort((a, b) => a.reqTime - b.reqTime || a.id - b.id);
    await p.focus('[data-testid=wf-all] .vbody');
    await p.keyboard.press('ArrowDown');
    await p.keyboard.press('End');
    await p.waitForFunction((i) => document.querySelector(`[data-testid=wf-all-row][data-index="${i}"]`) !== null, exs.length - 1);
    expect(await p.$eval(`[data-testid=wf-all-row][data-index="${exs.length - 1}"] .wf-url`, (u) => Number((u as HTMLElement).dataset.id))).toBe(byTime[byTime.length - 1]!.id);
    await p.click('[data-testid=tab-stats]');
    await p.waitForSelector('[data-testid=stats-row]');
    expect(await caption(p, 'stats')).toMatch(new RegExp(` · ${exs.length.toLocaleString('en-US')} exchanges$`));
    await p.close();
  });

  it('phases: with timing (filled here, as the join with the core records will fill it) each bar shows connect, send, wait and receive where they are, at their times; resets are marked', async () => {
    // The exchanges of the HTTP/1 and HTTP/2 corpus captures, each given a timing made up from
    // its own times: connect on every third, a reset on every fifth, no receive on every seventh.
    const exs = [...exchangesOf(join(CORPUS, 'h1-keepalive-mtu1500.pcap')), ...exchangesOf(join(CORPUS, 'h2c-mtu1500.pcap'))].map((e, id) => {
      const lat = e.latency ?? 2;
      const timing: ExchangeTiming = {
        start: e.reqTime, requestEnd: lat * 0.2, responseStart: lat * 0.8, retransmissions: { client: 0, server: id % 2 }, outOfOrder: { client: 0, server: 0 }, zeroWindows: { client: 0, server: 0 },
      };
      if (id % 7 !== 0) timing.responseEnd = lat;
      if (id % 3 === 0) timing.connect = { syn: e.reqTime - 1, synAck: 0.4, ack: 0.6 };
      if (id % 5 === 0) timing.reset = 'server';
      return { ...e, id, timing };
    });
    const bundle = await build({
      entryPoints: [join(ROOT, 'test', 'runtimes', 'browser', 'app', 'views', 'waterfall-all.page.tsx')], bundle: true, write: false, format: 'iife', target: 'es2022',
      platform: 'browser', jsx: 'automatic', jsxImportSource: 'preact', outdir: join(dir, 'page'), loader: { '.css': 'css' }, logLevel: 'warning',
    });
    const js = bundle.outputFiles.find((f) => f.path.endsWith('.js'))!.text, css = bundle.outputFiles.find((f) => f.path.endsWith('.css'))!.text;
    const p = await browser.newPage({ viewport: { width: 1400, height: exs.length * 22 + 300 } });
    p.on('pageerror', (e) => errors.push(e.message));
    await p.setContent(`<!doctype html><style>${css}</style><div id="app" style="height: 100vh; display: flex; flex-direction: column"></div>`);
    await p.addScriptTag({ content: js });
    await p.evaluate((x) => (window as unknown as { mount(e: unknown): void }).mount(x), exs);
    await p.waitForFunction((n) => document.querySelectorAll('[data-testid=wf-all-row]').length === n, exs.length);
    expect(await p.textContent('[data-testid=view-count]')).toBe(`${exs.length} exchanges`);
    // The axis: the first bar's begin to the last bar's end, computed here.
    const begin = (e: typeof exs[number]) => e.timing.connect?.syn ?? e.timing.start;
    const end = (e: typeof exs[number]) => e.timing.start + (e.timing.responseEnd ?? e.timing.responseStart!);
    const lo = Math.min(...exs.map(begin)), hi = Math.max(...exs.map(end));
    const rows = await p.$$eval('[data-testid=wf-all-row]', (rs) => rs.map((r) => {
      const track = r.querySelector<HTMLElement>('.wf-track')!.getBoundingClientRect();
      return {
        id: Number(r.querySelector<HTMLElement>('.wf-url')!.dataset.id),
        phases: [...r.querySelectorAll<HTMLElement>('.wf-ph')].map((b) => { const x = b.getBoundingClientRect(); return { phase: b.dataset.phase!, from: (x.left - track.left) / track.width, to: (x.right - track.left) / track.width }; }),
        reset: r.querySelector('[data-testid=wf-reset]') !== null, width: track.width,
      };
    }));
    const byId = new Map(exs.map((e) => [e.id, e]));
    for (const r of rows) {
      const e = byId.get(r.id)!, t = e.timing;
      const want: Array<[string, number, number]> = [];
      if (t.connect) want.push(['connect', t.connect.syn, t.connect.syn + t.connect.ack!]);
      want.push(['send', t.start, t.start + t.requestEnd!], ['wait', t.start + t.requestEnd!, t.start + t.responseStart!]);
      if (t.responseEnd !== undefined) want.push(['receive', t.start + t.responseStart!, t.start + t.responseEnd]);
      expect(r.phases.map((x) => x.phase), `exchange ${r.id}`).toEqual(want.map((w) => w[0]));
      // Positions within 1.5 pixels (a bar is at least 1 pixel wide).
      const px = 1.5 / r.width;
      r.phases.forEach((x, i) => {
        const [, a, b] = want[i]!;
        expect(Math.abs(x.from - (a - lo) / (hi - lo)), `exchange ${r.id} ${x.phase} start`).toBeLessThan(px);
        expect(Math.abs(x.to - Math.max((b - lo) / (hi - lo), x.from + 1 / r.width)), `exchange ${r.id} ${x.phase} end`).toBeLessThan(px);
      });
      expect(r.reset, `exchange ${r.id}`).toBe(t.reset !== undefined || !!e.note?.startsWith('stream reset'));
    }
    // Each phase its own colour.
    const colours = await p.$$eval('.wf-ph', (bs) => [...new Set(bs.map((b) => `${b.dataset.phase}=${getComputedStyle(b).backgroundColor}`))]);
    expect(new Set(colours.map((c) => c.split('=')[1])).size).toBe(4);
    await p.screenshot({ path: join(ARTIFACTS, 'exchange-phases.png') });
    // Sorted by size: the timing's response bytes are absent here, so the bodies' sizes.
    await p.click('[role=columnheader]:has-text("Size")');
    await p.waitForFunction(() => document.querySelector('[aria-sort]')?.textContent?.includes('Size'));
    await p.waitForTimeout(200);
    const ids = await rowIds(p);
    const size = (id: number) => byId.get(id)!.respSize;
    const known = ids.map(size).filter((x) => x !== undefined) as number[];
    expect(known).toEqual([...known].sort((a, b) => a - b));
    expect(ids.slice(known.length).every((id) => size(id) === undefined)).toBe(true);
    // A click opens the request's packet.
    await p.click('[data-testid=wf-all-row][data-index="3"]');
    expect(await p.evaluate(() => document.body.dataset.opened)).toBe(String(byId.get(ids[3]!)!.reqNum));
    await p.close();
  });

  it('no uncaught error in any page', () => { expect(errors).toEqual([]); });
});
