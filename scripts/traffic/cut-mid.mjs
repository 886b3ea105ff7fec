// Makes a "mid-connection" capture: drops the first packets of a recorded capture with editcap,
// so the result starts in the middle of a connection, and adds its ground truth to manifest.json
// (the source capture's exchanges, each marked with how much of its request and response
// survived the cut: "complete", "partial" or "absent").
//
//   node scripts/traffic/cut-mid.mjs <src.pcap> <out.pcap> <port> --fraction 0.4
//       HTTP/1.x: drop the first floor(packets × fraction) packets; presence from the exchanges'
//       requestBytes/responseBytes (stream offsets) against the first kept TCP sequence numbers
//   node scripts/traffic/cut-mid.mjs <src.pcap> <out.pcap> <port> --fraction-inside-response F
//       HTTP/1.x: like --fraction, but moves the cut (by as little as possible, at most 5 % of the
//       packets) so that the capture starts inside a multi-segment response (its request and
//       status line cut off)
//   node scripts/traffic/cut-mid.mjs <src.pcap> <out.pcap> <port> --first-kept FRAME
//       HTTP/1.x: the same, keeping source frames FRAME… (e.g. to start inside a response)
//   node scripts/traffic/cut-mid.mjs <src.pcap> <out.pcap> <port> --from-seq N
//       HTTP/2: keep from the first packet carrying the HEADERS frame of exchange N (its stream),
//       drop everything before; presence from the HTTP/2 frames tshark sees in the source
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { tmpdir } from 'node:os';

const [src, out, portArg, mode, arg] = process.argv.slice(2);
if (!src || !out || !portArg || !['--fraction', '--fraction-inside-response', '--first-kept', '--from-seq'].includes(mode) || arg === undefined) {
  console.error('usage: node cut-mid.mjs <src.pcap> <out.pcap> <port> (--fraction F | --fraction-inside-response F | --first-kept FRAME | --from-seq N)');
  process.exit(1);
}
const port = Number(portArg);
const here = dirname(new URL(import.meta.url).pathname);
const manifestPath = join(dirname(out), 'manifest.json');
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
const source = manifest.captures[basename(src)];
if (!source) throw new Error(`${basename(src)} is not in ${manifestPath}`);

const tshark = (args) => execFileSync('tshark', ['-r', src, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 });
const rows = (text) => text.split('\n').filter(Boolean).map((l) => l.split('\t'));
const total = rows(tshark(['-T', 'fields', '-e', 'frame.number'])).length;
const classify = (kept, dropped) => (kept && !dropped ? 'complete' : !kept && dropped ? 'absent' : kept && dropped ? 'partial' : 'absent');

let firstKept;
let exchanges;
let connections = source.connections.map((c) => ({ ...c }));
if (mode !== '--from-seq') {
  // per connection and direction: the stream offset of the first byte not sent before the cut
  // (relative sequence number − 1 of the first kept packet, pure ACKs and FINs included)
  const pk = rows(tshark(['-T', 'fields', '-e', 'frame.number', '-e', 'tcp.srcport', '-e', 'tcp.dstport', '-e', 'tcp.seq', '-e', 'tcp.len', '-e', 'tcp.flags.syn']));
  const classifyAt = (cut) => {
    firstKept = cut;
    connections = source.connections.map((c) => ({ ...c }));
    for (const c of connections) {
      const mine = pk.filter(([, s, d]) => Number(s) === c.clientPort || Number(d) === c.clientPort);
      const firstOffset = (fromClient) => {
        const kept = mine.filter(([f, s, , , , syn]) => Number(f) >= firstKept && (Number(s) === c.clientPort) === fromClient && syn !== '1' && syn !== 'True');
        return kept.length ? Math.min(...kept.map(([, , , seq]) => Number(seq) - 1)) : Infinity;
      };
      c.firstKeptRequestOffset = firstOffset(true);
      c.firstKeptResponseOffset = firstOffset(false);
      c.handshakeInCapture = mine.some(([f, , , , , syn]) => Number(f) >= firstKept && (syn === '1' || syn === 'True'));
    }
    const state = ([a, b], off) => (b <= off ? 'absent' : a >= off ? 'complete' : 'partial');
    exchanges = source.exchanges.map((e) => {
      const c = connections[e.connection];
      if (!e.requestBytes || !e.responseBytes) throw new Error(`exchange ${e.seq} has no byte offsets`);
      return { ...e, inCapture: { request: state(e.requestBytes, c.firstKeptRequestOffset), response: state(e.responseBytes, c.firstKeptResponseOffset) } };
    });
    connections = connections.map((c) => ({ ...c, firstKeptRequestOffset: Number.isFinite(c.firstKeptRequestOffset) ? c.firstKeptRequestOffset : null, firstKeptResponseOffset: Number.isFinite(c.firstKeptResponseOffset) ? c.firstKeptResponseOffset : null }));
    return exchanges.some((e) => e.inCapture.request === 'absent' && e.inCapture.response === 'partial');
  };
  if (mode === '--first-kept') classifyAt(Number(arg));
  else {
    const base = Math.floor(total * Number(arg)) + 1;
    let found = false;
    if (mode === '--fraction-inside-response') {
      for (let d = 0; d <= Math.ceil(total * 0.05) && !found; d++) found = classifyAt(base - d) || (d > 0 && classifyAt(base + d));
      if (!found) throw new Error('no cut near the fraction starts inside a response');
    } else classifyAt(base);
  }
} else {
  const seq = Number(arg);
  const ex = source.exchanges.find((e) => e.seq === seq);
  if (!ex?.streamId) throw new Error(`exchange ${seq} has no stream id`);
  const d = ['-d', `tcp.port==${port},http2`];
  const fields = ['-T', 'fields', '-E', 'aggregator=|', '-E', 'occurrence=a', '-e', 'frame.number', '-e', 'tcp.srcport', '-e', 'http2.streamid', '-e', 'http2.type', '-e', 'tcp.segment'];
  const fr = rows(tshark([...d, ...fields])).map(([f, sp, ids = '', types = '', segs = '']) => ({
    frame: Number(f), fromClient: Number(sp) !== port,
    frames: ids ? ids.split('|').map((id, i) => ({ id: Number(id), type: Number(types.split('|')[i]) })) : [],
    segments: segs ? segs.split('|').map(Number) : [],
  }));
  const hit = fr.find((r) => r.fromClient && r.frames.some((x) => x.id === ex.streamId && x.type === 1));
  if (!hit) throw new Error(`no HEADERS frame for stream ${ex.streamId}`);
  firstKept = Math.min(hit.frame, ...hit.segments);
  const straddle = fr.filter((r) => r.frame >= firstKept && r.segments.some((s) => s < firstKept));
  if (straddle.length) throw new Error(`frames ${straddle.map((r) => r.frame)} reassemble across the cut; choose another cut`);
  exchanges = source.exchanges.map((e) => {
    const st = (fromClient) => {
      const on = fr.filter((r) => r.fromClient === fromClient && r.frames.some((x) => x.id === e.streamId));
      return classify(on.some((r) => r.frame >= firstKept), on.some((r) => r.frame < firstKept));
    };
    return { ...e, inCapture: { request: st(true), response: st(false) } };
  });
}

const command = `editcap -F pcap ${basename(src)} ${basename(out)} 1-${firstKept - 1}`;
execFileSync('editcap', ['-F', 'pcap', src, out, `1-${firstKept - 1}`], { stdio: 'inherit' });
const entry = {
  scenario: source.scenario,
  scenarioId: source.scenarioId,
  serverPort: source.serverPort,
  serverAddress: source.serverAddress,
  derivedFrom: basename(src),
  cut: { sourcePackets: total, droppedPackets: firstKept - 1, keptPackets: total - firstKept + 1, firstKeptSourceFrame: firstKept, rule: mode === '--fraction' ? `drop the first floor(${total} × ${arg}) packets` : mode === '--fraction-inside-response' ? `drop the first ${firstKept - 1} of ${total} packets (${((100 * (firstKept - 1)) / total).toFixed(1)} %, the cut nearest ${arg} × ${total} that starts inside a response whose request is cut off)` : mode === '--first-kept' ? `drop the first ${firstKept - 1} of ${total} packets (${((100 * (firstKept - 1)) / total).toFixed(1)} %)` : `start at the first packet carrying the HEADERS frame of exchange ${arg} (stream ${source.exchanges.find((e) => e.seq === Number(arg)).streamId})` },
  madeWith: `node scripts/traffic/cut-mid.mjs test/captures/${basename(src)} test/captures/${basename(out)} ${port} ${mode} ${arg}  (runs: ${command})`,
  notes: mode === '--from-seq'
    ? ['The connection preface, SETTINGS and all HEADERS frames before the cut are gone: header blocks after the cut reference HPACK dynamic-table entries the decoder never saw, so they cannot be fully decoded. Exchanges below are the source capture\'s; inCapture tells what survived.']
    : ['The capture starts in the middle of the connection: no handshake. Exchanges below are the source capture\'s; inCapture tells what survived (byte ranges are stream offsets, see connections[].firstKept*Offset).'],
  connections,
  exchanges,
};
const tmp = mkdtempSync(join(tmpdir(), 'cut-mid-'));
writeFileSync(join(tmp, 'entry.json'), JSON.stringify(entry));
execFileSync('node', [join(here, 'manifest.mjs'), manifestPath, basename(out), join(tmp, 'entry.json')], { stdio: 'inherit' });
rmSync(tmp, { recursive: true });
const count = (k, v) => exchanges.filter((e) => e.inCapture[k] === v).length;
console.error(`${basename(out)}: ${total - firstKept + 1} of ${total} packets (from source frame ${firstKept}); requests complete/partial/absent ${count('request', 'complete')}/${count('request', 'partial')}/${count('request', 'absent')}, responses ${count('response', 'complete')}/${count('response', 'partial')}/${count('response', 'absent')}`);
