// HTTP/2 for tests: frames (RFC 9113 §4.1) and an HPACK encoder (RFC 7541) that indexes as real
// encoders do — static-table references, literals with incremental indexing, references to the
// dynamic entries it added — so a decoder that misses a header block decodes later ones wrong
// unless it resynchronises.
import * as B from './build.js';

/** The client connection preface (RFC 9113 §3.4). */
export const PREFACE = B.ascii('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');

/** Frame types and flags used by the tests. */
export const T = { DATA: 0, HEADERS: 1, RST_STREAM: 3, SETTINGS: 4, PING: 6, GOAWAY: 7, WINDOW_UPDATE: 8, CONTINUATION: 9 } as const;
export const F = { END_STREAM: 1, ACK: 1, END_HEADERS: 4, PADDED: 8 } as const;

/** One frame: 9-byte header and payload. */
export function frame(type: number, flags: number, stream: number, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  const h = new Uint8Array(9);
  h[0] = (payload.length >>> 16) & 255; h[1] = (payload.length >>> 8) & 255; h[2] = payload.length & 255;
  h[3] = type; h[4] = flags;
  h[5] = (stream >>> 24) & 127; h[6] = (stream >>> 16) & 255; h[7] = (stream >>> 8) & 255; h[8] = stream & 255;
  return B.bytes(h, payload);
}

/** An empty SETTINGS frame (or its ACK). */
export function settings(ack = false): Uint8Array { return frame(T.SETTINGS, ack ? F.ACK : 0, 0); }

// The static-table entries the tests' fields use (RFC 7541 Appendix A): "name value" → index.
const STATIC: Record<string, number> = {
  ':method GET': 2, ':method POST': 3, ':path /': 4, ':scheme http': 6, ':scheme https': 7,
  ':status 200': 8, ':status 204': 9, ':status 404': 13, ':status 500': 14,
};

function int(value: number, prefixBits: number, first: number): number[] {
  const max = (1 << prefixBits) - 1;
  if (value < max) return [first | value];
  const out = [first | max];
  value -= max;
  while (value >= 128) { out.push((value & 127) | 128); value >>>= 7; }
  out.push(value);
  return out;
}

function str(s: string): number[] { const b = B.ascii(s); return [...int(b.length, 7, 0), ...b]; }

/** An HPACK encoder with its own dynamic table (one per connection direction). */
export class Hpack {
  private table: { name: string; value: string }[] = []; // newest first
  private size = 0;
  constructor(private readonly maxSize = 4096) {}

  /** Encodes a header block: static and dynamic references where it can, else a literal with incremental indexing (`index` false: without). */
  encode(fields: [string, string][], index = true): Uint8Array {
    const out: number[] = [];
    for (const [name, value] of fields) {
      const s = STATIC[`${name} ${value}`];
      if (s !== undefined) { out.push(...int(s, 7, 0x80)); continue; }
      const d = this.table.findIndex((e) => e.name === name && e.value === value);
      if (d >= 0) { out.push(...int(62 + d, 7, 0x80)); continue; }
      // A name the dynamic table has is referred to by its index, as real encoders do (§6.2.1).
      const dn = this.table.findIndex((e) => e.name === name);
      const nameBytes = dn >= 0 ? null : str(name);
      if (index) {
        out.push(...(dn >= 0 ? int(62 + dn, 6, 0x40) : [0x40, ...nameBytes!]), ...str(value));
        this.insert(name, value);
      } else out.push(...(dn >= 0 ? int(62 + dn, 4, 0x00) : [0x00, ...nameBytes!]), ...str(value));
    }
    return Uint8Array.from(out);
  }

  private insert(name: string, value: string): void {
    const sz = name.length + value.length + 32;
    this.table.unshift({ name, value }); this.size += sz;
    while (this.size > this.maxSize) { const e = this.table.pop()!; this.size -= e.name.length + e.value.length + 32; }
  }
}

/** A request's header fields. */
export function requestFields(path: string, extra: [string, string][] = [], method = 'GET'): [string, string][] {
  return [[':method', method], [':scheme', 'http'], [':authority', 'api.example.com'], [':path', path], ['user-agent', 'test/1.0'], ...extra];
}
