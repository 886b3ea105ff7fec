// Builds TCP conversations (handshake, data segments with correct sequence numbers, ACKs,
// FIN/RST) between a client and a server for state-machine tests.
import * as B from './build.js';

/** One side of a connection. */
interface Side { ip: string; mac: string; port: number; seq: number }

/** A TCP conversation whose packets are appended to a capture with explicit timestamps. */
export class Conversation {
  readonly packets: B.PcapPacket[];
  c: Side; s: Side;

  constructor(packets: B.PcapPacket[], o: { cport?: number; sport?: number; cseq?: number; sseq?: number; client?: string; server?: string } = {}) {
    this.packets = packets;
    this.c = { ip: o.client ?? '10.0.0.1', mac: '42:01:0a:00:00:01', port: o.cport ?? 51234, seq: o.cseq ?? 1000 };
    this.s = { ip: o.server ?? '10.0.0.2', mac: '42:01:0a:00:00:02', port: o.sport ?? 8080, seq: o.sseq ?? 5000 };
  }

  private pkt(from: Side, to: Side, flags: string, payload: Uint8Array, t: number, seqOverride?: number, window = 502): number {
    const seq = seqOverride ?? from.seq;
    const segment = B.tcp({ srcPort: from.port, dstPort: to.port, seq: seq >>> 0, ack: flags.includes('ACK') ? to.seq >>> 0 : 0, flags, window, payload, src: from.ip, dst: to.ip });
    // An address with a colon makes it an IPv6 conversation.
    const data = from.ip.includes(':')
      ? B.ethernet({ src: from.mac, dst: to.mac, type: B.ETH.IPV6, payload: B.ipv6({ src: from.ip, dst: to.ip, payload: segment }) })
      : B.ethernet({ src: from.mac, dst: to.mac, type: B.ETH.IPV4, payload: B.ipv4({ src: from.ip, dst: to.ip, proto: 6, flags: 'DF', payload: segment }) });
    const sec = Math.floor(t), nsec = Math.round((t - sec) * 1e9);
    this.packets.push({ data, ts: { sec, nsec } });
    return this.packets.length - 1;
  }

  /** SYN, SYN|ACK, ACK at time t (+1 ms steps); returns the index of the first packet. */
  handshake(t: number): number {
    const i = this.pkt(this.c, this.s, 'SYN', new Uint8Array(0), t); this.c.seq += 1;
    this.pkt(this.s, this.c, 'SYN|ACK', new Uint8Array(0), t + 0.001); this.s.seq += 1;
    this.pkt(this.c, this.s, 'ACK', new Uint8Array(0), t + 0.002);
    return i;
  }
  /** A TCP Fast Open handshake (RFC 7413 §3): the client's SYN carries data, the SYN|ACK acknowledges it, then the ACK; returns the SYN's index. */
  fastOpen(text: string | Uint8Array, t: number): number {
    const p = typeof text === 'string' ? B.ascii(text) : text;
    const i = this.pkt(this.c, this.s, 'SYN', p, t); this.c.seq += 1 + p.length;
    this.pkt(this.s, this.c, 'SYN|ACK', new Uint8Array(0), t + 0.001); this.s.seq += 1;
    this.pkt(this.c, this.s, 'ACK', new Uint8Array(0), t + 0.002);
    return i;
  }
  /** Client sends data (one segment). */
  send(text: string | Uint8Array, t: number, flags = 'PSH|ACK'): number {
    const p = typeof text === 'string' ? B.ascii(text) : text;
    const i = this.pkt(this.c, this.s, flags, p, t); this.c.seq += p.length; if (flags.includes('FIN')) this.c.seq += 1; return i;
  }
  /** Server sends data (one segment). */
  reply(text: string | Uint8Array, t: number, flags = 'PSH|ACK'): number {
    const p = typeof text === 'string' ? B.ascii(text) : text;
    const i = this.pkt(this.s, this.c, flags, p, t); this.s.seq += p.length; if (flags.includes('FIN')) this.s.seq += 1; return i;
  }
  /** A segment of client data at an explicit sequence number (retransmission, reordering). */
  sendAt(text: string, seq: number, t: number): number { return this.pkt(this.c, this.s, 'PSH|ACK', B.ascii(text), t, seq); }
  /** Server data at an explicit sequence number. */
  replyAt(text: string, seq: number, t: number): number { return this.pkt(this.s, this.c, 'PSH|ACK', B.ascii(text), t, seq); }
  /** Any segment from the client ('c') or the server ('s') at an explicit sequence number and window, leaving the side's next sequence number as it is (retransmitted SYNs and FINs, probes, keep-alives). */
  segment(from: 'c' | 's', flags: string, text: string, t: number, seq: number, window = 502): number {
    return from === 'c' ? this.pkt(this.c, this.s, flags, B.ascii(text), t, seq, window) : this.pkt(this.s, this.c, flags, B.ascii(text), t, seq, window);
  }
  /** Pure ACK from the client / the server. */
  clientAck(t: number): number { return this.pkt(this.c, this.s, 'ACK', new Uint8Array(0), t); }
  serverAck(t: number): number { return this.pkt(this.s, this.c, 'ACK', new Uint8Array(0), t); }
  /** Pure ACK advertising a zero window, from the client / the server. */
  clientZeroWindow(t: number): number { return this.pkt(this.c, this.s, 'ACK', new Uint8Array(0), t, undefined, 0); }
  serverZeroWindow(t: number): number { return this.pkt(this.s, this.c, 'ACK', new Uint8Array(0), t, undefined, 0); }
  /** FIN|ACK from the client / the server. */
  clientFin(t: number): number { const i = this.pkt(this.c, this.s, 'FIN|ACK', new Uint8Array(0), t); this.c.seq += 1; return i; }
  serverFin(t: number): number { const i = this.pkt(this.s, this.c, 'FIN|ACK', new Uint8Array(0), t); this.s.seq += 1; return i; }
  /** RST from the server / the client. */
  serverRst(t: number): number { return this.pkt(this.s, this.c, 'RST|ACK', new Uint8Array(0), t); }
  clientRst(t: number): number { return this.pkt(this.c, this.s, 'RST|ACK', new Uint8Array(0), t); }
}

/** An HTTP/1.1 request with an optional trace header line. */
export function request(path: string, traceHeader = '', extra = ''): string {
  return `GET ${path} HTTP/1.1\r\nHost: example.com\r\n${traceHeader ? traceHeader + '\r\n' : ''}${extra}\r\n`;
}

/** An HTTP/1.1 response with a body. */
export function response(body: string, status = '200 OK', extra = ''): string {
  return `HTTP/1.1 ${status}\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n${extra}\r\n${body}`;
}

/** The traceparent header line of exchangePackets' request. */
export const TRACEPARENT = 'traceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

/**
 * The IPv4 packets of an HTTP/1.1 exchange with a trace between 10.1.0.1:40000 and 10.1.0.2:80,
 * without a link layer (for tests that wrap them in tunnels or link-level encapsulations):
 * handshake, GET path with TRACEPARENT, 200 with a 2-byte body, the client's ACK.
 */
export function exchangePackets(path: string): { fromClient: boolean; ip: Uint8Array }[] {
  let cs = 1000, ss = 5000;
  const seg = (fromClient: boolean, flags: string, payload: Uint8Array) => {
    const [src, dst, sp, dp] = fromClient ? ['10.1.0.1', '10.1.0.2', 40000, 80] as const : ['10.1.0.2', '10.1.0.1', 80, 40000] as const;
    const t = B.tcp({ srcPort: sp, dstPort: dp, seq: fromClient ? cs : ss, ack: flags.includes('ACK') ? (fromClient ? ss : cs) : 0, flags, payload, src, dst });
    const ip = B.ipv4({ src, dst, proto: 6, payload: t });
    const n = payload.length + (flags.includes('SYN') || flags.includes('FIN') ? 1 : 0);
    if (fromClient) cs += n; else ss += n;
    return { fromClient, ip };
  };
  return [
    seg(true, 'SYN', new Uint8Array(0)), seg(false, 'SYN|ACK', new Uint8Array(0)), seg(true, 'ACK', new Uint8Array(0)),
    seg(true, 'PSH|ACK', B.ascii(`GET ${path} HTTP/1.1\r\nHost: svc\r\n${TRACEPARENT}\r\n\r\n`)),
    seg(false, 'PSH|ACK', B.ascii('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok')),
    seg(true, 'ACK', new Uint8Array(0)),
  ];
}
