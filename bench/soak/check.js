#!/usr/bin/env node
// Soak checker: translates a capture made by gen.js at DEBUG and compares every record that
// its ground truth (F.truth.ndjson) names with what the README says it must show.
//
//   node bench/soak/check.js F.pcap [--threads N] [--json] [--project P] [--show N] [--pools K=N,…]
//
// Streaming: the capture is read in 1 MiB chunks, the NDJSON goes to a sink that counts lines
// (record i is packet i), hashes everything (SHA-256) and keeps only the lines the truth names;
// a line that only needs its top-level trace is searched as a string, the others are parsed.
// Every item is right, skipped (the record says the analysis gave it up, with a reason),
// wrong, or missing. The report counts them per mix and item type and per tenth of the
// connections in order of arrival, and lists the first wrong and missing ones. Exit status 1
// if anything is wrong or missing. `check(options)` is the same as a function.
import { openSync, readSync, closeSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { readLines, truthPath } from './truth.js';
import { ja4 } from './ja4.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const USAGE = 'usage: node bench/soak/check.js F.pcap [--threads N] [--json] [--project P] [--show N] [--pools K=N,…]\n  --show N  list the first N wrong and the first N missing items (default 10)\n  --pools   smaller pools for the analysis (TranslatorOptions.pools: exchanges, headBuffers, sampleBuffers, hpackTables),\n            to check that what runs out is said and nothing is wrong';

/** Item types, in report order. */
export const TYPES = ['h1.request', 'h1.response', 'h1.segment', 'h2.headers', 'h2.frame', 'h2.segment',
  'tls.client_hello', 'tls.server_hello', 'tls.segment', 'dns.answer'];

// ───────────── translating ─────────────

async function openTranslator(threads, project, pools) {
  const options = { verbosity: 'debug', project, ...(pools ? { pools } : {}) };
  if (threads > 1) {
    const { createNodeParallelTranslator } = await import(pathToFileURL(`${ROOT}dist/runtimes/node/parallel.js`).href);
    return { t: await createNodeParallelTranslator({ threads, ...options }), async: true };
  }
  const { createTranslator } = await import(pathToFileURL(`${ROOT}dist/src/index.js`).href);
  return { t: await createTranslator(readFileSync(`${ROOT}build/tracecap.wasm`), options), async: false };
}

/** Splits the NDJSON stream into records, numbered from 0; calls want(n) to know which to keep, then onLine(n, text). */
class LineSplitter {
  constructor(want, onLine) { this.n = 0; this.carry = []; this.want = want; this.onLine = onLine; this.hash = createHash('sha256'); this.bytes = 0; }
  push(view) {
    this.hash.update(view); this.bytes += view.length;
    let start = 0, nl;
    while ((nl = view.indexOf(10, start)) >= 0) {
      if (this.carry.length) {
        if (this.want(this.n)) this.onLine(this.n, Buffer.concat([...this.carry, Buffer.from(view.subarray(start, nl))]).toString('utf8'));
        this.carry = [];
      } else if (this.want(this.n)) this.onLine(this.n, Buffer.from(view.buffer, view.byteOffset + start, nl - start).toString('utf8'));
      this.n++;
      start = nl + 1;
    }
    if (start < view.length && this.want(this.n)) this.carry.push(Buffer.from(view.subarray(start)));
    else if (start < view.length) this.carry.push(Buffer.alloc(0));
  }
}

// ───────────── tallies ─────────────

class Tally {
  constructor(connections, show) { this.connections = connections; this.show = show; this.byMix = {}; this.tenths = Array.from({ length: 10 }, () => ({})); this.wrong = []; this.missing = []; this.firstOfType = {}; this.missingWhat = {}; }
  add(item, type, outcome, reason, detail) {
    const cell = (o, k) => (o[k] ||= { right: 0, skipped: {}, wrong: 0, missing: 0 });
    // What was missing, by kind (a trace, a field, a record), over every type.
    if (outcome === 'missing') this.missingWhat[detail?.what ?? '?'] = (this.missingWhat[detail?.what ?? '?'] || 0) + 1;
    const tenth = Math.min(9, Math.floor((item.c * 10) / this.connections));
    for (const t of [cell(this.byMix[item.m] ||= {}, type), cell(this.tenths[tenth], type)]) {
      if (outcome === 'skipped') t.skipped[reason] = (t.skipped[reason] || 0) + 1; else t[outcome]++;
    }
    if (outcome !== 'wrong' && outcome !== 'missing') return;
    const x = { packet: item.p, connection: item.c, mix: item.m, type, outcome, ...detail };
    const list = outcome === 'wrong' ? this.wrong : this.missing;
    if (list.length < this.show) list.push(x);
    // The first of each type and outcome too, so a rare defect is not hidden behind a frequent one.
    this.firstOfType[`${type} ${outcome}`] ||= x;
  }
}

// ───────────── comparing ─────────────

const OP_KEY = '"logging.googleapis.com/operation":';
const stringAfter = (s, key, from) => { const i = s.indexOf(key, from); if (i < 0) return null; const j = s.indexOf('"', i + key.length); return s.slice(i + key.length, j); };

/** The top-level trace of a record as [trace id, spanId or null, sampled], or null. */
function topTrace(line, project) {
  const i = line.lastIndexOf(OP_KEY);
  const end = line.indexOf('"message":', i);
  const s = line.slice(i, end < 0 ? undefined : end);
  const trace = stringAfter(s, '"logging.googleapis.com/trace":"', 0);
  if (trace === null) return null;
  return [traceId(trace, project), stringAfter(s, '"logging.googleapis.com/spanId":"', 0), s.includes('"logging.googleapis.com/trace_sampled":true')];
}

const PREFIX = (project) => `projects/${project}/traces/`;
function traceId(s, project) { return s.startsWith(PREFIX(project)) ? s.slice(PREFIX(project).length) : `(${s})`; }

/** The trace keys of an object (a frame or a parsed record) as [trace id, spanId or null, sampled], or null. */
function objTrace(o, project) {
  const t = o['logging.googleapis.com/trace'];
  if (t === undefined) return null;
  return [traceId(t, project), o['logging.googleapis.com/spanId'] ?? null, o['logging.googleapis.com/trace_sampled'] === true];
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/** Compares an expected trace with a found one: null when right, else [outcome, detail]. */
function traceDiff(want, got) {
  if (same(want, got)) return null;
  return [want && !got ? 'missing' : 'wrong', { what: 'trace', expected: want, found: got }];
}

// Header maps: every expected field exactly, or (subset) only the fields shown must match.
function headersDiff(want, got, subset) {
  got ||= {};
  for (const k of Object.keys(got)) if (!(k in want) || !same(want[k], got[k])) return { what: 'headers', field: k, expected: want[k] ?? null, found: got[k] };
  if (!subset) for (const k of Object.keys(want)) if (!(k in got)) return { what: 'headers', field: k, expected: want[k], found: null };
  return null;
}

function fieldsDiff(pairs) {
  for (const [what, want, got] of pairs) if (!same(want, got)) return { what, expected: want, found: got ?? null };
  return null;
}

const GIVE_UP = new Set(['no_buffer', 'request_reclaimed', 'pairing_lost']);

/** An HTTP/1 head item (request or response) against its record. */
function checkH1Head(item, rec, project) {
  const H = rec.HTTP;
  const kind = item.k === 'req' ? 'request' : 'response';
  if (!H || !H.kind) return ['missing', { what: `HTTP ${kind}`, expected: item.k === 'req' ? `${item.method} ${item.url}` : item.code, found: H ? Object.keys(H) : null }];
  const got = objTrace(rec, project);
  if (H.skipped && GIVE_UP.has(H.skipped)) {
    if (item.k === 'res' && (H.request || got)) return ['wrong', { what: `skipped ${H.skipped} with a request or trace`, found: { request: H.request, trace: got } }];
    return ['skipped', H.skipped];
  }
  // A head over 16 KiB says head_too_large, shows the lines the core keeps, and is otherwise right.
  if ((H.skipped ?? null) !== (item.big ? 'head_too_large' : null)) return ['wrong', { what: 'skipped', expected: item.big ? 'head_too_large' : null, found: H.skipped ?? null }];
  const d = item.k === 'req'
    ? fieldsDiff([['kind', 'request', H.kind], ['method', item.method, H.method], ['url', item.url, H.url], ['proto', item.proto, H.proto]])
    : fieldsDiff([['kind', 'response', H.kind], ['code', item.code, H.code], ['proto', item.proto, H.proto],
      ['request.method', item.rq.method, H.request?.method], ['request.url', item.rq.url, H.request?.url], ['request.skipped', item.rq.skipped, H.request?.skipped]]);
  if (d) return [d.what === 'request.url' && !H.request ? 'missing' : 'wrong', d];
  const t = traceDiff(item.tr, got);
  if (t) return t;
  const h = headersDiff(item.headers, H.headers, false);
  if (h) return ['wrong', h];
  return H.skipped ? ['skipped', H.skipped] : ['right'];
}

/** The frames of one HTTP/2 segment item; each frame is a result. */
function checkH2Frames(item, rec, project, add) {
  const streams = rec.HTTP?.streams || {};
  const seen = {};
  for (const f of item.frames) {
    const type = f.kind ? 'h2.headers' : 'h2.frame';
    const k = seen[f.s] = (seen[f.s] ?? -1) + 1;
    const o = streams[String(f.s)]?.frames?.[k];
    if (!o) { add(type, 'missing', null, { what: 'frame', expected: f.raw, found: null }); continue; }
    if (o.raw !== f.raw) { add(type, 'wrong', null, { what: 'frame', expected: f.raw, found: o.raw }); continue; }
    if (f.kind && o.skipped) { add(type, 'skipped', o.skipped); continue; }
    const t = traceDiff(f.tr, objTrace(o, project));
    if (t) { add(type, t[0], null, { ...t[1], frame: f.raw }); continue; }
    if (!f.kind) { add(type, 'right'); continue; }
    const d = fieldsDiff([['kind', f.kind, o.kind]]) || headersDiff(f.headers, o.headers, o.unknown_headers > 0);
    if (d) { add(type, 'wrong', null, { ...d, frame: f.raw }); continue; }
    add(type, o.unknown_headers > 0 ? 'skipped' : 'right', 'hpack_unknown');
  }
}

function checkHello(item, rec) {
  const key = item.k === 'ch' ? 'client_hello' : 'server_hello';
  const got = rec.TLS?.[key];
  if (!got) return ['missing', { what: key, expected: item.k === 'ch' ? item.sni : item.cipher, found: null }];
  const want = item.k === 'ch'
    ? { alpn: item.alpn.length ? item.alpn : undefined, ja4: ja4(item), sni: item.sni ?? undefined, versions: item.versions }
    : { alpn: item.alpn ? [item.alpn] : undefined, cipher: item.cipher, version: item.version };
  const d = fieldsDiff(Object.keys(want).map((k) => [`${key}.${k}`, want[k], got[k]]));
  return d ? ['wrong', d] : ['right'];
}

function checkDns(item, rec, add) {
  const answers = rec.DNS?.answers || [];
  item.answers.forEach((want, i) => {
    const got = answers[i];
    if (!got) add('dns.answer', 'missing', null, { what: `answer ${i}`, expected: want, found: null });
    else if (!same(sortKeys(want), sortKeys(got))) add('dns.answer', 'wrong', null, { what: `answer ${i} (${want.type})`, expected: want, found: got });
    else add('dns.answer', 'right');
  });
}
const sortKeys = (o) => Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));

/** Checks one record against its truth item, adding results to the tally. */
function checkItem(item, line, tally, project) {
  const add = (type, outcome, reason, detail) => tally.add(item, type, outcome, reason, detail);
  if (item.k === 'seg' && item.m !== 'h2') {
    // A released connection's payload is plain L7: no HTTP or TLS analysis.
    if (item.released) { const rec = JSON.parse(line); if (rec.HTTP || rec.TLS) return add(`${item.m}.segment`, 'wrong', null, { what: 'released connection analysed', expected: 'L7 only', found: Object.keys(rec.HTTP || rec.TLS) }); }
    const t = traceDiff(item.tr, topTrace(line, project));
    return t ? add(`${item.m}.segment`, t[0], null, t[1]) : add(`${item.m}.segment`, 'right');
  }
  const rec = JSON.parse(line);
  if (item.k === 'req' || item.k === 'res') {
    const [outcome, r] = checkH1Head(item, rec, project);
    return add(item.k === 'req' ? 'h1.request' : 'h1.response', outcome, typeof r === 'string' ? r : null, typeof r === 'object' ? r : undefined);
  }
  if (item.k === 'seg') { // HTTP/2: the frames, then the top-level trace
    if (item.frames) checkH2Frames(item, rec, project, add);
    const t = traceDiff(item.tr, objTrace(rec, project));
    return t ? add('h2.segment', t[0], null, t[1]) : add('h2.segment', 'right');
  }
  if (item.k === 'ch' || item.k === 'sh') { const [o, d] = checkHello(item, rec); return add(item.k === 'ch' ? 'tls.client_hello' : 'tls.server_hello', o, null, d); }
  if (item.k === 'dns') return checkDns(item, rec, add);
  throw new Error(`check: unknown truth item ${item.k}`);
}

// ───────────── the run ─────────────

/** Translates `pcap` and checks it against its ground truth; resolves to the report. */
export async function check({ pcap, threads = 1, project = '', show = 10, pools = null }) {
  const truth = readLines(truthPath(pcap));
  const head = truth.next().value;
  if (!head || head.soak !== 1) throw new Error(`check: ${truthPath(pcap)} is not a soak ground truth`);
  const tally = new Tally(head.connections, show);
  let next = truth.next().value;
  let trailer = null;
  const advance = () => { next = truth.next().value; if (next && next.end) { trailer = next; next = undefined; } };
  if (next && next.end) { trailer = next; next = undefined; }
  const splitter = new LineSplitter((n) => next !== undefined && next.p === n, (n, line) => { checkItem(next, line, tally, project); advance(); });
  const started = Date.now();
  const { t, async } = await openTranslator(threads, project, pools);
  t.setSink((view) => splitter.push(view));
  const fd = openSync(pcap, 'r');
  const chunk = Buffer.allocUnsafe(1 << 20);
  try {
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      if (async) await t.push(chunk.subarray(0, n)); else t.push(chunk.subarray(0, n));
    }
    if (async) await t.finish(); else t.finish();
  } finally { closeSync(fd); }
  if (t.error) throw new Error(`check: translation failed: ${t.error.message}`);
  while (next !== undefined) { tally.add(next, typeOf(next), 'missing', null, { what: 'record', expected: `record ${next.p}`, found: `${splitter.n} records` }); advance(); }
  return {
    pcap, threads, params: head, packets: trailer?.packets ?? null, records: splitter.n, outputBytes: splitter.bytes,
    sha256: splitter.hash.digest('hex'), seconds: (Date.now() - started) / 1000,
    translatorSkipped: t.skipped ?? null, recordSkipped: recordSkips(tally.byMix), mixes: tally.byMix, tenths: tally.tenths, firstWrong: tally.wrong, firstMissing: tally.missing, firstOfType: Object.values(tally.firstOfType),
    missingWhat: tally.missingWhat,
    ok: isClean(tally.byMix) && (trailer?.packets ?? splitter.n) === splitter.n,
  };
}

function typeOf(item) {
  if (item.k === 'seg') return `${item.m}.segment`;
  return { req: 'h1.request', res: 'h1.response', ch: 'tls.client_hello', sh: 'tls.server_hello', dns: 'dns.answer' }[item.k];
}

/** Skip counts the records gave, summed by reason over every mix and type. */
function recordSkips(byMix) {
  const out = {};
  for (const types of Object.values(byMix)) for (const c of Object.values(types)) for (const [k, v] of Object.entries(c.skipped)) out[k] = (out[k] || 0) + v;
  return out;
}

// The translator's skip counter of each reason a record names (src/skips.ts SKIP_KINDS; the
// checker says hpack_unknown for a header block with unknown_headers).
const SKIP_KEYS = { head_too_large: 'headTooLarge', no_buffer: 'noBuffer', buffer_reclaimed: 'bufferReclaimed', request_reclaimed: 'requestReclaimed',
  pairing_lost: 'pairingLost', no_hpack_table: 'noHpackTable', block_too_large: 'blockTooLarge', hpack_error: 'hpackError', hpack_unknown: 'hpackDesync' };

/**
 * Where Translator.skipped disagrees with the skips the records gave: [counter, translator's,
 * records'] for every counter (a counter no record names must be 0). Empty when they agree.
 */
export function skipDisagreements(r) {
  if (!r.translatorSkipped) return [['translator.skipped', null, 'absent']];
  const want = Object.fromEntries(Object.keys(r.translatorSkipped).map((k) => [k, 0]));
  for (const [reason, n] of Object.entries(r.recordSkipped)) {
    const key = SKIP_KEYS[reason] ?? `(${reason})`;
    want[key] = (want[key] || 0) + n;
  }
  return Object.entries(want).filter(([k, n]) => r.translatorSkipped[k] !== n).map(([k, n]) => [k, r.translatorSkipped[k] ?? null, n]);
}

function isClean(byMix) {
  for (const types of Object.values(byMix)) for (const c of Object.values(types)) if (c.wrong || c.missing) return false;
  return true;
}

/** Sums a count cell over the types of one mix or one tenth. */
export function total(cells) {
  const t = { right: 0, skipped: 0, wrong: 0, missing: 0 };
  for (const c of Object.values(cells)) { t.right += c.right; t.wrong += c.wrong; t.missing += c.missing; for (const v of Object.values(c.skipped)) t.skipped += v; }
  return t;
}

/** The right-rate of a count cell: right / (right + wrong + missing), skipped left out; null when empty. */
export function rightRate(c) { const n = c.right + c.wrong + c.missing; return n ? c.right / n : null; }

/** The report as text. */
export function formatReport(r) {
  const out = [];
  const skipped = (s) => Object.entries(s).map(([k, v]) => `${k}:${v}`).join(',') || '0';
  out.push(`${r.pcap}: ${r.records} records (${r.packets} packets), ${(r.outputBytes / 1e6).toFixed(1)} MB NDJSON, ${r.threads} thread(s), ${r.seconds.toFixed(1)} s`);
  out.push(`sha256 ${r.sha256}`);
  if (r.translatorSkipped) out.push(`translator skipped: ${Object.entries(r.translatorSkipped).filter(([, v]) => v).map(([k, v]) => `${k}:${v}`).join(',') || 'nothing'}`);
  out.push(`records skipped:    ${Object.entries(r.recordSkipped).map(([k, v]) => `${k}:${v}`).join(',') || 'nothing'}`);
  const sd = skipDisagreements(r);
  if (sd.length) out.push(`skip counts disagree: ${sd.map(([k, a, b]) => `${k} translator ${a}, records ${b}`).join('; ')}`);
  out.push('', `${'mix/type'.padEnd(22)}${'right'.padStart(10)}${'wrong'.padStart(9)}${'missing'.padStart(9)}  skipped`);
  for (const [mix, types] of Object.entries(r.mixes)) {
    for (const type of TYPES) {
      const c = types[type];
      if (c) out.push(`${`${mix} ${type}`.padEnd(22)}${String(c.right).padStart(10)}${String(c.wrong).padStart(9)}${String(c.missing).padStart(9)}  ${skipped(c.skipped)}`);
    }
  }
  out.push('', 'right-rate by tenth of the connections (in order of arrival), % (wrong+missing):');
  out.push(`${'type'.padEnd(18)}${Array.from({ length: 10 }, (_, i) => `#${i + 1}`.padStart(13)).join('')}`);
  for (const type of TYPES) {
    if (!r.tenths.some((t) => t[type])) continue;
    out.push(`${type.padEnd(18)}${r.tenths.map((t) => {
      const c = t[type]; if (!c) return '-'.padStart(13);
      const rate = rightRate(c);
      return `${rate === null ? '-' : (rate * 100).toFixed(1)}(${c.wrong + c.missing})`.padStart(13);
    }).join('')}`);
  }
  for (const [title, list] of [['first wrong', r.firstWrong], ['first missing', r.firstMissing], ['first of each type', r.firstOfType]]) {
    if (!list.length) continue;
    out.push('', `${title}:`);
    for (const x of list) out.push(`  packet ${x.packet} connection ${x.connection} (${x.mix}) ${x.type} ${x.outcome}: ${x.what}${x.field ? ` ${x.field}` : ''}${x.frame ? ` [${x.frame}]` : ''}: expected ${short(x.expected)}, found ${short(x.found)}`);
  }
  out.push('', r.ok ? 'OK: nothing wrong or missing' : 'FAIL: wrong or missing items');
  return out.join('\n');
}
const short = (v) => { const s = JSON.stringify(v) ?? 'undefined'; return s.length > 160 ? `${s.slice(0, 157)}...` : s; };

function parseArgs(argv) {
  const o = { threads: 1, json: false, project: '' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') return null;
    if (a === '--json') o.json = true;
    else if (a === '--threads') o.threads = Number(argv[++i]);
    else if (a === '--project') o.project = argv[++i] ?? '';
    else if (a === '--show') o.show = Number(argv[++i]);
    else if (a === '--pools') o.pools = Object.fromEntries((argv[++i] ?? '').split(',').map((kv) => { const [k, v] = kv.split('='); return [k, Number(v)]; }));
    else if (a.startsWith('-')) throw new Error(`unknown option ${a}`);
    else o.pcap = a;
  }
  if (!o.pcap) throw new Error('a capture is required');
  return o;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  let o;
  try { o = parseArgs(process.argv.slice(2)); } catch (e) { console.error(`check: ${e.message}\n${USAGE}`); process.exit(2); }
  if (!o) { console.log(USAGE); process.exit(0); }
  const r = await check(o);
  console.log(o.json ? JSON.stringify(r, null, 1) : formatReport(r));
  process.exit(r.ok ? 0 : 1);
}
