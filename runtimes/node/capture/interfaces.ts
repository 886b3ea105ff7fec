/**
 * The OS interface table (kernel index, name, addresses) and `-i` device selection, as
 * pcap-sidecar resolves devices: an engine captures only on a device that is also a real OS
 * interface, except the `any` pseudo-device (index 0, no addresses).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { CaptureStartError, type OsInterface } from './types.js';

/** Where Linux lists its network interfaces, one directory each holding `ifindex`. */
const SYS_CLASS_NET = '/sys/class/net';

/** The `any` pseudo-device as upstream sees it: index 0, no addresses (so `local` is always false). */
export const ANY_INTERFACE: Readonly<OsInterface> = Object.freeze({ index: 0, name: 'any', addrs: [] });

/** Strips an IPv6 zone (`fe80::1%eth0`): upstream compares addresses by Go's string form, which has none. */
function addressText(address: string): string {
  const pct = address.indexOf('%');
  return pct < 0 ? address : address.slice(0, pct);
}

/**
 * The OS interfaces sorted by index: names and indexes from /sys/class/net, addresses from
 * os.networkInterfaces() (IPv4 and IPv6 as text, in the order the OS lists them). libuv omits
 * the addresses of interfaces that are not up and running; such an interface is listed without.
 */
export function listInterfaces(): OsInterface[] {
  let names: string[];
  try {
    names = readdirSync(SYS_CLASS_NET);
  } catch {
    // Not Linux: the records carry the kernel's interface index, read from /sys; refuse rather than guess.
    throw new CaptureStartError(`${SYS_CLASS_NET} is not readable: live capture needs Linux`);
  }
  const addrs = networkInterfaces();
  const table: OsInterface[] = [];
  for (const name of names) {
    let index: number;
    try {
      index = Number(readFileSync(`${SYS_CLASS_NET}/${name}/ifindex`, 'utf8').trim());
    } catch {
      continue; // vanished between readdir and read (a veth torn down): not an interface any more
    }
    if (!Number.isInteger(index) || index <= 0) continue;
    const seen = new Set<string>();
    const list: string[] = [];
    for (const a of addrs[name] ?? []) {
      const text = addressText(a.address);
      if (!seen.has(text)) { seen.add(text); list.push(text); }
    }
    table.push({ index, name, addrs: list });
  }
  return table.sort((a, b) => a.index - b.index);
}

/** What a `-i` pattern matches, as upstream's device regex `^(?:ipvlan-)?<prefix>` does for a prefix. */
function matches(pattern: string, name: string): boolean {
  if (!pattern.endsWith('*')) return name === pattern;
  const prefix = pattern.slice(0, -1);
  // Cloud Run's gen2 sandbox names its interfaces ipvlan-eth0…; upstream's regex lets `eth`
  // select them, so a prefix pattern does too. An exact name stays exact.
  return name.startsWith(prefix) || name.startsWith(`ipvlan-${prefix}`);
}

/**
 * The interfaces `-i` patterns select, in the order the patterns name them (each interface
 * once): `any`, an exact OS interface name (`lo`, `eth0`), or a prefix ending in `*`
 * (`eth*`: every interface whose name starts with `eth` or `ipvlan-eth`). A pattern that
 * matches nothing throws a CaptureStartError naming it.
 */
export function selectInterfaces(patterns: readonly string[], table: readonly OsInterface[] = listInterfaces()): OsInterface[] {
  if (patterns.length === 0) throw new CaptureStartError('no interface given (-i NAME, -i PREFIX*, or -i any)');
  const chosen: OsInterface[] = [];
  const taken = new Set<string>();
  for (const pattern of patterns) {
    if (pattern === '' || pattern === '*' || pattern.slice(0, -1).includes('*')) {
      throw new CaptureStartError(`-i ${JSON.stringify(pattern)}: give a name, a prefix followed by one '*' at the end, or any`);
    }
    const found = pattern === 'any' ? [ANY_INTERFACE] : table.filter((i) => matches(pattern, i.name));
    if (found.length === 0) {
      const known = table.map((i) => i.name).join(', ') || 'none';
      throw new CaptureStartError(`-i ${JSON.stringify(pattern)}: no such interface (interfaces: ${known}, any)`);
    }
    for (const iface of found) {
      if (taken.has(iface.name)) continue;
      taken.add(iface.name);
      chosen.push({ index: iface.index, name: iface.name, addrs: [...iface.addrs] });
    }
  }
  return chosen;
}
