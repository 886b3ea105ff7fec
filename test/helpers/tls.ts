// TLS for tests: a ClientHello record (RFC 8446 §4.1.2) with SNI (RFC 6066 §3) and ALPN
// (RFC 7301), as bytes ready to be a TCP payload.
import * as B from './build.js';

const u16 = (n: number) => Uint8Array.of((n >>> 8) & 255, n & 255);
const vec16 = (b: Uint8Array) => B.bytes(u16(b.length), b);
const vec8 = (b: Uint8Array) => B.bytes(Uint8Array.of(b.length), b);
const ext = (type: number, body: Uint8Array) => B.bytes(u16(type), vec16(body));

/** A TLS 1.3 ClientHello in one handshake record; `pad` adds a padding extension (RFC 7685) of that many bytes. */
export function clientHelloRecord(sni: string, alpn: string[] = ['h2', 'http/1.1'], pad = 0): Uint8Array {
  const exts = B.bytes(
    ext(0x0000, vec16(B.bytes(Uint8Array.of(0), vec16(B.ascii(sni))))),
    ext(0x0010, vec16(B.bytes(...alpn.map((a) => vec8(B.ascii(a)))))),
    ext(0x002b, vec8(B.bytes(u16(0x0304), u16(0x0303)))),
    ext(0x000d, vec16(B.bytes(u16(0x0403), u16(0x0804)))),
    ext(0x000a, vec16(u16(0x001d))),
    ext(0x0033, vec16(B.bytes(u16(0x001d), vec16(new Uint8Array(32).fill(7))))),
    ...(pad > 0 ? [ext(0x0015, new Uint8Array(pad))] : []),
  );
  const body = B.bytes(u16(0x0303), new Uint8Array(32).fill(1), Uint8Array.of(0), vec16(B.bytes(u16(0x1301), u16(0x1302))), Uint8Array.of(1, 0), vec16(exts));
  const hs = B.bytes(Uint8Array.of(1, (body.length >>> 16) & 255, (body.length >>> 8) & 255, body.length & 255), body);
  return B.bytes(Uint8Array.of(0x16, 3, 1), u16(hs.length), hs);
}
