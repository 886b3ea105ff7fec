// The README's span tree (issue 24: "a trace from a capture as a span tree next to the
// application's own spans") is what scripts/span-tree.mjs prints for tracecap's spans of
// examples/traced-app.pcap and the spans the recorded application wrote itself
// (scripts/traffic/record-traced.sh): tracecap's spans sit under the application's CLIENT spans,
// one per HTTP request tshark finds, in the application's trace; and span-tree's own rules
// (tree by parentSpanId, children by start, orphans, bad lines) on small inputs made here.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tsharkH1 } from '../runtimes/browser/app/corpus.js';

type Rec = Record<string, any>;
const ROOT = join(import.meta.dirname, '..', '..');
const SCRIPT = join(ROOT, 'scripts', 'span-tree.mjs');
const PCAP = join(ROOT, 'examples', 'traced-app.pcap');
const APP = join(ROOT, 'examples', 'traced-app.spans.jsonl');

function run(cmd: string, args: string[], input?: string): { out: string; err: string; code: number | null } {
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', input, maxBuffer: 64 << 20 });
  return { out: r.stdout, err: r.stderr, code: r.status };
}
const spanTree = (args: string[], input?: string) => run(process.execPath, [SCRIPT, ...args], input);
/** Each line's spans with their resource's service.name. */
const spansOf = (text: string): Rec[] => text.split('\n').filter((l) => l !== '').flatMap((l) => JSON.parse(l).resourceSpans.flatMap((rs: Rec) =>
  rs.scopeSpans.flatMap((ss: Rec) => ss.spans.map((s: Rec) => ({ ...s, service: rs.resource.attributes.find((a: Rec) => a.key === 'service.name').value.stringValue })))));
const attrOf = (s: Rec, key: string): any => {
  const v = s.attributes.find((a: Rec) => a.key === key)?.value;
  return v === undefined ? undefined : v.stringValue ?? v.intValue;
};

describe('the recorded traced application', () => {
  const tc = run(process.execPath, [join(ROOT, 'bin', 'tracecap.js'), '--format', 'otlp', PCAP]);
  const capture = spansOf(tc.out);
  const appText = readFileSync(APP, 'utf8');
  const app = spansOf(appText);
  const clients = app.filter((s) => s.kind === 3);

  it("tracecap's spans are the capture's HTTP exchanges as tshark finds them, one each", () => {
    expect(tc.code, tc.err).toBe(0);
    expect(tc.err).toBe('');
    const { reqs, resps } = tsharkH1(PCAP);
    expect(reqs.map((q) => `${q.method} ${q.url}`)).toEqual(['GET http://127.0.0.1:18311/checkout', 'GET http://127.0.0.1:18312/items/42', 'POST http://127.0.0.1:18312/reserve']);
    expect(capture.map((s) => Number(attrOf(s, 'tracecap.request.packet')))).toEqual(reqs.map((q) => q.num));
    expect(capture.map((s) => `${attrOf(s, 'http.request.method')} ${attrOf(s, 'url.full')}`)).toEqual(reqs.map((q) => `${q.method} ${q.url}`));
    for (const s of capture) {
      const resp = resps.find((r) => r.reqNum === Number(attrOf(s, 'tracecap.request.packet')))!;
      expect(Number(attrOf(s, 'tracecap.response.packet'))).toBe(resp.num);
      expect(Number(attrOf(s, 'http.response.status_code'))).toBe(resp.status);
    }
  });

  it("sit under the application's CLIENT spans, one each, in the application's trace", () => {
    expect(clients.map((s) => s.name).sort()).toEqual(['GET /checkout', 'GET /items/{id}', 'POST /reserve']);
    const traceIds = new Set([...capture, ...app].map((s) => s.traceId));
    expect(traceIds.size).toBe(1);
    expect(capture.map((s) => s.parentSpanId).sort()).toEqual(clients.map((s) => s.spanId).sort());
    for (const s of capture) {
      const parent = clients.find((c) => c.spanId === s.parentSpanId)!;
      expect(attrOf(s, 'tracecap.trace.source')).toBe('traceparent');
      expect(attrOf(s, 'url.full')).toBe(attrOf(parent, 'url.full'));
      expect(attrOf(s, 'http.response.status_code')).toBe(attrOf(parent, 'http.response.status_code'));
      // The client's span starts before its request's first byte and ends after its response's
      // last byte: both clocks are the machine's, so the network's span lies inside.
      expect(BigInt(s.startTimeUnixNano)).toBeGreaterThanOrEqual(BigInt(parent.startTimeUnixNano));
      expect(BigInt(s.endTimeUnixNano)).toBeLessThanOrEqual(BigInt(parent.endTimeUnixNano));
    }
  });

  it("the application's file has the shape tracecap writes and decodes against the OpenTelemetry protobuf definitions", () => {
    const pb = createRequire(import.meta.url)(join(ROOT, 'node_modules/@opentelemetry/otlp-transformer/build/src/generated/root.js')).opentelemetry.proto;
    const tcKeys = new Set(capture.flatMap((s) => Object.keys(s)));
    for (const line of appText.split('\n').filter((l) => l !== '')) {
      const data = JSON.parse(line);
      const spans: Rec[] = data.resourceSpans[0].scopeSpans[0].spans;
      for (const s of spans) {
        for (const k of Object.keys(s)) expect([...tcKeys], k).toContain(k);
        expect(s.traceId).toMatch(/^[0-9a-f]{32}$/);
        expect(s.spanId).toMatch(/^[0-9a-f]{16}$/);
        if (s.parentSpanId !== undefined) expect(s.parentSpanId).toMatch(/^[0-9a-f]{16}$/);
        expect(s.startTimeUnixNano).toMatch(/^\d+$/);
        expect([2, 3]).toContain(s.kind);
      }
      // Hex ids as bytes (OTLP/JSON → protobuf), then the binary round trip keeps them.
      const hexToBytes = (s: Rec) => ({ ...s, traceId: Buffer.from(s.traceId, 'hex'), spanId: Buffer.from(s.spanId, 'hex'),
        ...(s.parentSpanId ? { parentSpanId: Buffer.from(s.parentSpanId, 'hex') } : {}) });
      const msg = pb.trace.v1.TracesData.fromObject({ resourceSpans: data.resourceSpans.map((rs: Rec) => ({ ...rs,
        scopeSpans: rs.scopeSpans.map((ss: Rec) => ({ ...ss, spans: ss.spans.map(hexToBytes) })) })) });
      expect(pb.trace.v1.TracesData.verify(msg)).toBeNull();
      const back = pb.trace.v1.TracesData.decode(pb.trace.v1.TracesData.encode(msg).finish());
      const backSpans = back.resourceSpans[0].scopeSpans[0].spans;
      expect(backSpans.map((s: Rec) => Buffer.from(s.spanId).toString('hex'))).toEqual(spans.map((s) => s.spanId));
      expect(backSpans.map((s: Rec) => String(s.endTimeUnixNano))).toEqual(spans.map((s) => s.endTimeUnixNano));
    }
  });

  it("the README's account of the gaps uses the recording's numbers", () => {
    const ms = (from: string, to: string): string => (Number(BigInt(to) - BigInt(from)) / 1e6).toFixed(3);
    // Per exchange: tracecap's span, the application's CLIENT span above it, the SERVER span beside it.
    const ex: Record<string, Rec> = Object.fromEntries(capture.map((c) => {
      const client = clients.find((a) => a.spanId === c.parentSpanId)!;
      const server = app.find((a) => a.parentSpanId === client.spanId && a.kind === 2)!;
      const connect = c.events.find((e: Rec) => e.name === 'tcp.connect');
      return [client.name, { c, client, server, connect, syn: connect && attrOf(connect, 'tracecap.tcp.syn_time_unix_nano') }];
    }));
    const co = ex['GET /checkout']!, items = ex['GET /items/{id}']!, res = ex['POST /reserve']!;
    expect(res.connect).toBeUndefined(); // the kept-alive connection: no handshake in its span
    const endGaps = Object.values(ex).map((x) => ms(x.c.endTimeUnixNano, x.client.endTimeUnixNano)).sort((a, b) => Number(a) - Number(b));
    const all = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const section = all.slice(all.indexOf('<!-- /span-tree -->'), all.indexOf('**Sending both to the same backend.**')).replace(/\s+/g, ' ');
    for (const phrase of [
      `\`GET /checkout\` started ${ms(co.client.startTimeUnixNano, co.c.startTimeUnixNano)} ms before its first byte went out — ${ms(co.client.startTimeUnixNano, co.syn)} ms until the client sent its SYN, ${ms(co.syn, co.connect.timeUnixNano)} ms for the handshake`,
      `${ms(co.connect.timeUnixNano, co.c.startTimeUnixNano)} ms until the request was written`,
      `went out ${ms(res.client.startTimeUnixNano, res.c.startTimeUnixNano)} ms after its span started`,
      `each CLIENT span ends ${endGaps[0]} to ${endGaps[2]} ms after its response's last byte`,
      `inventory's spans start ${ms(items.c.startTimeUnixNano, items.server.startTimeUnixNano)} and ${ms(res.c.startTimeUnixNano, res.server.startTimeUnixNano)} ms after their requests' first byte (shop's ${ms(co.c.startTimeUnixNano, co.server.startTimeUnixNano)} ms)`,
      `inventory's first span ends ${ms(items.c.endTimeUnixNano, items.server.endTimeUnixNano)} ms after its response's last byte`,
      `on the second request ${ms(res.c.endTimeUnixNano, res.server.endTimeUnixNano)} ms after`,
    ]) expect(section).toContain(phrase);
  });

  it('the README shows the tree span-tree prints for both, between its markers', () => {
    const r = spanTree(['-', APP], tc.out); // the README's command: tracecap … | span-tree.mjs - examples/traced-app.spans.jsonl
    expect(r.code, r.err).toBe(0);
    expect(r.err).toBe('');
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const m = /<!-- span-tree -->\n```text\n([\s\S]*?)```\n<!-- \/span-tree -->/.exec(readme);
    expect(m).not.toBeNull();
    expect(m![1]).toBe(r.out);
    expect(r.out.split('\n').filter((l) => / tracecap /.test(l)).length).toBe(capture.length);
  });
});

describe('scripts/span-tree.mjs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tracecap-span-tree-'));
  const T = 'ab'.repeat(16);
  const span = (id: string, parent: string | undefined, name: string, start: number, end: number, extra: Rec = {}): Rec => ({
    traceId: T, spanId: id.repeat(16), ...(parent ? { parentSpanId: parent.repeat(16) } : {}), name, kind: 2,
    startTimeUnixNano: String(1_700_000_000_000_000_000n + BigInt(start * 1e6)), endTimeUnixNano: String(1_700_000_000_000_000_000n + BigInt(end * 1e6)), attributes: [], ...extra,
  });
  const line = (service: string, spans: Rec[]) => JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] }, scopeSpans: [{ scope: { name: 't' }, spans }] }] });

  it('prints a tree by parentSpanId with children by start time, a missing parent marked, whatever the input order', () => {
    const file = join(dir, 'order.jsonl');
    writeFileSync(file, line('a', [span('3', '1', 'late', 5, 6), span('1', undefined, 'root', 0, 10), span('2', '1', 'early', 1, 2,
      { status: { code: 2, message: 'HTTP 503' }, attributes: [{ key: 'url.full', value: { stringValue: 'http://h/x' } }, { key: 'http.response.status_code', value: { intValue: '503' } }] })])
      + '\n\n' + line('b', [span('4', '9', 'lost', 3, 4)]) + '\n');
    const r = spanTree([file]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toBe([
      `trace ${T}: 4 spans, 2 services, 10.000 ms`,
      '├─ root                                             SERVER  a  +0.000  10.000 ms',
      '│  ├─ early                                         SERVER  a  +1.000   1.000 ms  http://h/x 503 ERROR HTTP 503',
      '│  └─ late                                          SERVER  a  +5.000   1.000 ms',
      `└─ lost (parent ${'9'.repeat(16)} not in the input)  SERVER  b  +3.000   1.000 ms`,
      ''].join('\n'));
  });

  it('stops at a bad line with "FILE:LINE: what", no stack trace, the traces before it printed', () => {
    const good = line('a', [span('1', undefined, 'root', 0, 1)]);
    const cases: [string, RegExp][] = [
      ['{"resourceSpans": [', /^span-tree: .*bad\.jsonl:2: not JSON \(.+\)\n$/],
      [line('a', [{ ...span('2', undefined, 'x', 0, 1), traceId: T.toUpperCase() }]), /^span-tree: .*bad\.jsonl:2: resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\]: traceId "ABAB\w+" is not 32 lowercase hex digits\n$/],
      [line('a', [{ ...span('2', undefined, 'x', 0, 1), endTimeUnixNano: 12 }]), /^span-tree: .*bad\.jsonl:2: .*spans\[0\]: endTimeUnixNano 12 is not a decimal string\n$/],
      ['{"resourceLogs": []}', /^span-tree: .*bad\.jsonl:2: not an OTLP\/JSON TracesData: no resourceSpans array\n$/],
    ];
    for (const [bad, want] of cases) {
      const file = join(dir, 'bad.jsonl');
      writeFileSync(file, `${good}\n${bad}\n${good}\n`);
      const r = spanTree([file]);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(want);
      expect(r.err).not.toMatch(/\n\s+at /);
      expect(r.out).toBe(`trace ${T}: 1 spans, 1 services, 1.000 ms\n└─ root  SERVER  a  +0.000  1.000 ms\n`);
    }
    const missing = spanTree([join(dir, 'none.jsonl')]);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/^span-tree: .*none\.jsonl: no such file\n$/);
    const stdin = spanTree([], `${good}\nnot json\n`);
    expect(stdin.err).toMatch(/^span-tree: stdin:2: not JSON/);
  });
});
