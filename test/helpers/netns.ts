// Network namespaces for tests that capture real traffic: each test gets its own namespace
// with loopback up at MTU 1500 and offloads off (real 1500-byte segments, as on a NIC), so
// its traffic and captures never touch the host's interfaces. Needs root and iproute2.
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';

/** Why namespaces cannot be used here, or null when they can. */
export function netnsUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'not root';
  const r = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8', timeout: 10_000 });
  if (r.error || r.status !== 0) return `ip netns is unavailable (${r.error?.message ?? r.stderr.trim()})`;
  return null;
}

let serial = 0;

/** A namespace made by this process; destroy() kills what was started in it and deletes it. */
export class Netns {
  readonly name = `tcap-live-${process.pid}-${++serial}`;
  readonly #children = new Set<ChildProcess>();

  constructor() {
    run('ip', ['netns', 'add', this.name]);
    try {
      this.run('ip', ['link', 'set', 'lo', 'up', 'mtu', '1500']);
      // Without offloads the kernel hands captures real MTU-sized segments, as on a NIC.
      this.run('ethtool', ['-K', 'lo', 'tso', 'off', 'gso', 'off', 'gro', 'off']);
    } catch (e) {
      this.destroy();
      throw e;
    }
  }

  /** Runs a command to completion inside the namespace; throws on failure. */
  run(cmd: string, args: string[], timeoutMs = 30_000): string {
    return run('ip', ['netns', 'exec', this.name, cmd, ...args], timeoutMs);
  }

  /** Starts a command inside the namespace (`ip netns exec` execs it, so child.pid is the command's). */
  spawn(cmd: string, args: string[], options: SpawnOptions = {}): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', this.name, cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    this.#children.add(child);
    child.on('close', () => this.#children.delete(child));
    return child;
  }

  /** Kills the processes this object started (by pid), then deletes the namespace. */
  destroy(): void {
    for (const c of this.#children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    spawnSync('ip', ['netns', 'del', this.name], { timeout: 10_000 });
  }
}

function run(cmd: string, args: string[], timeoutMs = 30_000): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: timeoutMs });
  if (r.error) throw new Error(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status}: ${r.stderr.trim()}`);
  return r.stdout;
}

/** Resolves when `child` exits (with its status), or rejects after `ms`. */
export function exited(child: ChildProcess, ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    if (child.exitCode !== null || child.signalCode !== null) { resolve({ code: child.exitCode, signal: child.signalCode }); return; }
    const t = setTimeout(() => reject(new Error(`process ${child.pid} did not exit within ${ms} ms`)), ms);
    child.once('close', (code, signal) => { clearTimeout(t); resolve({ code, signal }); });
  });
}

/** Collects a child's stdout (bytes) and stderr (text). */
export function collect(child: ChildProcess): { out: () => Buffer; err: () => string } {
  const out: Buffer[] = [];
  let err = '';
  child.stdout?.on('data', (b: Buffer) => out.push(b));
  child.stderr?.on('data', (b: Buffer) => { err += b.toString('utf8'); });
  return { out: () => Buffer.concat(out), err: () => err };
}

/** Resolves once `text` appeared on the stream, or rejects after `ms` (with what did appear). */
export function waitFor(stream: NodeJS.ReadableStream, text: string, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (b: Buffer | string) => {
      seen += b.toString();
      if (seen.includes(text)) { done(); resolve(); }
    };
    const onEnd = () => { done(); reject(new Error(`stream ended before ${JSON.stringify(text)}: ${seen.slice(-500)}`)); };
    const t = setTimeout(() => { done(); reject(new Error(`no ${JSON.stringify(text)} within ${ms} ms: ${seen.slice(-500)}`)); }, ms);
    const done = () => { clearTimeout(t); stream.off('data', onData); stream.off('end', onEnd); };
    stream.on('data', onData);
    stream.on('end', onEnd);
  });
}

/**
 * Turns on the kernel's receive timestamps (a socket with SO_TIMESTAMPNS keeps the global
 * netstamp_needed key on) while the returned process lives. Then the kernel stamps each
 * received packet once, and every capture handle reports that same time for a UDP packet;
 * without, each handle reads the clock itself when the packet reaches it. Node cannot set
 * SO_TIMESTAMPNS, so a tiny python3 process holds the socket; kill it when done.
 */
export async function receiveTimestamps(): Promise<ChildProcess> {
  const SO_TIMESTAMPNS = 35; // asm-generic/socket.h (x86, arm); Python's socket module lacks the name
  const child = spawn('python3', ['-c', `import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, ${SO_TIMESTAMPNS}, 1)
print('on', flush=True)
sys.stdin.read()`], { stdio: ['pipe', 'pipe', 'inherit'] });
  const spawnFailed = new Promise<never>((_, reject) => child.once('error', (e) => reject(new Error(`python3 is needed to turn on receive timestamps: ${e.message}`))));
  await Promise.race([waitFor(child.stdout!, 'on', 10_000), spawnFailed]);
  // The kernel flips the key from a work item, a moment after setsockopt() returned.
  await new Promise((r) => setTimeout(r, 300));
  return child;
}

/**
 * A veth pair from namespace `a` to `b` (`tcv0` in a with 10.99.<net>.1/24, `tcv1` in b with
 * .2), up, offloads off, IPv6 off (no link-local address, no neighbour discovery noise).
 * Returns the index of tcv0 in a. Deleting either namespace deletes the pair.
 */
export function veth(a: Netns, b: Netns, net: number): number {
  run('ip', ['link', 'add', 'tcv0', 'netns', a.name, 'type', 'veth', 'peer', 'name', 'tcv1', 'netns', b.name]);
  for (const [ns, dev, host] of [[a, 'tcv0', 1], [b, 'tcv1', 2]] as const) {
    ns.run('sysctl', ['-q', '-w', `net.ipv6.conf.${dev}.disable_ipv6=1`]);
    ns.run('ip', ['addr', 'add', `10.99.${net}.${host}/24`, 'dev', dev]);
    ns.run('ip', ['link', 'set', dev, 'up']);
    ns.run('ethtool', ['-K', dev, 'tso', 'off', 'gso', 'off', 'gro', 'off']);
  }
  return Number(a.run('cat', ['/sys/class/net/tcv0/ifindex']).trim());
}
