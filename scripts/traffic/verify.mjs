// Checks each capture in test/captures/manifest.json against tshark: how many HTTP/1.x and HTTP/2
// requests and responses tshark decodes, and whether the trace headers tshark sees are exactly the
// ones the manifest says the client sent (and the server added).
//   node scripts/traffic/verify.mjs [test/captures] [capture.pcap …]
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2] ?? 'test/captures';
const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
const only = process.argv.slice(3);
const H2 = new Set(['h2-many', 'grpc']);
const TRACE = /^(x-cloud-trace-context|traceparent)$/i;
let failed = 0;

const sorted = (a) => [...a].sort();
const same = (a, b) => JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));

for (const [name, m] of Object.entries(manifest.captures)) {
  if (only.length && !only.includes(name)) continue;
  const file = join(dir, name);
  const proto = H2.has(m.scenario) ? 'http2' : 'http';
  const fields = ['http.request.method', 'http.response.code', 'http.request.line', 'http.response.line', 'http2.header.name', 'http2.header.value', 'http2.type', 'http2.streamid'];
  const out = execFileSync('tshark', ['-r', file, '-d', `tcp.port==${m.serverPort},${proto}`, '-T', 'fields', '-E', 'aggregator=|', '-E', 'occurrence=a', ...fields.flatMap((f) => ['-e', f])],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 });
  const packets = out.split('\n').filter(Boolean).length;
  const c = { h1Requests: 0, h1Responses: 0, h1Interim: 0, h2Requests: 0, h2Responses: 0, h2Trailers: 0, rstStream: 0, goaway: 0 };
  const seenReq = [], seenResp = [];
  for (const line of out.split('\n').filter(Boolean)) {
    const [methods, codes, reqLines, respLines, names, values, types] = line.split('\t').map((s) => (s ? s.split('|') : []));
    c.h1Requests += methods.length;
    for (const code of codes) (Number(code) < 200 && Number(code) !== 101 ? c.h1Interim++ : c.h1Responses++);
    for (const l of reqLines) { const [k, ...v] = l.replace(/\\r\\n$/, '').split(': '); if (TRACE.test(k)) seenReq.push(`${k.toLowerCase()}: ${v.join(': ')}`); }
    for (const l of respLines) { const [k, ...v] = l.replace(/\\r\\n$/, '').split(': '); if (TRACE.test(k)) seenResp.push(`${k.toLowerCase()}: ${v.join(': ')}`); }
    // HTTP/2 header blocks: a block with :method is a request, with :status a response, with
    // neither (but grpc-status) a trailer block
    names.forEach((k, i) => {
      if (k === ':method') c.h2Requests++;
      else if (k === ':status') c.h2Responses++;
      else if (k === 'grpc-status' && !names.includes(':status')) c.h2Trailers++;
      if (TRACE.test(k)) (names.includes(':status') ? seenResp : seenReq).push(`${k}: ${values[i]}`);
    });
    c.rstStream += types.filter((t) => t === '3').length;
    c.goaway += types.filter((t) => t === '7').length;
  }
  // what the manifest expects to be visible
  const ex = m.derivedFrom ? m.exchanges.filter((e) => e.inCapture.request === 'complete') : m.exchanges;
  const exResp = m.derivedFrom ? m.exchanges.filter((e) => e.inCapture.response === 'complete') : m.exchanges;
  const wantReq = ex.flatMap((e) => e.traceHeaders.map(([k, v]) => `${k.toLowerCase()}: ${v}`));
  const wantResp = exResp.flatMap((e) => e.responseTraceHeaders.map(([k, v]) => `${k.toLowerCase()}: ${v}`));
  const h1 = ex.filter((e) => e.httpVersion !== '2').length;
  const h2 = ex.filter((e) => e.httpVersion === '2').length;
  const traceOk = same(seenReq, wantReq) && same(seenResp, wantResp);
  const countOk = m.derivedFrom ? true : c.h1Requests === h1 && c.h2Requests === h2;
  if (!m.derivedFrom && (!traceOk || !countOk)) failed++;
  const size = statSync(file).size;
  console.log(`${name}: ${packets} packets, ${size} bytes; manifest ${m.exchanges.length} exchanges (${h1} HTTP/1.x + ${h2} HTTP/2 requests${m.derivedFrom ? ' with complete requests in the cut' : ''})`);
  console.log(`  tshark: HTTP/1.x ${c.h1Requests} requests, ${c.h1Responses} responses (+${c.h1Interim} 1xx); HTTP/2 ${c.h2Requests} request header blocks, ${c.h2Responses} response header blocks, ${c.h2Trailers} grpc trailer blocks, ${c.rstStream} RST_STREAM, ${c.goaway} GOAWAY`);
  console.log(`  trace headers: tshark sees ${seenReq.length} in requests (manifest: ${wantReq.length})${seenResp.length || wantResp.length ? `, ${seenResp.length} in responses (manifest: ${wantResp.length})` : ''} — ${traceOk ? 'identical' : 'DIFFERENT'}${countOk ? '' : '; REQUEST COUNT MISMATCH'}`);
}
process.exit(failed ? 1 : 0);
