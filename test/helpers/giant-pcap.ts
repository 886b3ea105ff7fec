// A synthetic capture for the parallel tests: one HTTP/1.1 keep-alive connection with thousands
// of exchanges (its records all fall to one thread at DEBUG) interleaved with hundreds of short
// connections (handshake, one exchange, FIN both ways) and a little UDP, in a classic
// microsecond pcap (Ethernet). Deterministic: the same arguments give the same bytes.

export interface GiantOptions {
  /** Exchanges on the one long connection (default 3000). */
  exchanges?: number;
  /** Short connections, spread over the long one (default 400). */
  shorts?: number;
}

const BODY = JSON.stringify({ ok: true, items: Array.from({ length: 4 }, (_, k) => ({ id: k, name: `item-${k}` })) });

export function giantCapture(o: GiantOptions = {}): Uint8Array {
  const exchanges = o.exchanges ?? 3000, shorts = o.shorts ?? 400;
  const parts: Uint8Array[] = [];
  let size = 0;
  let us = 1_700_000_000n * 1_000_000n;
  const header = new Uint8Array(24);
  const hv = new DataView(header.buffer);
  hv.setUint32(0, 0xa1b2c3d4, true); hv.setUint16(4, 2, true); hv.setUint16(6, 4, true); hv.setUint32(16, 262144, true); hv.setUint32(20, 1, true);
  parts.push(header); size += 24;
  const enc = new TextEncoder();

  const packet = (frame: Uint8Array) => {
    us += 53n;
    const rec = new Uint8Array(16);
    const v = new DataView(rec.buffer);
    v.setUint32(0, Number(us / 1_000_000n), true); v.setUint32(4, Number(us % 1_000_000n), true);
    v.setUint32(8, frame.length, true); v.setUint32(12, frame.length, true);
    parts.push(rec, frame); size += 16 + frame.length;
  };
  // Ethernet + IPv4 + TCP; checksums zero (nothing checks them).
  const tcp = (src: number, dst: number, sport: number, dport: number, seq: number, ack: number, flags: number, payload: Uint8Array = new Uint8Array(0)) => {
    const f = new Uint8Array(54 + payload.length);
    const v = new DataView(f.buffer);
    v.setUint32(0, 0x02000000); v.setUint16(4, 0x0002); v.setUint32(6, 0x02000000); v.setUint16(10, 0x0001); v.setUint16(12, 0x0800);
    f[14] = 0x45; v.setUint16(16, 40 + payload.length); v.setUint16(20, 0x4000); f[22] = 64; f[23] = 6;
    v.setUint32(26, src); v.setUint32(30, dst);
    v.setUint16(34, sport); v.setUint16(36, dport); v.setUint32(38, seq >>> 0); v.setUint32(42, ack >>> 0);
    f[46] = 0x50; f[47] = flags; v.setUint16(48, 502);
    f.set(payload, 54);
    packet(f);
  };
  const udp = (src: number, dst: number, sport: number, dport: number, payload: Uint8Array) => {
    const f = new Uint8Array(42 + payload.length);
    const v = new DataView(f.buffer);
    v.setUint32(0, 0x02000000); v.setUint16(4, 0x0002); v.setUint32(6, 0x02000000); v.setUint16(10, 0x0001); v.setUint16(12, 0x0800);
    f[14] = 0x45; v.setUint16(16, 28 + payload.length); f[22] = 64; f[23] = 17;
    v.setUint32(26, src); v.setUint32(30, dst);
    v.setUint16(34, sport); v.setUint16(36, dport); v.setUint16(38, 8 + payload.length);
    f.set(payload, 42);
    packet(f);
  };
  const SYN = 0x02, ACK = 0x10, PSH = 0x08, FIN = 0x01;
  const request = (i: number, host: string) => enc.encode(`GET /api/items/${i}?q=${i * 7} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: giant/1.0\r\n${i % 3 === 0 ? `X-Cloud-Trace-Context: ${(i >>> 0).toString(16).padStart(8, '0')}aa7843bc8bf206b120001000/${i};o=1\r\n` : ''}\r\n`);
  const response = (i: number) => { const body = `${BODY.slice(0, -1)},"n":${i}}`; return enc.encode(`HTTP/1.1 ${i % 17 === 0 ? '404 Not Found' : '200 OK'}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`); };

  // The long connection: 10.0.0.1:40000 → 10.0.0.2:8080.
  const C = 0x0a000001, S = 0x0a000002;
  let cs = 1000, ss = 5000;
  tcp(C, S, 40000, 8080, cs, 0, SYN); tcp(S, C, 8080, 40000, ss, cs + 1, SYN | ACK); cs++; ss++; tcp(C, S, 40000, 8080, cs, ss, ACK);
  const every = Math.max(1, Math.floor(exchanges / Math.max(1, shorts)));
  let short = 0;
  for (let i = 0; i < exchanges; i++) {
    const q = request(i, 'api.example.com'), r = response(i);
    tcp(C, S, 40000, 8080, cs, ss, PSH | ACK, q); cs += q.length;
    tcp(S, C, 8080, 40000, ss, cs, PSH | ACK, r); ss += r.length;
    tcp(C, S, 40000, 8080, cs, ss, ACK);
    if (i % every === 0 && short < shorts) {
      // A short connection from its own port (and, every 5th, its own client address).
      const a = 0x0a000100 + (short % 5 === 0 ? 1 + (short % 200) : 0), port = 20000 + short;
      let x = 77 + short, y = 9000 + short;
      const sq = request(100000 + short, 'short.example.com'), sr = response(100000 + short);
      tcp(a, S, port, 8080, x, 0, SYN); tcp(S, a, 8080, port, y, x + 1, SYN | ACK); x++; y++; tcp(a, S, port, 8080, x, y, ACK);
      tcp(a, S, port, 8080, x, y, PSH | ACK, sq); x += sq.length;
      tcp(S, a, 8080, port, y, x, PSH | ACK, sr); y += sr.length;
      tcp(a, S, port, 8080, x, y, FIN | ACK); x++;
      tcp(S, a, 8080, port, y, x, FIN | ACK); y++;
      tcp(a, S, port, 8080, x, y, ACK);
      if (short % 10 === 0) udp(a, 0x0a0000fe, 30000 + short, 53, enc.encode(`dns-ish ${short}`));
      short++;
    }
  }
  tcp(C, S, 40000, 8080, cs, ss, FIN | ACK); cs++; tcp(S, C, 8080, 40000, ss, cs, FIN | ACK); ss++; tcp(C, S, 40000, 8080, cs, ss, ACK);

  const out = new Uint8Array(size);
  let off = 0;
  for (const p of parts) { out.set(p, off); off += p.length; }
  return out;
}
