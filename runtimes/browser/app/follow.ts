/**
 * The worker's side of follow stream and of the pcap export: both read packets of the original
 * capture by the index's file offsets (src/capsel.ts), one chunk of the file at a time. Follow
 * reassembles one connection (src/stream.ts) and splits its HTTP/1 messages, bodies decoded
 * with the browser's DecompressionStream; the export writes the selected packets' records and
 * blocks unchanged, so the file holds the same bytes and times as the capture.
 */
import { CaptureSelector } from '../../../src/capsel.js';
import { Reassembler, splitHttp, decodeBody, packetAt, tcpSegment, h2Data, contentCodings, uncode, MAX_FOLLOW_BYTES, type Decompressor, type StreamChunk, type HttpMessage } from '../../../src/stream.js';
import type { Exchange } from '../../../src/exchanges.js';
import type { ExchangeBodies, HarBody } from './har.js';
import type { H2Body, H2Connection } from './streams.js';

/** Bytes of the capture read at a time. */
const READ_BYTES = 1 << 20;
/** Body bytes of one HTTP message the follow view is sent (decoded); the rest is counted. */
export const MAX_FOLLOW_BODY = 1 << 20;

/** A packet of the selection: where its bytes are in the capture, its number and time. */
export interface PickedPacket { off: number; num: number; time: number }

/**
 * Reads `blob` in order and hands each selected packet (its offsets in increasing order) to
 * `onPacket`; `out` receives the bytes of a capture file of the source's format holding just
 * them. Stops reading once the last one is found. Throws Error('superseded') when `cancelled()`.
 */
export async function walkSelected(blob: Blob, picked: Iterable<PickedPacket>, sink: { out?: (b: Uint8Array) => void; onPacket?: (p: PickedPacket, linktype: number, data: Uint8Array) => void },
  cancelled: () => boolean, progress?: (bytes: number) => void): Promise<number> {
  const fifo: PickedPacket[] = [];
  function* offsets(): Generator<number> { for (const p of picked) { fifo.push(p); yield p.off; } }
  const sel = new CaptureSelector(offsets(), {
    ...(sink.out ? { out: sink.out } : {}),
    packet: (p) => { const q = fifo.shift()!; sink.onPacket?.(q, p.linktype, p.data); },
  });
  let at = 0;
  while (!sel.done && at < blob.size) {
    const chunk = new Uint8Array(await blob.slice(at, at + READ_BYTES).arrayBuffer());
    if (cancelled()) throw new Error('superseded');
    sel.push(chunk);
    at += chunk.length;
    progress?.(at);
  }
  sel.finish();
  return sel.found;
}

/** An HTTP/1 message of a followed connection, with its body decoded as far as it can be. */
export interface FollowMessage extends HttpMessage {
  /** Body bytes on the wire and after decoding (null: not decoded, `note` says why). */
  rawSize: number;
  size: number | null;
  codings: string[];
  /** The decoded body's first MAX_FOLLOW_BODY bytes. */
  body: Uint8Array | null;
  note?: string;
}

/** What the follow view shows of one connection. */
export interface FollowResult {
  flow: string; client: string; server: string;
  /** Per direction (0 client → server, 1 back): the bytes kept and what happened to the others. */
  dirs: Array<{ bytes: Uint8Array; total: number; cut: number; retransmitted: number; missing: number; fin: boolean; rst: boolean }>;
  /** The runs in Wireshark's follow order; `packet` is the pcap.num that delivered each. */
  chunks: StreamChunk[];
  messages: FollowMessage[];
  /** Why HTTP splitting stopped in a direction (null: read to the end or not HTTP). */
  stopped: [string | null, string | null];
  /** Whether the client's bytes begin with the HTTP/2 connection preface (RFC 9113 §3.4). */
  http2: boolean;
  packets: number;
  /** The limit of bytes kept per direction (MAX_FOLLOW_BYTES). */
  limit: number;
}

const PREFACE = 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n';

/** Follows connection `flow` of the capture: its packets reassembled, its HTTP/1 messages split and decoded. */
export async function follow(blob: Blob, flow: string, picked: Iterable<PickedPacket>, inflate: Decompressor, cancelled: () => boolean): Promise<FollowResult> {
  const r = new Reassembler(MAX_FOLLOW_BYTES);
  let packets = 0;
  await walkSelected(blob, picked, {
    onPacket: (p, linktype, data) => { packets++; const seg = tcpSegment(linktype, data); if (seg) r.add(seg, p.time, p.num); },
  }, cancelled);
  const s = r.finish();
  const client = s.dirs[0].bytes;
  const http2 = client.length >= PREFACE.length && new TextDecoder('latin1').decode(client.subarray(0, PREFACE.length)) === PREFACE;
  const split = http2 ? { messages: [], stopped: [null, null] as [null, null] } : splitHttp(s);
  const messages: FollowMessage[] = [];
  for (const m of split.messages) {
    const b = await decodeBody(s, m, inflate);
    messages.push({ ...m, rawSize: b.raw.length, size: b.data ? b.data.length : null, codings: b.codings, body: b.data ? b.data.slice(0, MAX_FOLLOW_BODY) : null, ...(b.note ? { note: b.note } : {}) });
  }
  return {
    flow, client: s.client, server: s.server,
    dirs: s.dirs.map(({ bytes, total, cut, retransmitted, missing, fin, rst }) => ({ bytes: bytes.slice(), total, cut, retransmitted, missing, fin, rst })),
    chunks: s.chunks, messages, stopped: split.stopped, http2, packets, limit: MAX_FOLLOW_BYTES,
  };
}

/** Stream bytes (TCP payload) one HAR export reassembles at most, over all its connections. */
export const MAX_HAR_STREAM_BYTES = 64 << 20;

/**
 * The request and response bodies of the HTTP/1 exchanges `list`, from their connections
 * reassembled in one pass over the capture (`picked`: those connections' packets, each with its
 * flow), bounded by `budget` bytes of payload in all (MAX_HAR_STREAM_BYTES): each message is
 * matched to its exchange by the packet that carried its head (the record with the head is a
 * packet of the head's bytes); an HTTP/2 exchange gets its stream's DATA both ways (h2Data). A
 * body known only in part (frames not read past a gap) is given with a note saying so.
 */
export async function harBodiesOf(blob: Blob, list: readonly Exchange[], picked: Iterable<PickedPacket & { flow: string }>, inflate: Decompressor,
  cancelled: () => boolean, budget = MAX_HAR_STREAM_BYTES): Promise<{ bodies: Map<number, ExchangeBodies>; note: string | null }> {
  const bodies = new Map<number, ExchangeBodies>();
  const byFlow = new Map<string, Exchange[]>();
  for (const e of list) if ((e.proto.startsWith('HTTP/1') || e.stream !== undefined) && e.flow) byFlow.set(e.flow, [...(byFlow.get(e.flow) ?? []), e]);
  const streams = new Map<string, Reassembler>();
  const cut = new Set<string>();
  let left = budget;
  await walkSelected(blob, picked, {
    onPacket: (p, linktype, data) => {
      const f = (p as PickedPacket & { flow: string }).flow;
      const seg = tcpSegment(linktype, data);
      if (!seg) return;
      if (seg.payload.length > left) { cut.add(f); left = 0; return; }
      left -= seg.payload.length;
      let r = streams.get(f);
      if (!r) streams.set(f, r = new Reassembler());
      r.add(seg, p.time, p.num);
    },
  }, cancelled);
  for (const [f, r] of streams) {
    const st = r.finish();
    const exs = byFlow.get(f) ?? [];
    if (exs.some((e) => e.stream !== undefined)) {
      // HTTP/2: each stream's DATA, both ways (h2Data), decoded by the exchange's Content-Encoding.
      const { streams: data, stopped } = h2Data(st);
      for (const e of exs) {
        const d = e.stream !== undefined ? data.get(e.stream) : undefined;
        if (!d) continue;
        const x: ExchangeBodies = {};
        for (const dir of [0, 1] as const) {
          if (!d[dir].length) continue;
          const codings = contentCodings(dir === 0 ? e.reqHeaders : e.respHeaders);
          const u = await uncode(d[dir], codings, inflate);
          const note = u.note ?? (stopped[dir] !== null ? `frames after ${stopped[dir]} were not read` : undefined);
          const body: HarBody = { data: u.data, rawSize: d[dir].length, codings, ...(note !== undefined ? { note } : {}) };
          if (dir === 0) x.request = body; else x.response = body;
        }
        bodies.set(e.id, x);
      }
      continue;
    }
    for (const m of splitHttp(st).messages) {
      const d = st.dirs[m.dir];
      const from = packetAt(d, m.start), to = packetAt(d, m.bodyStart - 1);
      const e = exs.find((x) => { const n = m.dir === 0 ? x.reqNum : x.respNum; return n !== undefined && n >= from && n <= to; });
      if (!e) continue;
      const b = await decodeBody(st, m, inflate);
      const note = b.note === undefined ? undefined : cut.has(f) && !m.complete ? `the export's stream budget (MAX_HAR_STREAM_BYTES, ${budget} bytes) was reached` : b.note;
      const body: HarBody = { data: b.data, rawSize: b.raw.length, codings: b.codings, ...(note !== undefined ? { note } : {}) };
      const x = bodies.get(e.id) ?? {};
      if (m.dir === 0) x.request = body; else x.response = body;
      bodies.set(e.id, x);
    }
  }
  const note = cut.size ? `bodies of ${cut.size} connection(s) are missing or cut: the export reassembles at most ${budget} bytes of streams (MAX_HAR_STREAM_BYTES)` : null;
  return { bodies, note };
}

/**
 * Adds to each stream of `c` its bodies both ways: the connection reassembled (at most
 * MAX_FOLLOW_BYTES each way), its frames read (stream.ts h2Data), each stream's DATA decoded by
 * the Content-Encoding its request or response HEADERS name.
 */
export async function h2Bodies(blob: Blob, picked: Iterable<PickedPacket>, c: H2Connection, inflate: Decompressor, cancelled: () => boolean): Promise<H2Connection> {
  const r = new Reassembler(MAX_FOLLOW_BYTES);
  await walkSelected(blob, picked, { onPacket: (p, linktype, data) => { const seg = tcpSegment(linktype, data); if (seg) r.add(seg, p.time, p.num); } }, cancelled);
  const { streams, stopped } = h2Data(r.finish());
  for (const s of c.streams) {
    const data = streams.get(s.id);
    if (!data) continue;
    const out: [H2Body | null, H2Body | null] = [null, null];
    for (const dir of [0, 1] as const) {
      if (!data[dir].length) continue;
      const head = s.frames.find((f) => f.kind === (dir === 0 ? 'request' : 'response'));
      const codings = contentCodings(head?.headers ?? []);
      const d = await uncode(data[dir], codings, inflate);
      out[dir] = { rawSize: data[dir].length, size: d.data ? d.data.length : null, codings, body: d.data ? d.data.slice(0, MAX_FOLLOW_BODY) : null, ...(d.note ? { note: d.note } : {}) };
    }
    s.bodies = out;
  }
  return { ...c, dataStopped: stopped };
}
