// Capture as the image runs it: a non-root user whose only capability is NET_RAW (docker run
// --cap-add NET_RAW), with a tcpdump that carries cap_net_raw as a file capability (the image's
// `setcap cap_net_raw+ep /usr/bin/tcpdump`). Here: a copy of the machine's tcpdump with the
// capability, first on PATH, and the CLI run by setpriv as nobody with a bounding set of NET_RAW
// alone, in a network namespace of the test's own (traffic on its loopback only).
import { describe, it, expect, afterAll } from 'vitest';
import { chmodSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Netns, netnsUnavailable, exited, collect, waitFor } from '../../helpers/netns.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/tracecap.js');
const TCPDUMP = spawnSync('sh', ['-c', 'command -v tcpdump'], { encoding: 'utf8' }).stdout.trim();

function why(): string | null {
  const ns = netnsUnavailable();
  if (ns) return ns;
  for (const tool of ['setcap', 'setpriv']) if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} is not installed`;
  if (!TCPDUMP) return 'tcpdump is not installed';
  return null;
}
const unavailable = why();
if (unavailable) console.warn(`non-root capture tests skipped: ${unavailable}`);

const dir = mkdtempSync(join(tmpdir(), 'tracecap-nonroot-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The CLI as nobody, with `bounding` as the only capabilities it may ever get (setpriv's syntax). */
function asNobody(ns: Netns, bounding: string, args: string[]) {
  const child = ns.spawn('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all', `--bounding-set=-all${bounding}`,
    process.execPath, BIN, ...args], { cwd: ROOT, env: { ...process.env, PATH: `${dir}:${process.env.PATH}`, TRACECAP_SIDECAR: '' } });
  return { child, ...collect(child) };
}

describe.skipIf(unavailable !== null)('capture as a non-root user with NET_RAW only (the image\'s user)', () => {
  it('a tcpdump with cap_net_raw captures for nobody whose bounding set is NET_RAW alone; without NET_RAW, one line that names it', async () => {
    chmodSync(dir, 0o755);
    copyFileSync(TCPDUMP, join(dir, 'tcpdump'));
    chmodSync(join(dir, 'tcpdump'), 0o755);
    const set = spawnSync('setcap', ['cap_net_raw+ep', join(dir, 'tcpdump')], { encoding: 'utf8' });
    expect(set.status, set.stderr).toBe(0);
    const ns = new Netns();
    try {
      const p = 34000 + (process.pid % 1000);
      const c = asNobody(ns, ',+net_raw', ['-i', 'lo', '--verbosity', 'info', 'udp', 'port', String(p)]);
      await waitFor(c.child.stderr!, 'tracecap: listening on lo (tcpdump)', 20_000).catch((e: Error) => { throw new Error(`${e.message}; ${c.err()}`); });
      ns.run(process.execPath, ['-e', `const s = require('node:dgram').createSocket('udp4'); let n = 0; const t = setInterval(() => { s.send('x', ${p}, '127.0.0.1'); if (++n === 10) { clearInterval(t); s.close(); } }, 20);`]);
      const t0 = Date.now();
      while (c.out().toString().split('\n').length < 11 && Date.now() - t0 < 4000) await new Promise((r) => setTimeout(r, 100));
      c.child.kill('SIGINT');
      const { code } = await exited(c.child, 20_000);
      expect(code, c.err()).toBe(0);
      // (The first datagram may come before tcpdump's ring is armed on every CPU.)
      expect(c.out().toString().split('\n').filter(Boolean).length).toBeGreaterThanOrEqual(8);
      // The libpcap engine, when the pcap package loads, needs the capability in this process: not taken.
      expect(c.err()).not.toMatch(/NET_ADMIN|Operation not permitted/);

      const denied = asNobody(ns, '', ['-i', 'lo', 'udp', 'port', String(p)]);
      const d = await exited(denied.child, 20_000);
      const lines = denied.err().split('\n').filter((l) => l !== '' && !l.includes('capturing with tcpdump'));
      expect(d.code, denied.err()).toBe(2);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^tracecap: lo: .*CAP_NET_RAW/);
      expect(lines[0]).not.toContain('NET_ADMIN');
    } finally {
      ns.destroy();
    }
  });
});
