// PCAP-over-IP (--pcap-over-ip ADDR:PORT): every TCP client that connects gets a classic pcap
// stream of the live capture, the convention Arkime, pkappa2, NetworkMiner and others read: a
// global header, then one record per packet, from the moment it connected.
//
// The capture never waits for a client. Packets of one event-loop turn are gathered into one
// chunk (copied once, shared by every client) and handed to each socket without blocking; a
// client that still has more than a bounded number of bytes waiting from earlier turns when the
// next chunk comes is cut off (one line on stderr), so a slow or stalled reader costs bounded
// memory (the bound plus one turn's packets, shared by all clients) and slows nobody else.
import * as net from 'node:net';
import { pcapFileHeader, writePcapRecord, pcapRecordLength, type PacketRecord, type TsResolution } from '../../../src/pcapfile.js';

/**
 * Bytes that may still wait for a client (handed to its socket, not yet taken by the kernel) when
 * the next turn's packets come; beyond, it is cut off.
 */
export const PCAP_OVER_IP_CLIENT_BYTES = 4 << 20;
/** Clients connected at once; one more is refused (closed at once, one line on stderr). */
export const PCAP_OVER_IP_MAX_CLIENTS = 32;
/**
 * Packets of one event-loop turn are handed over together at its end; beyond this many bytes (a
 * flood read in one turn) they are handed over at once, and the bound above counts them.
 */
export const PCAP_OVER_IP_TURN_BYTES = 16 << 20;
/** At the end of the capture, how long clients get to take what is queued for them before they are cut (ms). */
export const PCAP_OVER_IP_CLOSE_MS = 2000;

/** The server could not listen: one line naming the address and the reason (a start error, exit 2). */
export class PcapOverIpError extends Error {
  override name = 'PcapOverIpError';
}

/** An address to listen on: host (an IP address or a name; IPv6 without brackets) and port. */
export interface ListenAddress { host: string; port: number }

/**
 * Reads `ADDR:PORT` (IPv6 as `[ADDR]:PORT`; port 0: any free port); throws RangeError with one
 * line. A name (`localhost`) is resolved when listening.
 */
export function parseListenAddress(text: string): ListenAddress {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(text) ?? /^([^:[\]]+):(\d+)$/.exec(text);
  if (!m) throw new RangeError(`--pcap-over-ip needs ADDR:PORT (IPv6 as [ADDR]:PORT), not ${JSON.stringify(text)}`);
  const port = Number(m[2]);
  if (port > 65535) throw new RangeError(`--pcap-over-ip: port ${m[2]} is above 65535`);
  return { host: m[1]!, port };
}

/** Options of listenPcapOverIp(). */
export interface PcapOverIpOptions extends ListenAddress {
  /** Receives one line (with its newline) per client cut off or refused. */
  say: (line: string) => void;
  /** Per-client queue bound (default PCAP_OVER_IP_CLIENT_BYTES). */
  clientBytes?: number;
  /** Clients at once (default PCAP_OVER_IP_MAX_CLIENTS). */
  maxClients?: number;
  /** Grace at close (default PCAP_OVER_IP_CLOSE_MS). */
  closeMs?: number;
}

/** A listening PCAP-over-IP server. */
export interface PcapOverIpServer {
  /** Where it listens, as `ADDR:PORT` (`[ADDR]:PORT` for IPv6), the port being the one bound. */
  readonly address: string;
  /**
   * The stream's format, once the capture runs: clients that connected before get their global
   * header now, later ones when they connect. Packets written before are dropped. Called again
   * (a new window), the same format goes on; another closes the clients connected.
   */
  start(linktype: number, snaplen: number, resolution: TsResolution): void;
  /** One packet, to every client (copied: `p.data` may be reused after the call). */
  write(p: PacketRecord): void;
  /** Clients connected now. */
  readonly clients: number;
  /** Counters: clients accepted, cut off for reading too slowly, refused. */
  stats(): { accepted: number; cut: number; refused: number };
  /** Stops listening, hands the last packets over, gives clients closeMs to take them, then closes them. */
  close(): Promise<void>;
}

const LOOPBACK = /^(127\.|::1$|localhost$)/;

/** Formats a bound address. */
function addressText(a: net.AddressInfo | string | null, fallback: ListenAddress): string {
  if (a === null || typeof a === 'string') return `${fallback.host}:${fallback.port}`;
  return a.family === 'IPv6' ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
}

/** Listens on `host:port`; rejects with PcapOverIpError (one line) when it cannot. */
export function listenPcapOverIp(o: PcapOverIpOptions): Promise<PcapOverIpServer> {
  const clientBytes = o.clientBytes ?? PCAP_OVER_IP_CLIENT_BYTES;
  const maxClients = o.maxClients ?? PCAP_OVER_IP_MAX_CLIENTS;
  const closeMs = o.closeMs ?? PCAP_OVER_IP_CLOSE_MS;
  const say = (line: string) => { try { o.say(`tracecap: ${line}\n`); } catch { /* never into the capture */ } };
  const clients = new Set<net.Socket>();
  const st = { accepted: 0, cut: 0, refused: 0 };
  let header: Uint8Array | null = null;
  let resolution: TsResolution = 'us';
  let closed = false;
  // Records of this event-loop turn, in one growing buffer.
  let stage = new Uint8Array(256 << 10);
  let staged = 0;
  let scheduled = false;
  // Called when the last client is gone after close().
  let onLastGone: (() => void) | null = null;

  const peer = (s: net.Socket) => (s.remoteFamily === 'IPv6' ? `[${s.remoteAddress}]:${s.remotePort}` : `${s.remoteAddress}:${s.remotePort}`);

  function flush(): void {
    scheduled = false;
    if (staged === 0) return;
    if (clients.size === 0 || header === null) { staged = 0; return; }
    // One copy per turn, shared: a socket keeps a reference to what it was given until it is sent.
    const chunk = Buffer.from(stage.subarray(0, staged));
    staged = 0;
    for (const s of clients) {
      // What it has not taken since the last turns: a reader that keeps up has (nearly) nothing.
      if (s.writableLength > clientBytes) {
        st.cut++;
        say(`pcap over IP: client ${peer(s)} cut off: more than ${clientBytes} bytes waited for it (it reads too slowly)`);
        clients.delete(s);
        s.destroy();
        continue;
      }
      s.write(chunk);
    }
  }

  const server = net.createServer({ noDelay: true }, (s) => {
    if (closed || clients.size >= maxClients) {
      st.refused++;
      if (!closed) say(`pcap over IP: client ${peer(s)} refused: ${maxClients} clients are connected already`);
      s.destroy();
      return;
    }
    st.accepted++;
    clients.add(s);
    // A client that leaves (or resets) is simply gone; nothing it sends is read.
    s.on('error', () => {});
    s.on('close', () => {
      clients.delete(s);
      if (clients.size === 0) onLastGone?.();
    });
    s.on('data', () => {});
    if (header) s.write(header);
  });

  return new Promise((resolve, reject) => {
    const where = `--pcap-over-ip ${o.host.includes(':') ? `[${o.host}]` : o.host}:${o.port}`;
    server.once('error', (e: NodeJS.ErrnoException) => {
      const why = e.code === 'EADDRINUSE' ? 'the address is in use'
        : e.code === 'EADDRNOTAVAIL' ? 'no such address on this machine'
          : e.code === 'EACCES' ? 'permission denied'
            : e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN' ? 'unknown host'
              : e.message;
      reject(new PcapOverIpError(`${where}: cannot listen: ${why}`));
    });
    server.listen({ host: o.host, port: o.port }, () => {
      server.on('error', () => { /* after listening: only accept() failures (EMFILE); clients come back */ });
      const address = addressText(server.address(), o);
      if (!LOOPBACK.test(o.host)) say(`pcap over IP on ${address} is reachable from other machines: every packet captured goes to whoever connects`);
      resolve({
        address,
        get clients() { return clients.size; },
        stats: () => ({ ...st }),
        start(linktype: number, snaplen: number, res: TsResolution): void {
          const next = pcapFileHeader(linktype, snaplen, res);
          staged = 0;
          resolution = res;
          if (header !== null) {
            // Again (the next --cron window): the clients' streams go on when the format is the
            // same; a stream cannot change format midway, so its clients are closed (they may reconnect).
            const same = header.length === next.length && header.every((b, i) => b === next[i]);
            header = next;
            if (same) return;
            for (const s of clients) {
              say(`pcap over IP: client ${peer(s)} closed: the capture's link type or snap length changed`);
              clients.delete(s);
              s.end();
            }
            return;
          }
          header = next;
          for (const s of clients) s.write(header);
        },
        write(p: PacketRecord): void {
          if (header === null || closed || clients.size === 0) return;
          const n = pcapRecordLength(p);
          if (staged + n > stage.length) {
            const bigger = new Uint8Array(Math.max(stage.length * 2, staged + n));
            bigger.set(stage.subarray(0, staged));
            stage = bigger;
          }
          staged += writePcapRecord(stage, staged, p, resolution);
          if (staged >= PCAP_OVER_IP_TURN_BYTES) flush();
          else if (!scheduled) { scheduled = true; setImmediate(flush); }
        },
        async close(): Promise<void> {
          if (closed) return;
          flush();
          closed = true;
          const listening = new Promise<void>((r) => server.close(() => r()));
          await new Promise<void>((r) => {
            if (clients.size === 0) { r(); return; }
            onLastGone = r;
            for (const s of clients) s.end();
            // Clients that do not take their last bytes in time are cut.
            const t = setTimeout(() => { for (const s of clients) s.destroy(); }, closeMs);
            onLastGone = () => { clearTimeout(t); r(); };
          });
          await listening;
        },
      });
    });
  });
}
