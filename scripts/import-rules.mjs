// The core's import rules (README "The core's rooms"), read from the code's own imports: no
// cycle anywhere in assembly/; json/ (the renderers) imports nothing of flow/, http/ or trace/
// (the analysis); the analysis writes no JSON (imports nothing of json/, where the writer is,
// holds no frag( constant) and does not reach back into record/, which calls it; and facts/,
// what the analysis hands the renderers, imports only the stateless rooms (config, wire, util).
// Prints each breach with the files and lines that make it; exits 1 when there is one.
//   node scripts/import-rules.mjs [--root DIR]
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const rootArg = args.indexOf('--root');
const root = resolve(rootArg >= 0 ? args[rootArg + 1] : join(dirname(fileURLToPath(import.meta.url)), '..', 'assembly'));

/** Every .ts file under dir, as paths relative to root. */
function files(dir) {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [relative(root, p)] : [];
  });
}

const IMPORT = /^\s*(?:import|export)\b[^'"]*?\bfrom\s+['"](\.[^'"]+)['"]/gm;
/** file → [{ to, line }] for its relative imports. */
const graph = new Map();
const sources = new Map();
for (const f of files(root).sort()) {
  const text = readFileSync(join(root, f), 'utf8');
  sources.set(f, text);
  const edges = [];
  for (const m of text.matchAll(IMPORT)) {
    let to = relative(root, resolve(root, dirname(f), m[1]));
    if (!to.endsWith('.ts')) to += '.ts';
    const line = text.slice(0, m.index).split('\n').length;
    edges.push({ to, line });
  }
  graph.set(f, edges);
}

const breaches = [];
const room = (f) => (f.includes('/') ? f.slice(0, f.indexOf('/')) : '.');

// 1. Cycles: strongly connected components of more than one file (Tarjan), each with one cycle through it.
let index = 0;
const idx = new Map(), low = new Map(), on = new Set(), stack = [];
function strong(v) {
  idx.set(v, index); low.set(v, index); index++; stack.push(v); on.add(v);
  for (const { to } of graph.get(v) ?? []) {
    if (!graph.has(to)) continue;
    if (!idx.has(to)) { strong(to); low.set(v, Math.min(low.get(v), low.get(to))); } else if (on.has(to)) low.set(v, Math.min(low.get(v), idx.get(to)));
  }
  if (low.get(v) === idx.get(v)) {
    const comp = [];
    for (let w; w !== v;) { w = stack.pop(); on.delete(w); comp.push(w); }
    if (comp.length > 1) breaches.push({ rule: 'cycle', text: `${comp.length} files import each other in a circle: ${cycleThrough(comp)}` });
  }
}
/** A shortest circle through the component's first file, as "a → b → … → a". */
function cycleThrough(comp) {
  const inComp = new Set(comp);
  const start = [...comp].sort()[0];
  const prev = new Map([[start, null]]);
  const queue = [start];
  while (queue.length) {
    const v = queue.shift();
    for (const { to } of graph.get(v)) {
      if (!inComp.has(to)) continue;
      if (to === start) {
        const path = [start];
        for (let w = v; w !== start; w = prev.get(w)) path.splice(1, 0, w);
        return [...path, start].join(' → ');
      }
      if (!prev.has(to)) { prev.set(to, v); queue.push(to); }
    }
  }
  return comp.join(', ');
}
for (const v of graph.keys()) if (!idx.has(v)) strong(v);

// 2. Renderers read facts: json/ imports nothing of the analysis rooms.
const ANALYSIS = new Set(['flow', 'http', 'trace']);
for (const [f, edges] of graph) {
  if (room(f) !== 'json') continue;
  for (const { to, line } of edges) if (ANALYSIS.has(room(to))) breaches.push({ rule: 'json-imports-analysis', text: `${f}:${line} imports ${to}` });
}

// 3. Analysis writes no JSON: no import of json/ (the writer and its frag() constants are there)
// and no frag( in its text.
for (const [f, text] of sources) {
  if (!ANALYSIS.has(room(f))) continue;
  for (const { to, line } of graph.get(f)) if (room(to) === 'json') breaches.push({ rule: 'analysis-writes-json', text: `${f}:${line} imports ${to}` });
  text.split('\n').forEach((l, i) => {
    if (/^\s*(\/\/|\*)/.test(l)) return;
    if (/\bfrag\(/.test(l)) breaches.push({ rule: 'analysis-writes-json', text: `${f}:${i + 1} frag(` });
  });
}

// 4. The analysis does not reach back into record/ (record/render.ts runs it, then the renderers).
for (const [f, edges] of graph) {
  if (!ANALYSIS.has(room(f))) continue;
  for (const { to, line } of edges) if (room(to) === 'record') breaches.push({ rule: 'analysis-imports-record', text: `${f}:${line} imports ${to}` });
}

// 6. Bytes from the wire reach a record only through the escaping writer (str, strBody: Go's
// escaping, invalid UTF-8 replaced). The writer's raw() copies text as it is, so every raw( in
// the renderers and record/ must copy text this core escaped or made itself: one of the buffers
// and pointers below. A new one is added here on purpose, with the reason it is safe.
const ESCAPED = [
  'optEscPtr', // options, escaped when set (record/options.ts)
  'SRC_TXT', 'DST_TXT', // addresses formatted by json/format.ts
  'escAt', // a body's escape, made by bodyEsc (json/http1.ts)
  'F.ARENA', 'S.topTraceBuf', // trace ids: lowercase hex made by trace/context.ts from a valid header
  'FRAG_BUF', 'HTTP_BUF', 'L7_BUF', 'TLS_BUF', 'SUFFIX_BUF', // objects rendered by json/
  'SPANS', 'OS_SPANS', 'IFNAME_ESC', 'FILENAME_ESC', 'nameEsc', // spans and names escaped by json/spans.ts
  'seqText', 'ackText', 'tmp', // numbers json/tcp.ts wrote moments ago
  'SSL30', 'TLS1X', 'SSL20', 'UNKNOWN_V', 'JA4_OUT', // constant ASCII and the JA4 text made by wire/tls.ts
];
for (const [f, text] of sources) {
  if (room(f) !== 'json' && room(f) !== 'record') continue;
  text.split('\n').forEach((l, i) => {
    if (/^\s*(\/\/|\*)/.test(l)) return;
    for (const m of l.matchAll(/\braw\(\s*([A-Za-z_][A-Za-z0-9_.]*)/g)) {
      if (/export function raw\(/.test(l)) continue;
      if (!ESCAPED.includes(m[1])) breaches.push({ rule: 'raw-wire', text: `${f}:${i + 1} raw(${m[1]}, …) copies unescaped bytes` });
    }
  });
}

// 5. Facts are plain: facts/ imports nothing but itself and the stateless rooms.
const PLAIN = new Set(['facts', 'wire', 'util', '.']);
for (const [f, edges] of graph) {
  if (room(f) !== 'facts') continue;
  for (const { to, line } of edges) if (!PLAIN.has(room(to)) || room(to) === '.' && to !== 'config.ts') breaches.push({ rule: 'facts-imports', text: `${f}:${line} imports ${to}` });
}

const by = (rule) => breaches.filter((b) => b.rule === rule);
for (const [rule, title] of [['cycle', 'import cycles'], ['json-imports-analysis', 'renderers importing analysis'], ['analysis-writes-json', 'analysis writing JSON'],
  ['analysis-imports-record', 'analysis importing record/'], ['facts-imports', 'facts importing more than config, wire, util'],
  ['raw-wire', 'unescaped copies (raw) of what may be wire bytes']]) {
  const list = by(rule);
  console.log(`${title}: ${list.length}`);
  for (const b of list) console.log(`  ${b.text}`);
}
process.exit(breaches.length > 0 ? 1 : 0);
