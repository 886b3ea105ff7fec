/**
 * The hosts filter (--hosts, pcap-sidecar's PCAP_HOSTS): packets to or from an address of the
 * named hosts. Names are resolved with the system's resolver (getaddrinfo: /etc/hosts, then
 * DNS, as nsswitch.conf says) at start and again every few seconds, so a host whose addresses
 * change stays selected; pcap-sidecar resolves once at start. The selection is a classic BPF
 * program (`host A or host B …`, compiled by the machine's libpcap for the capture's link type)
 * that the core runs on every packet; it is replaced between two packets when the addresses
 * change (Translator.setBpf).
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { BpfProgram } from '../../src/filter.js';
import { compileBpf } from './bpf.js';

/** Seconds between two resolutions of --hosts (--hosts-every). */
export const DEFAULT_RESOLVE_SECS = 60;
/** Most names --hosts takes. */
export const MAX_HOSTS = 64;

/** Checks --hosts names (a host name or an IP address each); returns the error's text, or null. */
export function badHostName(name: string): string | null {
  if (isIP(name)) return null;
  if (name.length > 253 || !/^(?=.{1,253}$)([A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?$/.test(name)) {
    return `not a host name or IP address: ${JSON.stringify(name)}`;
  }
  return null;
}

/** The program that rejects every packet (a hosts filter none of whose names resolved). */
export const REJECT_ALL: readonly { code: number; jt: number; jf: number; k: number }[] = [{ code: 0x06, jt: 0, jf: 0, k: 0 }];

/** The BPF expression selecting packets to or from any of `addresses` ('' for none). */
export function hostsExpression(addresses: readonly string[]): string {
  return addresses.map((a) => `host ${a}`).join(' or ');
}

/** The programs of the hosts filter for a link type: `host A or …`, or reject-all when there is no address. */
export function hostsPrograms(addresses: readonly string[], linktype: number, snaplen = 262144, compile = compileBpf): BpfProgram[] {
  if (addresses.length === 0) return [{ linktype, program: REJECT_ALL.map((i) => ({ ...i })) }];
  return compile(hostsExpression(addresses), [linktype], snaplen);
}

export type Lookup = (name: string) => Promise<string[]>;

/** The system resolver: every address of a name (IPv4 and IPv6), as getaddrinfo returns them. */
export const systemLookup: Lookup = async (name) => (await dnsLookup(name, { all: true, verbatim: true })).map((a) => a.address);

/** Names resolved now and every `everySecs` seconds; `addresses` is the union of the last good answers. */
export interface HostWatch {
  readonly names: readonly string[];
  /** The addresses in effect (sorted, distinct). */
  readonly addresses: readonly string[];
  /** Calls `listener` after each resolution that changed `addresses`; returns what stops it. */
  onChange(listener: (addresses: readonly string[]) => void): () => void;
  /** Resolves every name again now; true when the addresses changed. */
  refresh(): Promise<boolean>;
  /** Stops the periodic resolution. */
  close(): void;
}

export interface HostWatchOptions {
  /** Seconds between resolutions (default DEFAULT_RESOLVE_SECS). */
  everySecs?: number;
  /** Lines for standard error (a name that does not resolve, or resolves again). */
  say?: (line: string) => void;
  /** The resolver (default the system's). */
  lookup?: Lookup;
}

/**
 * Resolves `names` once (resolves after that first round) and then every `everySecs`. A name
 * that does not resolve keeps its previous addresses (a resolver's hiccup does not drop the
 * host), and one line says so when it starts and stops failing; a name that never resolved
 * selects nothing.
 */
export async function watchHosts(names: readonly string[], o: HostWatchOptions = {}): Promise<HostWatch> {
  const say = o.say ?? ((line: string) => { process.stderr.write(line); });
  const lookup = o.lookup ?? systemLookup;
  const known = new Map<string, string[]>();
  const failing = new Set<string>();
  const listeners = new Set<(a: readonly string[]) => void>();
  let current: string[] = [];
  let closed = false;

  const union = () => [...new Set([...known.values()].flat())].sort();
  async function refresh(): Promise<boolean> {
    await Promise.all(names.map(async (name) => {
      if (isIP(name)) { known.set(name, [name]); return; }
      try {
        const found = [...new Set(await lookup(name))].sort();
        known.set(name, found);
        if (failing.delete(name)) say(`tracecap: --hosts ${name}: resolves again (${found.join(', ') || 'no address'})\n`);
      } catch (e) {
        if (!failing.has(name)) {
          failing.add(name);
          const why = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
          say(`tracecap: --hosts ${name}: not resolved (${why}); ${known.has(name) ? 'its last addresses stay selected' : 'nothing of it is selected'} until it resolves\n`);
        }
      }
    }));
    const next = union();
    if (next.join(' ') === current.join(' ')) return false;
    current = next;
    if (!closed) for (const l of listeners) l(current);
    return true;
  }

  await refresh();
  const every = Math.max(1, o.everySecs ?? DEFAULT_RESOLVE_SECS) * 1000;
  let timer: NodeJS.Timeout | null = null;
  const schedule = () => {
    timer = setTimeout(() => { void refresh().finally(() => { if (!closed) schedule(); }); }, every);
    timer.unref();
  };
  schedule();
  return {
    names,
    get addresses() { return current; },
    onChange(l) { listeners.add(l); return () => { listeners.delete(l); }; },
    refresh,
    close() { closed = true; if (timer) clearTimeout(timer); },
  };
}
