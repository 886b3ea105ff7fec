// Shared by http.test.ts and har.test.ts: the HTTP captures, tracecap's records of them as the
// app's worker hands them over (HttpPacket), and tshark's independent view of the same packets.
import { execFileSync } from 'node:child_process';
import type { HttpPacket } from '../../../../src/exchanges.js';

const ROOT = new URL('../../../../', import.meta.url).pathname;
const HTTP = new URL('../../../../../shared/corpus/http/', import.meta.url).pathname;

/** A capture and, for h2c, the server port tshark must be told to decode as HTTP/2. */
export interface Capture { name: string; file: string; h2port?: number }

/** Every capture of the brief (the h1 pcapng twin of mtu1500 adds nothing the pairing sees). */
export const CAPTURES: Capture[] = [
  { name: 'h1-keepalive-mtu1500', file: HTTP + 'h1-keepalive-mtu1500.pcap' },
  { name: 'h1-keepalive-lo', file: HTTP + 'h1-keepalive-lo.pcap' },
  { name: 'h1-resets-mtu1500', file: HTTP + 'h1-resets-mtu1500.pcap' },
  { name: 'examples/http-keepalive', file: ROOT + 'examples/http-keepalive.pcap' },
  { name: 'h2c-mtu1500', file: HTTP + 'h2c-mtu1500.pcap', h2port: 28092 },
  { name: 'h2c-any-sll2', file: HTTP + 'h2c-any-sll2.pcap', h2port: 28082 },
];

type Rec = Record<string, any>;

/** The CLI's NDJSON records of a capture (DEBUG, the default). */
export function records(file: string): Rec[] {
  const out = execFileSync(process.execPath, [ROOT + 'bin/tracecap.js', file], { cwd: ROOT, maxBuffer: 512 << 20, encoding: 'utf8' });
  return out.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Rec);
}

/** HttpPackets exactly as the brief describes the worker building them. */
export function packets(recs: Rec[]): HttpPacket[] {
  return recs.filter((r) => r.HTTP !== undefined).map((r) => {
    const p: HttpPacket = {
      num: Number(r.pcap.num),
      time: r.timestamp.seconds * 1000 + r.timestamp.nanos / 1e6,
      flow: r.flow, src: r.L3.src, dst: r.L3.dst, sport: Number(r.L4.src), dport: Number(r.L4.dst),
      http: r.HTTP,
    };
    const t = r['logging.googleapis.com/trace'];
    if (typeof t === 'string') p.trace = t;
    return p;
  });
}

function tshark(args: string[]): string {
  return execFileSync('tshark', args, { maxBuffer: 512 << 20, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
}

/** tshark's HTTP/1 request heads: pcap.num (= frame.number − 1), method, full URI. */
export interface TsH1Req { num: number; method: string; url: string }
/** tshark's HTTP/1 response heads: pcap.num, status, and the pcap.num of the request it answers. */
export interface TsH1Resp { num: number; status: number; reqNum: number }

/**
 * HTTP/1 requests and responses per tshark, with TCP reassembly off: tshark then reports every
 * head on the segment that carries it, as tracecap does (the corpus heads fit in one segment).
 * With reassembly on, tshark reports a message on the segment that ends its body, and not at all
 * when the capture cuts the body (the resets, the end of examples/http-keepalive.pcap).
 */
export function tsharkH1(file: string): { reqs: TsH1Req[]; resps: TsH1Resp[] } {
  const opts = ['-r', file, '-o', 'tcp.desegment_tcp_streams:FALSE', '-T', 'fields', '-E', 'separator=\t'];
  const reqs = tshark([...opts, '-Y', 'http.request', '-e', 'frame.number', '-e', 'http.request.method', '-e', 'http.request.full_uri'])
    .split('\n').filter(Boolean).map((l) => {
      const [n = '', method = '', url = ''] = l.split('\t');
      return { num: Number(n) - 1, method, url };
    });
  const resps = tshark([...opts, '-Y', 'http.response', '-e', 'frame.number', '-e', 'http.response.code', '-e', 'http.request_in'])
    .split('\n').filter(Boolean).map((l) => {
      const [n = '', code = '', rin = ''] = l.split('\t');
      return { num: Number(n) - 1, status: Number(code), reqNum: rin === '' ? -1 : Number(rin) - 1 };
    });
  return { reqs, resps };
}

/** One HTTP/2 HEADERS frame per tshark: packet, client port, stream and the pseudo-headers. */
export interface TsH2Headers { num: number; clientPort: number; stream: number; method?: string; url?: string; status?: number }

/** HTTP/2 HEADERS frames per tshark (h2c decoded on `port`), from its JSON tree. */
export function tsharkH2(file: string, port: number): TsH2Headers[] {
  const json = JSON.parse(tshark(['-r', file, '-d', `tcp.port==${port},http2`, '-Y', 'http2.type==1', '-T', 'json', '--no-duplicate-keys'])) as Rec[];
  const out: TsH2Headers[] = [];
  for (const pkt of json) {
    const layers = pkt._source.layers;
    const num = Number(layers.frame['frame.number']) - 1;
    const sport = Number(layers.tcp['tcp.srcport']);
    const dport = Number(layers.tcp['tcp.dstport']);
    const clientPort = sport === port ? dport : sport;
    const h2s: Rec[] = Array.isArray(layers.http2) ? layers.http2 : [layers.http2];
    for (const h2 of h2s) {
      const streams: Rec[] = Array.isArray(h2['http2.stream']) ? h2['http2.stream'] : [h2['http2.stream']];
      for (const s of streams) {
        if (s === undefined || s['http2.type'] !== '1') continue;
        const hdrs: Rec[] = Array.isArray(s['http2.header']) ? s['http2.header'] : s['http2.header'] ? [s['http2.header']] : [];
        const get = (n: string): string | undefined => hdrs.find((h) => h['http2.header.name'] === n)?.['http2.header.value'];
        const f: TsH2Headers = { num, clientPort, stream: Number(s['http2.streamid']) };
        const m = get(':method');
        if (m !== undefined) { f.method = m; f.url = `${get(':scheme') ?? 'http'}://${get(':authority') ?? ''}${get(':path') ?? ''}`; }
        const st = get(':status');
        if (st !== undefined) f.status = Number(st);
        out.push(f);
      }
    }
  }
  return out;
}
