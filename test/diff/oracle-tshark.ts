// What tshark (Debian 4.0) says about the HTTP messages of a capture, for the trace oracle
// (trace-oracle.test.ts). Everything here comes from tshark's dissection (two-pass, `-2`), read
// from its PDML output so that several HTTP messages or HTTP/2 frames in one packet stay apart.
// Not a test file itself.
//
// HTTP/1.x. tshark reports a message at the frame where the WHOLE message (head and body) has been
// reassembled; tracecap renders it at the segment that completes the HEAD. The head-completing
// frame is derived from tshark's own reassembly data: the position of the blank line that ends the
// head inside the reassembled PDU and the list of segments ("Frame: 11, payload: 0-1447") it was
// built from. Messages reported in their own frame complete their head there.
//
// Pairing. tshark 4.0's `http.request_in` is wrong for pipelined requests (it pairs the first
// response of a batch with the LAST request of the batch and leaves the others unpaired; checked
// against the server's echoed paths in test/captures/h1-pipeline.pcap). Responses are therefore
// paired with requests in order, per connection (RFC 9112 §9.3.2; 1xx interim responses other than
// 101 do not consume a request). Where tshark skipped bytes of a direction (payload it did not
// attribute to any request/response: a capture that starts mid-connection, a lost segment), the
// order is unknown and the pairing resynchronises on tshark's `http.request_in`; without one the
// response is left unpaired and its trace is not checked ("uncertain").

import { runTshark } from './support.js';
import { type PNode, type PPacket, findAll, findFirst, hexText, parsePdml } from './oracle-pdml.js';

// ───────────────────────────── frames ─────────────────────────────

/** Per-frame TCP facts (from a `-T fields` run with the same decode-as options). */
export interface FrameInfo {
  num: number;
  stream: number;
  src: number;
  dst: number;
  seq: number;
  len: number;
  retransmission: boolean;
}

const FRAME_FIELDS = ['frame.number', 'tcp.stream', 'tcp.srcport', 'tcp.dstport', 'tcp.seq', 'tcp.len',
  'tcp.analysis.retransmission', 'tcp.analysis.fast_retransmission', 'tcp.analysis.spurious_retransmission'];

export async function frameTable(file: string, decode: string[]): Promise<Map<number, FrameInfo>> {
  const out = await runTshark(['-r', file, '-2', ...decode, '-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=f',
    ...FRAME_FIELDS.flatMap((f) => ['-e', f])]);
  const map = new Map<number, FrameInfo>();
  for (const line of out.split('\n')) {
    if (line === '') continue;
    const c = line.split('\t');
    if (c[1] === '') continue; // not TCP
    map.set(Number(c[0]), {
      num: Number(c[0]), stream: Number(c[1]), src: Number(c[2]), dst: Number(c[3]), seq: Number(c[4]), len: Number(c[5]),
      retransmission: c[6] !== '' || c[7] !== '' || c[8] !== '',
    });
  }
  return map;
}

// ───────────────────────────── decode-as for h2c ─────────────────────────────

/**
 * TCP server ports carrying HTTP/2 with prior knowledge: ports that receive the connection preface
 * as the first bytes of a connection (relative seq 1; an h2c upgrade sends it later, after the
 * HTTP/1.1 101, and tshark follows that switch by itself), plus the ports given by the capture's
 * manifest entry (connections of kind h2c-prior-knowledge: needed when the capture starts
 * mid-connection and the preface is not in it).
 */
export async function h2Ports(file: string, manifestEntry?: ManifestEntry): Promise<number[]> {
  const out = await runTshark(['-r', file, '-Y', 'tcp.payload[0:14] == "PRI * HTTP/2.0" && tcp.seq == 1',
    '-T', 'fields', '-e', 'tcp.dstport']);
  const ports = new Set(out.split('\n').filter((l) => l !== '').map(Number));
  if (manifestEntry && manifestEntry.connections?.some((c) => c.kind === 'h2c-prior-knowledge') && manifestEntry.serverPort) {
    ports.add(manifestEntry.serverPort);
  }
  return [...ports].sort((a, b) => a - b);
}

/** The part of a test/captures/manifest.json entry the oracle uses. */
export interface ManifestEntry {
  serverPort?: number;
  connections?: { kind?: string }[];
}

export function decodeArgs(ports: number[]): string[] {
  return ports.flatMap((p) => ['-d', `tcp.port==${p},http2`]);
}

export async function pdml(file: string, decode: string[], filter: string): Promise<PPacket[]> {
  return parsePdml(await runTshark(['-r', file, '-2', ...decode, '-Y', filter, '-T', 'pdml']));
}

// ───────────────────────────── HTTP/1.x ─────────────────────────────

export interface H1Message {
  kind: 'request' | 'response';
  /** Frame where tshark reports the message (whole message reassembled). */
  reportFrame: number;
  /** Frame whose segment completes the head (where tracecap renders it). */
  headFrame: number;
  /** Index of the message among the HTTP messages tshark reports in reportFrame. */
  indexInFrame: number;
  /** Relative TCP sequence number of the message's first byte (NaN when unknown). */
  startSeq: number;
  stream: number;
  srcPort: number;
  /** Frames holding bytes of the message as far as tshark says (reassembly segments, or the report frame). */
  frames: number[];
  method?: string;
  uri?: string;
  host?: string;
  fullUri?: string;
  code?: number;
  /** Header lines (after the start line) as [name, value]. */
  headers: [string, string][];
  requestIn?: number;
  responseForUri?: string;
  /** The message does not complete in the capture (found by the second pass, see trailingHeads). */
  incomplete?: boolean;
}

interface Segment { frame: number; from: number; to: number }

function segmentsOf(pkt: PPacket): Segment[] {
  const segs: Segment[] = [];
  for (const s of findAll(pkt.protos, 'tcp.segment')) {
    const m = /Frame: (\d+), payload: (\d+)-(\d+)/.exec(s.showname);
    if (m) segs.push({ frame: Number(m[1]), from: Number(m[2]), to: Number(m[3]) });
  }
  return segs;
}

function headerLines(http: PNode, kind: 'request' | 'response'): [string, string][] {
  const out: [string, string][] = [];
  for (const f of http.children) {
    if (f.name !== `http.${kind}.line` || f.value === '') continue;
    const line = hexText(f.value).replace(/\r?\n$/, '');
    const i = line.indexOf(':');
    if (i <= 0) continue;
    out.push([line.slice(0, i).trim(), line.slice(i + 1).trim()]);
  }
  return out;
}

/** Every HTTP/1.x request and response tshark reports, in capture order. */
export function h1Messages(packets: PPacket[], frames: Map<number, FrameInfo>): H1Message[] {
  const out: H1Message[] = [];
  for (const pkt of packets) {
    const fi = frames.get(pkt.num);
    if (!fi) continue;
    const tcp = pkt.protos.find((p) => p.name === 'tcp');
    const payload = tcp ? findFirst(tcp.children, 'tcp.payload') : undefined;
    const segs = segmentsOf(pkt);
    const https = pkt.protos.filter((p) => p.name === 'http');
    https.forEach((http, index) => {
      const isReq = findFirst(http.children, 'http.request')?.show === '1';
      const isResp = findFirst(http.children, 'http.response')?.show === '1';
      if (!isReq && !isResp) return;
      const kind = isReq ? 'request' : 'response';
      // The blank line ending the head: a top-level text item with bytes 0d0a (or 0a).
      const blank = [...http.children].reverse().find((c) => c.name === '' && (c.value === '0d0a' || c.value === '0a'));
      const reassembled = index === 0 && segs.length > 0;
      let headFrame = pkt.num;
      let startSeq = NaN;
      let msgFrames = [pkt.num];
      if (reassembled) {
        msgFrames = segs.map((s) => s.frame);
        if (blank) {
          const last = blank.pos + blank.size - 1;
          const seg = segs.find((s) => s.from <= last && last <= s.to);
          if (seg) headFrame = seg.frame;
        }
        const first = frames.get(segs[0]!.frame);
        if (first) startSeq = first.seq + first.len - (segs[0]!.to - segs[0]!.from + 1);
      } else if (payload) {
        startSeq = fi.seq + (http.pos - payload.pos);
      }
      const num = (name: string) => {
        const f = findFirst(http.children, name);
        return f ? Number(f.show) : undefined;
      };
      const str = (name: string) => findFirst(http.children, name)?.show;
      out.push({
        kind,
        reportFrame: pkt.num,
        headFrame,
        indexInFrame: index,
        startSeq,
        stream: fi.stream,
        srcPort: fi.src,
        frames: msgFrames,
        method: isReq ? str('http.request.method') : undefined,
        uri: isReq ? str('http.request.uri') : undefined,
        host: isReq ? str('http.host') : undefined,
        fullUri: isReq ? str('http.request.full_uri') : undefined,
        code: isResp ? num('http.response.code') : undefined,
        headers: headerLines(http, kind),
        requestIn: isResp ? num('http.request_in') : undefined,
        responseForUri: isResp ? str('http.response_for.uri') : undefined,
      });
    });
  }
  return out;
}

/**
 * Messages whose head is in the capture but whose body never completes (connection reset or
 * capture end mid-body): tshark reports them only when it stops reassembling bodies
 * (`-o http.desegment_body:FALSE`, `passB`). That pass misses messages that start inside a
 * segment after another message's body, so only the heads it finds AFTER the last message of
 * the normal pass (`passA`) in the same direction of the same connection are taken.
 */
export function trailingHeads(passA: H1Message[], passB: H1Message[]): H1Message[] {
  const last = new Map<string, number>();
  for (const m of passA) {
    const k = `${m.stream}/${m.srcPort}`;
    last.set(k, Math.max(last.get(k) ?? -Infinity, m.startSeq));
  }
  return passB
    .filter((m) => !isNaN(m.startSeq) && m.startSeq > (last.get(`${m.stream}/${m.srcPort}`) ?? -Infinity))
    .map((m) => ({ ...m, incomplete: true }));
}

export interface Pairing {
  /** The request each response answers (undefined: none). */
  request: Map<H1Message, H1Message | undefined>;
  /** Responses whose request cannot be told (tshark skipped bytes and gives no request_in). */
  uncertain: Set<H1Message>;
  /** Responses where tshark's request_in names another frame than in-order pairing does. */
  tsharkDisagrees: { response: H1Message; tsharkFrame: number; ours: H1Message | undefined }[];
  /** Frames per (stream, src port) with payload that tshark attributed to no request/response. */
  skippedFrames: number[];
}

/**
 * Pairs responses with requests in order per TCP connection, resynchronising on tshark's
 * `http.request_in` after bytes tshark did not attribute to any message (see the file header).
 */
export function pairH1(msgs: H1Message[], frames: Map<number, FrameInfo>): Pairing {
  const covered = new Set<number>();
  for (const m of msgs) for (const f of m.frames) covered.add(f);
  // Payload frames no message covers, per "stream/srcport".
  const skipped = new Map<string, number[]>();
  const skippedFrames: number[] = [];
  const h1Streams = new Set(msgs.map((m) => m.stream));
  for (const f of [...frames.values()].sort((a, b) => a.num - b.num)) {
    if (f.len === 0 || f.retransmission || covered.has(f.num) || !h1Streams.has(f.stream)) continue;
    const key = `${f.stream}/${f.src}`;
    if (!skipped.has(key)) skipped.set(key, []);
    skipped.get(key)!.push(f.num);
    skippedFrames.push(f.num);
  }
  const gapBetween = (stream: number, src: number, after: number, before: number) =>
    (skipped.get(`${stream}/${src}`) ?? []).some((f) => f > after && f < before);

  const byStream = new Map<number, H1Message[]>();
  for (const m of msgs) {
    if (!byStream.has(m.stream)) byStream.set(m.stream, []);
    byStream.get(m.stream)!.push(m);
  }
  const order = (a: H1Message, b: H1Message) =>
    a.reportFrame - b.reportFrame || (isNaN(a.startSeq) || isNaN(b.startSeq) ? 0 : a.startSeq - b.startSeq) || a.indexInFrame - b.indexInFrame;

  const request = new Map<H1Message, H1Message | undefined>();
  const uncertain = new Set<H1Message>();
  const tsharkDisagrees: Pairing['tsharkDisagrees'] = [];
  for (const list of byStream.values()) {
    const reqs = list.filter((m) => m.kind === 'request').sort(order);
    const resps = list.filter((m) => m.kind === 'response').sort(order);
    // gapBefore: tshark skipped bytes of this direction before the message (since the previous one).
    const gapBefore = new Map<H1Message, boolean>();
    for (const arr of [reqs, resps]) {
      arr.forEach((m, i) => {
        const prevLast = i > 0 ? Math.max(...arr[i - 1]!.frames) : 0;
        gapBefore.set(m, gapBetween(m.stream, m.srcPort, prevLast, Math.min(...m.frames)));
      });
    }
    let qi = 0;
    for (const r of resps) {
      const interim = r.code !== undefined && r.code >= 100 && r.code < 200 && r.code !== 101;
      const candidate = reqs[qi];
      const tsharkReq = r.requestIn !== undefined
        ? reqs.find((q) => q.reportFrame === r.requestIn && (r.responseForUri === undefined || q.fullUri === r.responseForUri))
          ?? reqs.find((q) => q.reportFrame === r.requestIn)
        : undefined;
      const unsure = gapBefore.get(r) || (candidate !== undefined && gapBefore.get(candidate));
      if (unsure) {
        if (tsharkReq) {
          request.set(r, tsharkReq);
          qi = reqs.indexOf(tsharkReq) + (interim ? 0 : 1);
        } else uncertain.add(r);
        continue;
      }
      // In order; the request must precede its response.
      const ours = candidate && candidate.headFrame <= r.headFrame ? candidate : undefined;
      request.set(r, ours);
      if (ours && !interim) qi++;
      if (r.requestIn !== undefined && tsharkReq !== ours) tsharkDisagrees.push({ response: r, tsharkFrame: r.requestIn, ours });
    }
  }
  return { request, uncertain, tsharkDisagrees, skippedFrames };
}

// ───────────────────────────── HTTP/2 ─────────────────────────────

export interface H2Headers {
  frame: number;
  tcpStream: number;
  /** h2 stream id. */
  id: number;
  flags: number;
  /** Decoded header fields in block order; tshark shows `<unknown>` for entries it cannot resolve. */
  headers: [string, string][];
  /** Index of this HEADERS frame among the HEADERS frames of the same h2 stream in the packet. */
  indexInPacket: number;
}

/** Every HTTP/2 HEADERS frame tshark decodes, in capture order. */
export function h2HeadersFrames(packets: PPacket[], frames: Map<number, FrameInfo>): H2Headers[] {
  const out: H2Headers[] = [];
  for (const pkt of packets) {
    const fi = frames.get(pkt.num);
    if (!fi) continue;
    const seen = new Map<number, number>();
    for (const proto of pkt.protos) {
      if (proto.name !== 'http2') continue;
      for (const st of proto.children) {
        if (st.name !== 'http2.stream') continue;
        const type = findFirst(st.children, 'http2.type');
        if (!type || type.show !== '1') continue;
        const id = Number(findFirst(st.children, 'http2.streamid')?.show);
        const flags = Number(findFirst(st.children, 'http2.flags')?.show ?? '0');
        const headers: [string, string][] = [];
        for (const h of st.children) {
          if (h.name !== 'http2.header') continue;
          const n = findFirst(h.children, 'http2.header.name');
          const v = findFirst(h.children, 'http2.header.value');
          headers.push([n?.show ?? '<unknown>', v?.show ?? '<unknown>']);
        }
        const k = seen.get(id) ?? 0;
        seen.set(id, k + 1);
        out.push({ frame: pkt.num, tcpStream: fi.stream, id, flags, headers, indexInPacket: k });
      }
    }
  }
  return out;
}
