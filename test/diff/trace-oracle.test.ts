// Trace-correlation oracle: tracecap's DEBUG trace keys checked against what tshark says about
// every HTTP message of every capture in ../shared/corpus/http/ and test/captures/ (whatever is
// there when the suite starts).
//
// HTTP/1.x. tshark (two-pass, PDML) gives every request and response with its header lines; the
// expected trace of a request is computed here from its `traceparent` / `X-Cloud-Trace-Context`
// headers (oracle-trace.ts, independent of tracecap). The record of the frame whose segment
// completes the message head (oracle-tshark.ts derives it from tshark's reassembly data) must have
//   requests:  HTTP.kind "request", HTTP.method/url as tshark, and exactly the request's trace keys
//              at top level (or none);
//   responses: HTTP.kind "response", HTTP.code as tshark, HTTP.request.method/url of the request it
//              answers (url = <Host><request-URI>), and exactly that request's trace keys (or none).
// Several messages completing their head in one segment (pipelining): only the first is rendered,
// so only the first is compared; the others are counted. Responses are paired with requests in
// order per connection, resynchronising on tshark's http.request_in only after bytes tshark could
// not attribute (tshark 4.0's request_in is wrong for pipelining; see oracle-tshark.ts). Heads of
// messages that never complete in the capture (reset or cut mid-body) come from a second tshark
// pass with http.desegment_body off.
//
// The trace rules (oracle-trace.ts) take a 32-hex-digit X-Cloud-Trace-Context trace id, as the
// recorder's manifest does; the manifest's ground truth is checked against the rules below.
//
// HTTP/2 (h2c, prior knowledge or Upgrade). tshark decodes HPACK statefully. For each HEADERS
// frame with :method the request's trace is computed from its headers; a HEADERS frame with
// :status must carry exactly the trace of the request on the same stream of the same connection
// (stream 1 after an h2c Upgrade: the HTTP/1.1 request that asked for it). The frame object in
// HTTP.streams[<id>].frames of that packet's record (raw "HEADERS …", kind request/response) must
// carry exactly those keys. Header blocks tshark cannot fully decode (capture cut mid-connection:
// `<unknown>` entries) are skipped unless the known part decides the trace (a valid traceparent).
//
// Determinism: the same capture pushed in 1500-byte chunks gives the same trace assignments.
//
// Run: npm run build:wasm && npx vitest run test/diff/trace-oracle.test.ts
// (TRACE_ORACLE_ALL=1 prints every mismatch; TRACE_ORACLE_WASM=<file> checks another build.)

import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTranslator } from '../../src/index.js';
import { HAS_TSHARK, REPO, coreModule, filesUnder, lines } from './support.js';
import {
  K_SAMPLED, K_SPAN, K_TRACE, type Trace, expectedKeys, gotKeys, parseTraceparent, parseXctc, sameKeys, showKeys, traceOf,
} from './oracle-trace.js';
import {
  type H1Message, type ManifestEntry, decodeArgs, frameTable, h1Messages, h2HeadersFrames, h2Ports, pairH1, pdml, trailingHeads,
} from './oracle-tshark.js';

const PROJECT = 'p';
const CORPUS = join(REPO, '../shared/corpus/http');
const CAPTURES = join(REPO, 'test/captures');
const MANIFEST = join(CAPTURES, 'manifest.json');

const FILES = [
  ...(existsSync(CORPUS) ? filesUnder(CORPUS, ['.pcap', '.pcapng']) : []),
  ...(existsSync(CAPTURES) ? filesUnder(CAPTURES, ['.pcap', '.pcapng']) : []),
];

function manifestEntry(file: string): ManifestEntry | undefined {
  if (!file.startsWith(CAPTURES) || !existsSync(MANIFEST)) return undefined;
  try {
    const m = JSON.parse(readFileSync(MANIFEST, 'utf8')) as { captures?: Record<string, ManifestEntry> };
    return m.captures?.[basename(file)];
  } catch {
    return undefined; // being rewritten by its author: the preface detection still works
  }
}

/* eslint-disable @typescript-eslint/no-explicit-any */
type Rec = any;

// TRACE_ORACLE_WASM=<path> runs the oracle against another build of the core (default build/tracecap.wasm);
// TRACE_ORACLE_ALL=1 prints every mismatch, not only the first 20.
let altCore: Promise<WebAssembly.Module> | undefined;
const core = () => process.env.TRACE_ORACLE_WASM
  ? (altCore ??= WebAssembly.compile(readFileSync(process.env.TRACE_ORACLE_WASM)))
  : coreModule();

async function translateRecords(data: Uint8Array, chunk?: number): Promise<{ recs: Rec[]; error: string | null }> {
  const t = await createTranslator(await core(), { verbosity: 'debug', project: PROJECT });
  const parts: Uint8Array[] = [];
  if (!chunk) parts.push(t.push(data));
  else for (let off = 0; off < data.length; off += chunk) parts.push(t.push(data.subarray(off, Math.min(off + chunk, data.length))));
  parts.push(t.finish());
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let n = 0;
  for (const p of parts) { bytes.set(p, n); n += p.length; }
  const e = t.error;
  return { recs: lines(bytes).map((l) => JSON.parse(l) as Rec), error: e ? `${e.reason} at ${e.offset}` : null };
}

const short = (v: unknown) => {
  const s = JSON.stringify(v);
  return s === undefined ? 'undefined' : s.length > 160 ? `${s.slice(0, 160)}…` : s;
};

interface FileStats {
  h1Requests: number; h1Responses: number; h1Traced: number; incompleteHeads: number; multiFrames: number; multiSkipped: number;
  uncertain: number; tsharkPairingDisagreements: number; tsharkSkippedFrames: number;
  h2Requests: number; h2Responses: number; h2Traced: number; h2Undecodable: number; h2Trailers: number;
  mismatches: number;
}
const TOTAL: FileStats = {
  h1Requests: 0, h1Responses: 0, h1Traced: 0, incompleteHeads: 0, multiFrames: 0, multiSkipped: 0, uncertain: 0, tsharkPairingDisagreements: 0,
  tsharkSkippedFrames: 0, h2Requests: 0, h2Responses: 0, h2Traced: 0, h2Undecodable: 0, h2Trailers: 0, mismatches: 0,
};

/** Whether an HTTP/1.1 request asks for an h2c upgrade. */
const asksH2c = (m: H1Message) =>
  m.headers.some(([n, v]) => n.toLowerCase() === 'upgrade' && v.split(',').some((t) => t.trim().toLowerCase() === 'h2c'));

async function oracle(file: string): Promise<{ stats: FileStats; mismatches: string[]; notes: string[] }> {
  const name = basename(file);
  const data = new Uint8Array(readFileSync(file));
  const ports = await h2Ports(file, manifestEntry(file));
  const decode = decodeArgs(ports);
  const [frames, packets, packetsB, out] = await Promise.all([
    frameTable(file, decode),
    pdml(file, decode, 'http.request || http.response || http2.type == 1'),
    pdml(file, [...decode, '-o', 'http.desegment_body:FALSE'], 'http.request || http.response'),
    translateRecords(data),
  ]);
  const recs = out.recs;
  const stats: FileStats = {
    h1Requests: 0, h1Responses: 0, h1Traced: 0, incompleteHeads: 0, multiFrames: 0, multiSkipped: 0, uncertain: 0, tsharkPairingDisagreements: 0,
    tsharkSkippedFrames: 0, h2Requests: 0, h2Responses: 0, h2Traced: 0, h2Undecodable: 0, h2Trailers: 0, mismatches: 0,
  };
  const mismatches: string[] = [];
  const notes: string[] = [];
  if (ports.length) notes.push(`h2c decoded on tcp port(s) ${ports.join(', ')}`);
  if (out.error) notes.push(`capture error: ${out.error}`);
  const miss = (frame: number, where: string, what: string, expected: string, got: string) =>
    mismatches.push(`${name} frame ${frame}${where}: ${what}: expected ${expected}, got ${got}`);

  // ─── HTTP/1.x ───
  const complete = h1Messages(packets, frames);
  const trailing = trailingHeads(complete, h1Messages(packetsB, frames));
  stats.incompleteHeads = trailing.length;
  const msgs = [...complete, ...trailing];
  const pairing = pairH1(msgs, frames);
  stats.tsharkPairingDisagreements = pairing.tsharkDisagrees.length;
  stats.tsharkSkippedFrames = pairing.skippedFrames.length;
  const traceOfReq = new Map<H1Message, Trace | null>();
  for (const m of msgs) if (m.kind === 'request') traceOfReq.set(m, traceOf(m.headers));
  // h2c Upgrade: the request that asked for it is stream 1 of the connection (RFC 7540 §3.2).
  const upgradeTrace = new Map<number, Trace | null>();
  for (const [resp, req] of pairing.request) {
    if (resp.code === 101 && req && asksH2c(req)) upgradeTrace.set(req.stream, traceOfReq.get(req) ?? null);
  }

  const multi: string[] = [];
  const groups = new Map<number, H1Message[]>();
  for (const m of msgs) {
    if (!groups.has(m.headFrame)) groups.set(m.headFrame, []);
    groups.get(m.headFrame)!.push(m);
  }
  for (const [headFrame, group] of [...groups].sort((a, b) => a[0] - b[0])) {
    group.sort((a, b) => a.startSeq - b.startSeq || a.reportFrame - b.reportFrame || a.indexInFrame - b.indexInFrame);
    if (group.length > 1) {
      stats.multiFrames++;
      stats.multiSkipped += group.length - 1;
      multi.push(`${headFrame}×${group.length}`);
    }
    const m = group[0]!;
    const rec = recs[headFrame - 1];
    const where = m.incomplete ? ' (message incomplete in the capture)'
      : m.reportFrame !== headFrame ? ` (tshark reports it in ${m.reportFrame})` : '';
    if (!rec) { miss(headFrame, where, `${m.kind}`, 'a record', 'none'); continue; }
    const http = rec.HTTP ?? {};
    if (m.kind === 'request') {
      stats.h1Requests++;
      const t = traceOfReq.get(m) ?? null;
      if (t) stats.h1Traced++;
      const label = `request ${m.method} ${m.uri}`;
      if (http.kind !== 'request') miss(headFrame, where, label, 'HTTP.kind "request"', `HTTP.kind ${short(http.kind)}`);
      if (http.method !== m.method) miss(headFrame, where, label, `HTTP.method ${short(m.method)}`, short(http.method));
      if (http.url !== m.uri) miss(headFrame, where, label, `HTTP.url ${short(m.uri)}`, short(http.url));
      const exp = expectedKeys(t, PROJECT);
      const got = gotKeys(rec);
      if (!sameKeys(exp, got)) miss(headFrame, where, `${label} trace`, showKeys(exp), showKeys(got));
    } else {
      stats.h1Responses++;
      const label = `response ${m.code}`;
      if (http.kind !== 'response') miss(headFrame, where, label, 'HTTP.kind "response"', `HTTP.kind ${short(http.kind)}`);
      if (http.code !== m.code) miss(headFrame, where, label, `HTTP.code ${m.code}`, short(http.code));
      if (pairing.uncertain.has(m)) { stats.uncertain++; continue; }
      const req = pairing.request.get(m);
      const t = req ? (traceOfReq.get(req) ?? null) : null;
      if (t) stats.h1Traced++;
      const lbl = req ? `${label} to ${req.method} ${req.uri} (frame ${req.reportFrame})` : `${label} (no request in the capture)`;
      if (req) {
        const url = req.uri?.startsWith('/') && req.host !== undefined ? `${req.host}${req.uri}` : req.uri;
        const r = http.request ?? {};
        if (r.method !== req.method || r.url !== url) {
          miss(headFrame, where, lbl, `HTTP.request.method/url ${short(req.method)} ${short(url)}`,
            http.request === undefined ? 'no HTTP.request' : `${short(r.method)} ${short(r.url)}`);
        }
      } else if (http.request !== undefined) {
        miss(headFrame, where, lbl, 'no HTTP.request', short(http.request));
      }
      const exp = expectedKeys(t, PROJECT);
      const got = gotKeys(rec);
      if (!sameKeys(exp, got)) miss(headFrame, where, `${lbl} trace`, showKeys(exp), showKeys(got));
    }
  }
  if (multi.length) notes.push(`segments completing several HTTP/1 heads (frame×heads, only the first compared): ${multi.join(', ')}`);
  for (const d of pairing.tsharkDisagrees.slice(0, 3)) {
    notes.push(`tshark pairs the response in frame ${d.response.reportFrame} with frame ${d.tsharkFrame} (${d.response.responseForUri ?? '?'}); in order it answers ${d.ours ? `${d.ours.method} ${d.ours.uri} (frame ${d.ours.reportFrame})` : 'nothing'}`);
  }

  // ─── HTTP/2 ───
  const h2req = new Map<string, Trace | null | 'unknown'>();
  const kindIndex = new Map<string, number>();
  for (const h of h2HeadersFrames(packets, frames)) {
    const unknown = h.headers.some(([n, v]) => n === '<unknown>' || v === '<unknown>');
    const names = new Set(h.headers.map(([n]) => n));
    const kind = names.has(':method') ? 'request' : names.has(':status') ? 'response' : unknown ? undefined : 'trailers';
    if (kind === undefined) { stats.h2Undecodable++; continue; }
    if (kind === 'trailers') { stats.h2Trailers++; continue; }
    const key = `${h.tcpStream}/${h.id}`;
    const ik = `${h.frame}/${h.id}/${kind}`;
    const j = kindIndex.get(ik) ?? 0;
    kindIndex.set(ik, j + 1);
    let t: Trace | null;
    if (kind === 'request') {
      const known = h.headers.filter(([n, v]) => n !== '<unknown>' && v !== '<unknown>');
      const decided = !unknown || known.some(([n, v]) => n === 'traceparent' && parseTraceparent(v));
      if (!decided) { h2req.set(key, 'unknown'); stats.h2Undecodable++; continue; }
      t = traceOf(known);
      h2req.set(key, t);
      stats.h2Requests++;
    } else {
      const r = h2req.get(key);
      if (r === 'unknown') { stats.h2Undecodable++; continue; }
      t = r !== undefined ? r : h.id === 1 && upgradeTrace.has(h.tcpStream) ? upgradeTrace.get(h.tcpStream)! : null;
      stats.h2Responses++;
    }
    if (t) stats.h2Traced++;
    const where = ` stream ${h.id}`;
    const rec = recs[h.frame - 1];
    if (!rec) { miss(h.frame, where, `HEADERS ${kind}`, 'a record', 'none'); continue; }
    const top = gotKeys(rec);
    if (Object.keys(top).length) miss(h.frame, where, `HEADERS ${kind}`, 'no top-level trace keys on an h2 record', showKeys(top));
    const sframes: Rec[] = rec.HTTP?.streams?.[String(h.id)]?.frames ?? [];
    const candidates = sframes.filter((f) => typeof f?.raw === 'string' && f.raw.startsWith('HEADERS') && f.kind === kind);
    const fo = candidates[j];
    if (!fo) {
      miss(h.frame, where, `HEADERS ${kind}`, `a HEADERS frame object with kind "${kind}" in HTTP.streams["${h.id}"]`,
        rec.HTTP?.streams ? short(Object.fromEntries(Object.entries(rec.HTTP.streams as Record<string, Rec>)
          .map(([id, s]) => [id, (s.frames ?? []).map((f: Rec) => `${f.raw}${f.kind ? ` kind=${f.kind}` : ''}`)]))) : `HTTP ${short(rec.HTTP)}`);
      continue;
    }
    const exp = expectedKeys(t, PROJECT);
    const got = gotKeys(fo);
    if (!sameKeys(exp, got)) miss(h.frame, where, `HEADERS ${kind} trace`, showKeys(exp), showKeys(got));
  }
  stats.mismatches = mismatches.length;
  return { stats, mismatches, notes };
}

/** Per record: its top-level trace keys and those of every h2 frame object, as one comparable list. */
function traceAssignments(recs: Rec[]): string[] {
  return recs.map((r, i) => {
    const parts = [`#${i + 1} top ${showKeys(gotKeys(r))}`];
    const streams = r.HTTP?.streams as Record<string, Rec> | undefined;
    if (streams) {
      for (const id of Object.keys(streams)) {
        (streams[id].frames ?? []).forEach((f: Rec, k: number) => parts.push(`s${id}[${k}] ${showKeys(gotKeys(f))}`));
      }
    }
    return parts.join(' | ');
  });
}

describe('trace oracle: the rules themselves', () => {
  it('parses traceparent and X-Cloud-Trace-Context as specified', () => {
    expect(parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'))
      .toEqual({ trace: '4bf92f3577b34da6a3ce929d0e0e4736', span: '00f067aa0ba902b7', sampled: true });
    expect(parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-02')?.sampled).toBe(false);
    for (const bad of ['garbage', '00-00000000000000000000000000000000-00f067aa0ba902b7-01',
      '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01', 'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7', '00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01']) {
      expect(parseTraceparent(bad)).toBeNull();
    }
    expect(parseXctc('105445aa7843bc8bf206b12000100000/1;o=1'))
      .toEqual({ trace: '105445aa7843bc8bf206b12000100000', span: '0000000000000001', sampled: true });
    expect(parseXctc('105445AA7843bc8bf206b12000100000/6602283655089881111;o=0'))
      .toEqual({ trace: '105445aa7843bc8bf206b12000100000', span: '5ba0060100000017', sampled: false });
    expect(parseXctc('105445aa7843bc8bf206b12000100000')).toEqual({ trace: '105445aa7843bc8bf206b12000100000', span: undefined, sampled: false });
    for (const bad of ['/1', 'a1b2c3d400000006000100000000002/12;o=1', '105445aa7843bc8bf206b12000100000/x;o=1']) expect(parseXctc(bad)).toBeNull();
    // traceparent wins; an invalid value never cancels a valid one.
    const xctc: [string, string] = ['X-Cloud-Trace-Context', '105445aa7843bc8bf206b12000100000/1;o=1'];
    const tp: [string, string] = ['traceparent', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00'];
    expect(traceOf([xctc, tp])?.trace).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(traceOf([xctc, ['Traceparent', 'garbage']])?.trace).toBe('105445aa7843bc8bf206b12000100000');
    expect(traceOf([['x-cloud-trace-context', '/1'], tp])?.trace).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(traceOf([['x-cloud-trace-context', '/1']])).toBeNull();
    expect(expectedKeys(traceOf([['X-CLOUD-TRACE-CONTEXT', '105445aa7843bc8bf206b12000100000;o=3']]), 'p'))
      .toEqual({ [K_TRACE]: 'projects/p/traces/105445aa7843bc8bf206b12000100000', [K_SAMPLED]: true });
    expect(K_SPAN in expectedKeys(traceOf([tp]), 'p')).toBe(true);
  });

  it('agrees with the recorder\'s ground truth (test/captures/manifest.json) on every exchange', () => {
    if (!existsSync(MANIFEST)) return;
    type Ex = { traceHeaders: [string, string][]; trace: { header: string; traceId: string; spanIdHex: string; sampled: boolean }[] };
    let m: { captures: Record<string, { exchanges: Ex[] }> };
    try { m = JSON.parse(readFileSync(MANIFEST, 'utf8')); } catch { return; }
    let n = 0;
    for (const [cap, entry] of Object.entries(m.captures ?? {})) {
      for (const [i, ex] of (entry.exchanges ?? []).entries()) {
        const want = ex.trace.find((t) => t.header === 'traceparent') ?? ex.trace.find((t) => t.header === 'x-cloud-trace-context');
        const got = traceOf(ex.traceHeaders);
        expect(got && { trace: got.trace, span: got.span, sampled: got.sampled }, `${cap} exchange ${i}`)
          .toEqual(want ? { trace: want.traceId, span: want.spanIdHex, sampled: want.sampled } : null);
        n++;
      }
    }
    expect(n).toBeGreaterThan(0);
  });
});

describe.skipIf(!HAS_TSHARK)('trace oracle: tracecap against tshark', () => {
  for (const file of FILES) {
    const name = basename(file);
    it(`${name}: every HTTP message tshark sees carries exactly its request's trace`, async () => {
      const { stats, mismatches, notes } = await oracle(file);
      for (const k of Object.keys(TOTAL) as (keyof FileStats)[]) TOTAL[k] += stats[k];
      console.log([
        `[trace-oracle] ${name}: HTTP/1.x ${stats.h1Requests} requests + ${stats.h1Responses} responses checked (${stats.h1Traced} traced; ${stats.incompleteHeads} heads of messages incomplete in the capture)`,
        `${stats.multiFrames} frames completing several heads (${stats.multiSkipped} later messages not compared)`,
        `${stats.uncertain} responses of unknown request, tshark pairing disagrees ${stats.tsharkPairingDisagreements}×, ${stats.tsharkSkippedFrames} payload frames tshark left undissected;`,
        `HTTP/2 ${stats.h2Requests} requests + ${stats.h2Responses} responses checked (${stats.h2Traced} traced), ${stats.h2Undecodable} header blocks tshark could not decode, ${stats.h2Trailers} trailers;`,
        `${stats.mismatches} mismatches`,
        ...notes.map((n) => `\n    note: ${n}`),
      ].join(' '));
      if (process.env.TRACE_ORACLE_ALL) console.log(mismatches.map((m) => `  ${m}`).join('\n'));
      expect(mismatches.slice(0, 20), `${mismatches.length} mismatches in ${name} (first 20)`).toEqual([]);
    });
    it(`${name}: same trace assignments in 1500-byte chunks`, async () => {
      const data = new Uint8Array(readFileSync(file));
      const whole = traceAssignments((await translateRecords(data)).recs);
      const chunked = traceAssignments((await translateRecords(data, 1500)).recs);
      const diffs: string[] = [];
      for (let i = 0; i < Math.max(whole.length, chunked.length); i++) {
        if (whole[i] !== chunked[i]) diffs.push(`whole: ${whole[i] ?? '(no record)'}\n  1500: ${chunked[i] ?? '(no record)'}`);
      }
      expect(diffs.slice(0, 20), `${diffs.length} records differ in ${name} (first 20)`).toEqual([]);
    });
  }

  it('checked a meaningful number of messages (not a vacuous pass)', () => {
    console.log(`[trace-oracle] total: ${JSON.stringify(TOTAL)}`);
    expect(TOTAL.h1Requests).toBeGreaterThan(0);
    expect(TOTAL.h1Responses).toBeGreaterThan(0);
    expect(TOTAL.h1Traced).toBeGreaterThan(0);
    expect(TOTAL.h2Requests + TOTAL.h2Responses).toBeGreaterThan(0);
    expect(TOTAL.h2Traced).toBeGreaterThan(0);
  });
});
