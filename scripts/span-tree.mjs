#!/usr/bin/env node
// Prints OTLP/JSON span files (one TracesData per line: `tracecap --format otlp`, the OpenTelemetry
// file exporter's format) as span trees, the way a tracing backend shows a trace:
//   node scripts/span-tree.mjs [FILE|-]...        (no FILE, or -: standard input)
// Spans are grouped by traceId; traces in order of their first span's start, each a tree by
// parentSpanId, children by start time (then span id). A line per span: the name, the kind, the
// service.name of the span's resource, its start after the trace's first span and its duration
// (ms), then url.full, http.response.status_code and an ERROR status where the span has them.
// A span whose parent is not in the input is a root, marked "(parent … not in the input)".
// Plain text, the same bytes for the same input. A bad line stops the reading: the traces read
// before it are printed, then "span-tree: FILE:LINE: what" on standard error, exit status 1.
// All spans are held in memory until the end (a tree needs all of its trace): meant for files of a
// few traces, as the README's, not for a large capture's spans.
import { readFileSync } from 'node:fs';

const KINDS = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER']; // trace.proto SpanKind
// OTLP/JSON ids are lowercase hex (OTLP spec, "JSON Protobuf Encoding"), of these many digits.
const ID_DIGITS = { traceId: 32, spanId: 16, parentSpanId: 16 };

class BadLine extends Error {}

/** The string, int or bool value of an OTLP attribute list's key, or undefined. */
function attr(list, key) {
  const v = (list ?? []).find((a) => a?.key === key)?.value;
  return v === undefined ? undefined : v.stringValue ?? v.intValue ?? v.boolValue ?? v.doubleValue;
}

/** One line's spans, each with its resource's service.name; BadLine when the line is not a TracesData of spans. */
function spansOf(text) {
  let data;
  try { data = JSON.parse(text); } catch (e) { throw new BadLine(`not JSON (${e.message})`); }
  if (!Array.isArray(data?.resourceSpans)) throw new BadLine('not an OTLP/JSON TracesData: no resourceSpans array');
  const out = [];
  data.resourceSpans.forEach((rs, r) => {
    const service = attr(rs?.resource?.attributes, 'service.name') ?? '(no service.name)';
    if (!Array.isArray(rs?.scopeSpans)) throw new BadLine(`resourceSpans[${r}]: no scopeSpans array`);
    rs.scopeSpans.forEach((ss, s) => {
      if (!Array.isArray(ss?.spans)) throw new BadLine(`resourceSpans[${r}].scopeSpans[${s}]: no spans array`);
      ss.spans.forEach((span, i) => {
        const where = `resourceSpans[${r}].scopeSpans[${s}].spans[${i}]`;
        for (const [k, n] of Object.entries(ID_DIGITS)) {
          const optional = k === 'parentSpanId' && (span?.[k] === undefined || span[k] === ''); // a root span
          if (!optional && (typeof span?.[k] !== 'string' || !new RegExp(`^[0-9a-f]{${n}}$`).test(span[k]))) {
            throw new BadLine(`${where}: ${k} ${JSON.stringify(span?.[k])} is not ${n} lowercase hex digits`);
          }
        }
        for (const k of ['startTimeUnixNano', 'endTimeUnixNano']) {
          if (typeof span[k] !== 'string' || !/^\d+$/.test(span[k])) throw new BadLine(`${where}: ${k} ${JSON.stringify(span[k])} is not a decimal string`);
        }
        if (BigInt(span.endTimeUnixNano) < BigInt(span.startTimeUnixNano)) throw new BadLine(`${where}: ends before it starts`);
        out.push({ ...span, parentSpanId: span.parentSpanId || undefined, service, start: BigInt(span.startTimeUnixNano), end: BigInt(span.endTimeUnixNano) });
      });
    });
  });
  return out;
}

/** Spans from the named inputs; on a bad line, those before it and the error's "where: what". */
function read(names) {
  const spans = [];
  for (const name of names) {
    const label = name === '-' ? 'stdin' : name;
    let text;
    try { text = readFileSync(name === '-' ? 0 : name, 'utf8'); } catch (e) { return { spans, error: `${label}: ${e.code === 'ENOENT' ? 'no such file' : e.message}` }; }
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      if (lines[i].trim() === '') continue;
      try { spans.push(...spansOf(lines[i])); } catch (e) {
        if (e instanceof BadLine) return { spans, error: `${label}:${i + 1}: ${e.message}` };
        throw e;
      }
    }
  }
  return { spans, error: undefined };
}

const ms = (ns) => (Number(ns) / 1e6).toFixed(3);
const byStart = (a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : a.spanId < b.spanId ? -1 : a.spanId > b.spanId ? 1 : 0);

/** The trees of `spans` as text lines. */
function render(spans) {
  const traces = new Map();
  for (const s of spans) (traces.get(s.traceId) ?? traces.set(s.traceId, []).get(s.traceId)).push(s);
  const ordered = [...traces.values()].map((t) => t.sort(byStart)).sort((a, b) => byStart(a[0], b[0]));
  const out = [];
  for (const trace of ordered) {
    const ids = new Set(trace.map((s) => s.spanId));
    const children = new Map();
    const roots = [];
    for (const s of trace) {
      if (s.parentSpanId !== undefined && ids.has(s.parentSpanId) && s.parentSpanId !== s.spanId) {
        (children.get(s.parentSpanId) ?? children.set(s.parentSpanId, []).get(s.parentSpanId)).push(s);
      } else roots.push(s);
    }
    const t0 = trace[0].start;
    const end = trace.reduce((m, s) => (s.end > m ? s.end : m), t0);
    const services = new Set(trace.map((s) => s.service));
    out.push(`trace ${trace[0].traceId}: ${trace.length} spans, ${services.size} services, ${ms(end - t0)} ms`);
    const rows = [];
    const seen = new Set();
    const walk = (s, prefix, last, root) => {
      if (seen.has(s.spanId)) return; // a span id twice in one trace: shown once
      seen.add(s.spanId);
      const lead = prefix + (last ? '└─ ' : '├─ ');
      const orphan = root && s.parentSpanId !== undefined ? ` (parent ${s.parentSpanId} not in the input)` : '';
      const url = attr(s.attributes, 'url.full');
      const code = attr(s.attributes, 'http.response.status_code');
      const error = s.status?.code === 2 ? `ERROR${s.status.message ? ` ${s.status.message}` : ''}` : undefined;
      rows.push([lead + s.name + orphan, KINDS[s.kind] ?? String(s.kind), s.service, `+${ms(s.start - t0)}`, `${ms(s.end - s.start)} ms`,
        [url, code, error].filter((x) => x !== undefined).join(' ')]);
      const kids = (children.get(s.spanId) ?? []).sort(byStart);
      kids.forEach((k, i) => walk(k, prefix + (last ? '   ' : '│  '), i === kids.length - 1, false));
    };
    roots.forEach((r, i) => walk(r, '', i === roots.length - 1, true));
    const width = (c) => Math.max(...rows.map((r) => [...r[c]].length));
    const w = [0, 1, 2, 3, 4].map(width);
    const pad = (s, n) => s + ' '.repeat(n - [...s].length);
    for (const r of rows) {
      out.push([pad(r[0], w[0]), pad(r[1], w[1]), pad(r[2], w[2]), r[3].padStart(w[3]), r[4].padStart(w[4]), r[5]].join('  ').trimEnd());
    }
  }
  return out;
}

const names = process.argv.slice(2);
const { spans, error } = read(names.length === 0 ? ['-'] : names);
const lines = render(spans);
if (lines.length > 0) process.stdout.write(lines.join('\n') + '\n');
if (error !== undefined) {
  process.stderr.write(`span-tree: ${error}\n`);
  process.exitCode = 1;
}
