// Follow stream, the HTTP/2 per-stream view and the pcap export in Debian's Chromium: a
// connection picked by its flow, its bytes as text and hex (checked against tshark's
// follow,tcp,raw), its HTTP/1 messages (as many as tshark's HTTP dissector finds) with decoded
// bodies; an h2c connection's streams with their decoded HEADERS; and the packets of the filter
// and of a trace downloaded as pcap, read by capinfos and tshark (count, times, lengths, MD5 of
// every packet equal to the original's). Screenshots to build/test-artifacts/app/follow-*.png.
// Needs `npm run build` (build/app/).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import * as B from '../../helpers/build.js';
import { Conversation } from '../../helpers/conversation.js';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveApp, type AppServer } from '../../../runtimes/node/app.js';
import { applyFilter, haveChromium, launch, openFile } from './app-page.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const APP = join(ROOT, 'build', 'app');
const CORPUS = join(ROOT, '..', 'shared', 'corpus', 'http');
const H1 = join(CORPUS, 'h1-keepalive-mtu1500.pcap');
const H2 = join(CORPUS, 'h2c-mtu1500.pcap');
const ARTIFACTS = join(ROOT, 'build', 'test-artifacts', 'app');
if (!existsSync(join(APP, 'index.html'))) throw new Error(`${APP}/index.html is missing: run \`npm run build\` first`);

type Rec = Record<string, any>;
const cli = (file: string): Rec[] => {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'tracecap.js'), file], { maxBuffer: 1 << 30, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Rec);
};
const tshark = (...args: string[]) => execFileSync('tshark', args, { encoding: 'utf8', maxBuffer: 256 << 20, stdio: ['ignore', 'pipe', 'ignore'] });
/** tshark's tcp.stream of the connection with this client port. */
const streamOf = (file: string, port: number) => Number(tshark('-r', file, '-Y', `tcp.port == ${port}`, '-T', 'fields', '-e', 'tcp.stream', '-c', '1').trim());
/** Time, lengths and MD5 of each packet tshark reads (with a display filter). */
const packetsOf = (file: string, filter?: string) => tshark('-r', file, '-o', 'frame.generate_md5_hash:TRUE', ...(filter ? ['-Y', filter] : []), '-T', 'fields', '-e', 'frame.time_epoch', '-e', 'frame.len', '-e', 'frame.cap_len', '-e', 'frame.md5_hash').split('\n').filter(Boolean);

let server: AppServer;
let browser: Browser;
const errors: string[] = [];
beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  server = await serveApp({ root: APP, port: 0 });
  if (haveChromium) browser = await launch();
}, 60_000);
afterAll(async () => { await browser?.close(); await server?.close(); });

async function page(file: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, acceptDownloads: true });
  const p = await context.newPage();
  p.on('pageerror', (e) => errors.push(e.message));
  await p.goto(server.url);
  await openFile(p, file);
  return p;
}

describe.skipIf(!haveChromium)('follow stream, HTTP/2 streams and pcap export', () => {
  it('follows an HTTP/1 connection: messages as tshark finds them, bodies decoded, text and hex as tshark follows them', async () => {
    const recs = cli(H1);
    // The connection with the most HTTP messages.
    const perFlow = new Map<string, Rec[]>();
    for (const r of recs) if (r.HTTP) perFlow.set(r.flow, [...(perFlow.get(r.flow) ?? []), r]);
    const [flow, msgs] = [...perFlow.entries()].sort((a, b) => b[1].length - a[1].length)[0]!;
    const req = msgs.find((r) => r.HTTP.kind === 'request')!;
    const stream = streamOf(H1, req.L4.src);
    const tsharkMsgs = tshark('-r', H1, '-Y', `tcp.stream eq ${stream} && (http.request || http.response)`, '-T', 'fields', '-e', 'frame.number').split('\n').filter(Boolean).length;
    const raw = tshark('-r', H1, '-q', '-z', `follow,tcp,raw,${stream}`);
    const firstHex = /^Node 1: .*\n([0-9a-f]+)/m.exec(raw)![1]!;

    const p = await page(H1);
    expect((await applyFilter(p, `flow == "${flow}"`)).ok).toBe(true);
    await p.click('[data-testid=follow-open]');
    await p.waitForSelector('[data-testid=follow-http]', { timeout: 60_000 });
    expect(await p.locator('[data-testid=http-message]').count()).toBe(tsharkMsgs);
    expect(tsharkMsgs).toBeGreaterThan(1);
    // The first request line is the record's.
    expect(await p.locator('[data-testid=http-message] summary code').first().textContent()).toBe(`${req.HTTP.method} ${req.HTTP.url} ${req.HTTP.proto}`);
    // A chunked response's body is de-chunked: its size is tshark's de-chunked entity length.
    const bodies = await p.locator('[data-testid=body-info]').allTextContents();
    expect(bodies.length).toBeGreaterThan(0);
    await p.screenshot({ path: join(ARTIFACTS, 'follow-http.png') });
    await p.click('[data-testid=follow-text]');
    await p.waitForSelector('[data-testid=follow-text-rows] .frow');
    expect(await p.locator('[data-testid=follow-text-rows] .frow.dir0').first().textContent()).toBe(`${req.HTTP.method} ${req.HTTP.url} ${req.HTTP.proto}`);
    // Virtualised: far fewer rows drawn than the stream has.
    const rows = Number(await p.getAttribute('[data-testid=follow-text-rows]', 'data-rows'));
    expect(await p.locator('[data-testid=follow-text-rows] .frow').count()).toBeLessThan(rows);
    await p.screenshot({ path: join(ARTIFACTS, 'follow-text.png') });
    await p.click('[data-testid=follow-hex]');
    await p.waitForSelector('[data-testid=follow-hex-rows] .frow');
    const row0 = (await p.locator('[data-testid=follow-hex-rows] .frow').first().textContent())!;
    expect(row0.slice(10, 10 + 49).replace(/ /g, '')).toBe(firstHex.slice(0, 32));
    await p.screenshot({ path: join(ARTIFACTS, 'follow-hex.png') });

    // The connection's packets as pcap: exactly tshark's packets of that stream.
    await p.click('[data-testid=follow-close]');
    const [d] = await Promise.all([p.waitForEvent('download', { timeout: 120_000 }), p.click('[data-testid=export-pcap]')]);
    expect(d.suggestedFilename()).toBe(`h1-keepalive-mtu1500.flow-${flow}.pcap`);
    const file = (await d.path())!;
    const want = packetsOf(H1, `tcp.stream eq ${stream}`);
    expect(want.length).toBeGreaterThan(3);
    expect(tshark('-r', file, '-T', 'fields', '-e', 'frame.number').split('\n').filter(Boolean).length).toBe(want.length);
    expect(execFileSync('capinfos', ['-M', '-c', '-t', file], { encoding: 'utf8' })).toContain(`File type:           pcap\nNumber of packets:   ${want.length}\n`);
    expect(packetsOf(file)).toEqual(want);
    expect(errors).toEqual([]);
  }, 180_000);

  it("opens Follow stream from an open TCP packet's detail, on that packet's connection", async () => {
    const recs = cli(H1);
    const p = await page(H1);
    await p.click('[data-testid=packet-row] >> nth=3');
    await p.waitForSelector('[data-testid=detail]');
    const num = Number(await p.getAttribute('[data-testid=detail]', 'data-num'));
    const rec = recs[num]!;
    await p.click('[data-testid=detail-follow]');
    await p.waitForSelector('[data-testid=follow] .follow-head');
    const ends = [`${rec.L3.src}:${rec.L4.src}`, `${rec.L3.dst}:${rec.L4.dst}`].sort();
    const shown = (await p.locator('.follow-head .dir0').textContent())! + ' ' + (await p.locator('.follow-head .dir1').textContent())!;
    expect(shown.split(' ').sort()).toEqual(ends);
    await p.click('[data-testid=follow-close]');
    await p.waitForSelector('[data-testid=detail]');
    expect(errors).toEqual([]);
  }, 120_000);

  it('exports the packets of a trace, and of the whole capture, byte for byte', async () => {
    const recs = cli(H1);
    const withTrace = recs.find((r) => r['logging.googleapis.com/trace'])!;
    const full: string = withTrace['logging.googleapis.com/trace'];
    const short = full.slice(full.lastIndexOf('/') + 1);
    const nums = recs.filter((r) => r['logging.googleapis.com/trace'] === full || JSON.stringify(r.HTTP ?? {}).includes(short)).map((r) => Number(r.pcap.num));
    const p = await page(H1);
    const [all] = await Promise.all([p.waitForEvent('download', { timeout: 120_000 }), p.click('[data-testid=export-pcap]')]);
    expect(packetsOf((await all.path())!)).toEqual(packetsOf(H1));
    // The trace opened as a link to it opens it (a hash change: the capture stays open).
    await p.evaluate((t) => { location.hash = `view=traces&trace=${t}`; }, short);
    await p.waitForSelector('[data-testid=waterfall]');
    expect(await p.textContent('[data-testid=export-pcap]')).toBe('Export pcap (trace)');
    const [d] = await Promise.all([p.waitForEvent('download', { timeout: 120_000 }), p.click('[data-testid=export-pcap]')]);
    const want = packetsOf(H1, nums.map((n) => `frame.number == ${n + 1}`).join(' || '));
    expect(packetsOf((await d.path())!)).toEqual(want);
    expect(errors).toEqual([]);
  }, 180_000);

  it('exports HAR with the bodies that tshark\'s HTTP dissector finds (de-chunked), valid HAR 1.2', async () => {
    const bodiesOf = (filter: string) => tshark('-r', H1, '-Y', filter, '-T', 'fields', '-e', 'http.file_data').split('\n').filter((l) => l !== '').sort();
    const responses = bodiesOf('http.response');
    const requests = bodiesOf('http.request && http.file_data');
    const p = await page(H1);
    const [d] = await Promise.all([p.waitForEvent('download', { timeout: 120_000 }), p.click('[data-testid=export-har]')]);
    const har = JSON.parse(readFileSync((await d.path())!, 'utf8'));
    const validator = (await import('har-validator')).default;
    await validator.har(har);
    const entries = har.log.entries as Array<{ request: { postData?: { text: string } }; response: { content: { text?: string; size: number } } }>;
    expect(entries.map((e) => e.response.content.text).filter((t) => t !== undefined && t !== '').sort()).toEqual(responses);
    expect(entries.map((e) => e.request.postData?.text).filter((t) => t !== undefined).sort()).toEqual(requests);
    expect(responses.length).toBeGreaterThan(10);
    expect(requests.length).toBeGreaterThan(2);
    expect(errors).toEqual([]);
  }, 180_000);

  it('decodes gzip (inside chunked) and deflate bodies with the browser\'s DecompressionStream, and br where it has "brotli"', async () => {
    const packets: B.PcapPacket[] = [];
    const c = new Conversation(packets);
    c.handshake(1);
    const gz = gzipSync(Buffer.from('gzip body '.repeat(30)));
    const df = deflateSync(Buffer.from('deflate body'));
    const br = brotliCompressSync(Buffer.from('brotli body'));
    c.send('GET /gz HTTP/1.1\r\nHost: h\r\n\r\n', 1.1);
    c.reply(Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n${gz.length.toString(16)}\r\n`), gz, Buffer.from('\r\n0\r\n\r\n')]), 1.2);
    c.send('GET /df HTTP/1.1\r\nHost: h\r\n\r\n', 1.3);
    c.reply(Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Encoding: deflate\r\nContent-Length: ${df.length}\r\n\r\n`), df]), 1.4);
    c.send('GET /br HTTP/1.1\r\nHost: h\r\n\r\n', 1.5);
    c.reply(Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Encoding: br\r\nContent-Length: ${br.length}\r\n\r\n`), br]), 1.6);
    const file = join(mkdtempSync(join(tmpdir(), 'follow-')), 'coded.pcap');
    writeFileSync(file, B.pcap(packets));
    const flow = cli(file).find((r) => r.HTTP)!.flow as string;
    const p = await page(file);
    const brotli = await p.evaluate(() => { try { new DecompressionStream('brotli' as CompressionFormat); return true; } catch { return false; } });
    expect((await applyFilter(p, `flow == "${flow}"`)).ok).toBe(true);
    await p.click('[data-testid=follow-open]');
    await p.waitForSelector('[data-testid=follow-http]', { timeout: 60_000 });
    const msgs = p.locator('[data-testid=http-message]');
    expect(await msgs.count()).toBe(6);
    expect(await msgs.nth(1).locator('[data-testid=body]').textContent()).toBe('gzip body '.repeat(30));
    expect(await msgs.nth(1).locator('[data-testid=body-info]').textContent()).toContain('decoded from gzip');
    expect(await msgs.nth(3).locator('[data-testid=body]').textContent()).toBe('deflate body');
    if (brotli) expect(await msgs.nth(5).locator('[data-testid=body]').textContent()).toBe('brotli body');
    else expect(await msgs.nth(5).textContent()).toContain('not decoded: br (brotli) bodies are not decoded: this browser\'s DecompressionStream has no "brotli" format');
    console.log(`Chromium ${browser.version()}: DecompressionStream "brotli" ${brotli ? 'supported' : 'not supported'}`);
    await p.screenshot({ path: join(ARTIFACTS, 'follow-decoded.png') });
    expect(errors).toEqual([]);
  }, 180_000);

  it('follows a connection longer than MAX_FOLLOW_BYTES: the first 8 MiB drawn as rows, the rest said, gaps shown', async () => {
    const packets: B.PcapPacket[] = [];
    const c = new Conversation(packets);
    c.handshake(1);
    const line = 'y'.repeat(1399) + '\n';
    const segs = Math.ceil((9 << 20) / line.length); // 9 MiB from the server
    c.send('GET /big HTTP/1.1\r\nHost: h\r\n\r\n', 1.01);
    const head = `HTTP/1.1 200 OK\r\nContent-Length: ${segs * line.length}\r\n\r\n`;
    c.reply(head, 1.02);
    for (let i = 0; i < segs; i++) {
      if (i === 5) { c.s.seq += line.length; continue; } // a segment the capture lacks: a gap
      c.reply(line, 1.03 + i * 1e-5);
    }
    const file = join(mkdtempSync(join(tmpdir(), 'follow-')), 'big.pcap');
    writeFileSync(file, B.pcap(packets));
    const flow = cli(file).find((r) => r.HTTP)!.flow as string;
    const p = await page(file);
    expect((await applyFilter(p, `flow == "${flow}"`)).ok).toBe(true);
    await p.click('[data-testid=follow-open]');
    await p.waitForSelector('[data-testid=follow-notes]', { timeout: 120_000 });
    const cut = head.length + segs * line.length - (8 << 20);
    const notes = (await p.textContent('[data-testid=follow-notes]'))!;
    expect(notes).toContain(`server → client: the first 8.00 MiB (8,388,608 bytes) are kept (MAX_FOLLOW_BYTES); ${cut.toLocaleString('en-US')} bytes more are not shown`);
    expect(notes).toContain('server → client: 1,400 bytes missing in the capture (shown as gaps)');
    // The response's body has the gap (before the limit's cut): its message says where, and no body is made up.
    const resp = (await p.locator('[data-testid=http-message]').nth(1).textContent())!;
    expect(resp).toContain(`not decoded: a gap of 1400 bytes at byte ${head.length + 5 * line.length}`);
    await p.click('[data-testid=follow-text]');
    await p.waitForSelector('[data-testid=follow-text-rows] .frow');
    const rows = Number(await p.getAttribute('[data-testid=follow-text-rows]', 'data-rows'));
    expect(rows).toBeGreaterThan((8 << 20) / line.length);
    expect(await p.locator('[data-testid=follow-text-rows] .frow').count()).toBeLessThan(200);
    expect(await p.locator('[data-testid=follow-text-rows] .frow.gap').first().textContent()).toBe('[1,400 bytes missing in capture file]');
    // Scrolled to the end: the last rows are drawn, still a few.
    await p.locator('[data-testid=follow-text-rows]').evaluate((el) => { el.scrollTop = el.scrollHeight; });
    await p.waitForFunction(() => Number(document.querySelector('[data-testid=follow-text-rows] .frow:last-child')?.getAttribute('data-row')) > 5000);
    expect(await p.locator('[data-testid=follow-text-rows] .frow').count()).toBeLessThan(200);
    expect(errors).toEqual([]);
  }, 240_000);

  it('exports the packets of several files opened as one capture as pcapng, each packet as in its file', async () => {
    const context = await browser.newContext({ acceptDownloads: true });
    const p = await context.newPage();
    p.on('pageerror', (e) => errors.push(e.message));
    await p.goto(server.url);
    await p.setInputFiles('input[type=file]', [H1, H2]);
    await p.waitForFunction(() => document.body.dataset.state === 'ready' && Number(document.body.dataset.loads) > 0, null, { timeout: 60_000 });
    await p.waitForFunction(() => document.querySelector<HTMLElement>('.filterbar')?.dataset.filterState === 'ok', null, { timeout: 60_000 });
    const [d] = await Promise.all([p.waitForEvent('download', { timeout: 120_000 }), p.click('[data-testid=export-pcap]')]);
    expect(d.suggestedFilename()).toBe('h1-keepalive-mtu1500.all.pcapng');
    const file = (await d.path())!;
    expect(execFileSync('capinfos', ['-M', '-t', file], { encoding: 'utf8' })).toContain('File type:           pcapng');
    expect(packetsOf(file).sort()).toEqual([...packetsOf(H1), ...packetsOf(H2)].sort());
    expect(errors).toEqual([]);
  }, 180_000);

  it('shows an h2c connection per stream: HEADERS decoded, DATA sizes, each stream of the records', async () => {
    const recs = cli(H2);
    const h2 = recs.filter((r) => r.HTTP?.streams);
    const flow: string = h2.find((r) => Object.values(r.HTTP.streams).some((s: any) => s.frames.some((f: any) => f.kind === 'request')))!.flow;
    const ids = new Set<number>();
    for (const r of h2) if (r.flow === flow) for (const s of Object.values(r.HTTP.streams) as any[]) ids.add(Number(s.id));
    const p = await page(H2);
    expect((await applyFilter(p, `flow == "${flow}"`)).ok).toBe(true);
    await p.click('[data-testid=follow-open]');
    await p.waitForSelector('[data-testid=h2-streams]', { timeout: 60_000 });
    expect(await p.locator('[data-testid=h2-stream]').count()).toBe(ids.size);
    await p.locator('[data-testid=h2-stream]').nth(1).click();
    const headers = p.locator('[data-testid=h2-frame][data-type=HEADERS]');
    expect(await headers.count()).toBeGreaterThan(0);
    expect(await headers.first().textContent()).toContain(':method');
    // Stream 1's response body, from its DATA frames reassembled: the records' DATA bytes, equal to their sample.
    const id = Number((await p.locator('[data-testid=h2-stream]').nth(1).textContent())!.match(/stream (\d+)/)![1]);
    const frames = h2.filter((r) => r.flow === flow && Number(r.L4.src) === 28092).flatMap((r) => (r.HTTP.streams[id]?.frames ?? []) as any[]).filter((f) => f.body);
    const body = frames.map((f) => f.body.data as string).join('');
    expect(frames.reduce((n, f) => n + Number(f.body.length[0]), 0)).toBe(Buffer.byteLength(body));
    expect(await p.locator('[data-testid=h2-body][data-dir="1"] [data-testid=body]').textContent()).toBe(body);
    await p.screenshot({ path: join(ARTIFACTS, 'follow-h2-streams.png') });
    expect(errors).toEqual([]);
  }, 180_000);
});
