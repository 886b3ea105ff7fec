/**
 * The HTTP/2 per-stream view's facts: a connection's frames grouped by stream, from the core's
 * DEBUG records (`HTTP.streams` {id: {id, frames[]}}: each frame's `raw` summary, `flags`, `len`,
 * a HEADERS block's decoded `headers` and `kind` — request, response or trailers — and a DATA
 * frame's `body` {length: [data bytes, frame length], data: its sample}). Nothing is decoded
 * again here: the records are what the core read.
 */

/** Frames kept for one connection's view; the rest are counted (`more`). */
export const MAX_H2_FRAMES = 20_000;

/** One frame of a stream, as its record gives it. */
export interface H2Frame {
  /** pcap.num and time (ms) of the packet that ended the frame. */
  num: number; time: number;
  /** 0: sent by the client, 1: by the server. */
  dir: 0 | 1;
  /** Frame type (RFC 9113 §6), e.g. HEADERS, DATA, RST_STREAM. */
  type: string;
  /** The core's one-line summary (type, flags, stream, length). */
  raw: string;
  len: number;
  kind?: string;
  headers?: Array<[string, string]>;
  /** DATA: data bytes (padding excluded) and the record's sample of them. */
  data?: number; sample?: string;
  /** Why the frame's headers are missing or partial (the record's `skipped` / `hpack`). */
  note?: string;
}

/** One stream of the connection. */
export interface H2Stream {
  id: number;
  frames: H2Frame[];
  method?: string; path?: string; status?: string;
  /** DATA bytes each way. */
  data: [number, number];
  trailers: boolean;
  /** RST_STREAM seen (by whom). */
  reset?: 'client' | 'server';
  /** The request's and the response's body, from the reassembled connection's DATA frames (follow.ts h2Bodies). */
  bodies?: [H2Body | null, H2Body | null];
}

/** A stream's body one way: its DATA bytes, decoded by the stream's Content-Encoding where it can be. */
export interface H2Body {
  /** DATA bytes (padding excluded), and after decoding (null: not decoded, `note` says why). */
  rawSize: number; size: number | null;
  codings: string[];
  /** The decoded body's first MAX_FOLLOW_BODY bytes. */
  body: Uint8Array | null;
  note?: string;
}

/** A connection's HTTP/2 streams (stream 0, the connection's own frames, first). */
export interface H2Connection {
  flow: string; streams: H2Stream[]; frames: number; more: number;
  /** Why reading the reassembled bytes' frames stopped, per direction (bodies after it are not given). */
  dataStopped?: [string | null, string | null];
}

/** A record's HTTP value of the connection: its packet, time and whether the client sent it. */
export interface H2Record { num: number; time: number; fromClient: boolean; http: unknown }

type Rec = Record<string, unknown>;
const obj = (v: unknown): Rec | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? v as Rec : undefined);

/** Groups the frames of a connection's records by stream, in record order. */
export function h2StreamsOf(flow: string, records: readonly H2Record[]): H2Connection {
  const byId = new Map<number, H2Stream>();
  let frames = 0, more = 0;
  for (const r of records) {
    const streams = obj(obj(r.http)?.streams);
    if (!streams) continue;
    for (const sv of Object.values(streams)) {
      const st = obj(sv);
      const id = Number(st?.id);
      if (!st || !Number.isInteger(id)) continue;
      let s = byId.get(id);
      if (!s) { s = { id, frames: [], data: [0, 0], trailers: false }; byId.set(id, s); }
      for (const fv of Array.isArray(st.frames) ? st.frames : []) {
        const f = obj(fv);
        if (!f) continue;
        if (frames >= MAX_H2_FRAMES) { more++; continue; }
        frames++;
        const raw = typeof f.raw === 'string' ? f.raw : '';
        const type = (typeof f.type === 'string' ? f.type : raw.split(' ')[0] ?? '').toUpperCase();
        const dir: 0 | 1 = r.fromClient ? 0 : 1;
        const frame: H2Frame = { num: r.num, time: r.time, dir, type, raw, len: Number(f.len) || 0 };
        if (typeof f.kind === 'string') frame.kind = f.kind;
        const h = obj(f.headers);
        if (h) {
          frame.headers = [];
          for (const [k, v] of Object.entries(h)) for (const x of Array.isArray(v) ? v : [v]) frame.headers.push([k, String(x)]);
          const one = (k: string) => frame.headers!.find(([n]) => n === k)?.[1];
          if (f.kind === 'request') { s.method = one(':method'); s.path = one(':path'); }
          if (f.kind === 'response') s.status = one(':status');
          if (f.kind === 'trailers') s.trailers = true;
        }
        const body = obj(f.body);
        if (body) {
          const len = Array.isArray(body.length) ? Number(body.length[0]) : NaN;
          if (Number.isFinite(len)) { frame.data = len; s.data[dir] += len; }
          if (typeof body.data === 'string') frame.sample = body.data;
        }
        const note = [f.skipped, f.hpack].filter((x) => typeof x === 'string').join(', ');
        if (note) frame.note = note;
        if (type === 'RST_STREAM') s.reset = dir === 0 ? 'client' : 'server';
        s.frames.push(frame);
      }
    }
  }
  return { flow, streams: [...byId.values()].sort((a, b) => a.id - b.id), frames, more };
}
