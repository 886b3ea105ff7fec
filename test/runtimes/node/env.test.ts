// pcap-sidecar's environment → tracecap arguments: the defaults, every variable, the command line
// winning over the environment, and one-line errors naming the variable.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { argsFromEnv, sidecarArgv, sidecarContext, EnvError } from '../../../runtimes/node/env.js';

const U = '123e4567-e89b-42d3-a456-426614174000';
// The host's interfaces the sidecar's PCAP_IFACE chooses among (lo always; the prefix followed by a digit).
const NAMES = ['lo', 'eth0', 'ethx', 'veth1', 'ipvlan-eth1', 'eth12.100', 'ens4'];
const IFACES_ETH = ['-i', 'lo', '-i', 'eth0', '-i', 'ipvlan-eth1', '-i', 'eth12.100'];
const CONTEXT = ['--id', U, '--log-name', `projects//pcaps/${U}`];
const FILTERS = ['--l3', 'ipv4,ipv6', '--l4', 'tcp,udp'];
const DEFAULTS = [...IFACES_ETH, '-s', '65536', '--verbosity', 'debug', ...CONTEXT, ...FILTERS];

// Removes the default arguments a case does not change, so each row shows only its own effect.
function without(args: string[], ...drop: string[][]): string[] {
  const out = [...args];
  for (const seq of drop) {
    const i = out.findIndex((_, k) => seq.every((s, j) => out[k + j] === s));
    if (i >= 0) out.splice(i, seq.length);
  }
  return out;
}

describe('argsFromEnv: defaults', () => {
  it('an empty environment gives pcap-sidecar\'s defaults', () => {
    expect(argsFromEnv({}, [], U, NAMES)).toEqual(DEFAULTS);
  });
  it('empty values take the defaults too (as tcpdumpw treats them)', () => {
    const env = Object.fromEntries(['PCAP_IFACE', 'PCAP_FILTER', 'PCAP_SNAPLEN', 'PCAP_TO', 'PCAP_SECS', 'PCAP_VERBOSITY', 'PCAP_L3_PROTOS', 'PCAP_L4_PROTOS', 'PCAP_IPV4', 'PCAP_IPV6', 'PCAP_PORTS', 'PCAP_TCP_FLAGS', 'PCAP_HOSTS'].map((k) => [k, ' ']));
    expect(argsFromEnv(env, [], U, NAMES)).toEqual(DEFAULTS);
  });
  it('a fresh uuid per run, as pcap-sidecar: id <uuid>, log name projects/<PROJECT_ID>/pcaps/<uuid>', () => {
    const a = argsFromEnv({ PROJECT_ID: 'proj' });
    const id = a[a.indexOf('--id') + 1]!;
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a[a.indexOf('--log-name') + 1]).toBe(`projects/proj/pcaps/${id}`);
    expect(argsFromEnv({})[argsFromEnv({}).indexOf('--id') + 1]).not.toBe(id);
    expect(sidecarContext({ PROJECT_ID: 'p' }, 'u')).toEqual({ id: 'u', logName: 'projects/p/pcaps/u' });
  });
});

// [environment, the arguments that replace or join the defaults]: each row changes one thing.
const CASES: [string, Record<string, string>, (d: string[]) => string[]][] = [
  ['PCAP_IFACE prefix', { PCAP_IFACE: 'ens' }, (d) => ['-i', 'lo', '-i', 'ens4', ...d.slice(IFACES_ETH.length)]],
  ['PCAP_IFACE any', { PCAP_IFACE: 'any' }, (d) => ['-i', 'any', ...d.slice(IFACES_ETH.length)]],
  ['PCAP_SNAPLEN', { PCAP_SNAPLEN: '1500' }, (d) => d.map((a) => (a === '65536' ? '1500' : a))],
  ['PCAP_TO', { PCAP_TO: '300' }, (d) => [...IFACES_ETH, '-s', '65536', '--timeout', '300', ...d.slice(IFACES_ETH.length + 2)]],
  ['PCAP_TO 0 = no timeout', { PCAP_TO: '0' }, (d) => d],
  ['PCAP_SECS without files: nothing to rotate', { PCAP_SECS: '30' }, (d) => d],
  ['PCAP_VERBOSITY INFO', { PCAP_VERBOSITY: 'info' }, (d) => d.map((a) => (a === 'debug' ? 'info' : a))],
  ['PCAP_VERBOSITY other = DEBUG', { PCAP_VERBOSITY: 'TRACE' }, (d) => d],
  ['PROJECT_ID', { PROJECT_ID: 'my-proj' }, (d) => [...without(d, CONTEXT, FILTERS), '--project', 'my-proj', '--id', U, '--log-name', `projects/my-proj/pcaps/${U}`, ...FILTERS]],
  ['PCAP_FILTER replaces the simple filters', { PCAP_FILTER: 'tcp port 8080', PCAP_PORTS: '80' }, (d) => [...without(d, FILTERS), 'tcp port 8080']],
  ['PCAP_FILTER DISABLED (any case)', { PCAP_FILTER: 'disabled' }, (d) => d],
  ['PCAP_L3_PROTOS tokens', { PCAP_L3_PROTOS: 'IP, 0x29,arp,4' }, (d) => d.map((a) => (a === 'ipv4,ipv6' ? 'ipv4,ipv6,arp' : a))],
  ['PCAP_L4_PROTOS tokens', { PCAP_L4_PROTOS: '6,icmp,58,0x3A' }, (d) => d.map((a) => (a === 'tcp,udp' ? 'tcp,icmp,icmp6' : a))],
  ['PCAP_IPV4 IPs and CIDRs', { PCAP_IPV4: '10.0.0.0/8, 192.168.1.7' }, (d) => [...d, '--net', '10.0.0.0/8', '--net', '192.168.1.7/32']],
  ['PCAP_IPV6', { PCAP_IPV6: 'fd00::/8,::1' }, (d) => [...d, '--net', 'fd00::/8', '--net', '::1/128']],
  ['PCAP_IPV4 ALL', { PCAP_IPV4: 'all' }, (d) => d],
  ['PCAP_PORTS', { PCAP_PORTS: '80,443,ALL,80' }, (d) => [...d, '--ports', '80,443']],
  ['PCAP_PORTS ANY', { PCAP_PORTS: 'ANY' }, (d) => d],
  ['PCAP_TCP_FLAGS', { PCAP_TCP_FLAGS: 'syn,Fin,RST' }, (d) => [...d, '--tcp-flags', 'SYN,FIN,RST']],
  ['PCAP_TCP_FLAGS ANY', { PCAP_TCP_FLAGS: 'any' }, (d) => d],
  ['PCAP_HOSTS ALL', { PCAP_HOSTS: 'ALL' }, (d) => d],
];

describe('argsFromEnv: every variable', () => {
  for (const [name, env, want] of CASES) {
    it(name, () => expect(argsFromEnv(env, [], U, NAMES)).toEqual(want(DEFAULTS)));
  }
});

describe('argsFromEnv: the command line wins', () => {
  const env = { PCAP_IFACE: 'ens', PCAP_SNAPLEN: '100', PCAP_TO: '9', PCAP_SECS: '30', PCAP_VERBOSITY: 'INFO', PROJECT_ID: 'p', PCAP_PORTS: '80', PCAP_IPV4: '10.0.0.0/8', PCAP_TCP_FLAGS: 'SYN' };
  it('each flag given leaves its variable out', () => {
    const argv = ['-i', 'eth0', '-s', '200', '--timeout=1', '--verbosity', 'debug', '--project', 'q', '--id', 'x', '--log-name', 'y', '--l3', 'ipv4', '--l4', 'udp', '--ports', '53', '--tcp-flags', 'ACK', '--net', '1.2.3.4/32'];
    expect(argsFromEnv(env, argv, U, NAMES)).toEqual([]);
    expect(sidecarArgv(env, argv, U, NAMES)).toEqual(argv);
  });
  it('PCAP_SECS rotates JSON files only when -w writes files', () => {
    expect(argsFromEnv(env, ['-w', 'out/part_%Y%m%d.json'], U, NAMES)).toContain('-G');
    expect(argsFromEnv(env, ['-w', 'x', '-G', '5'], U, NAMES)).not.toContain('-G');
    expect(argsFromEnv(env, [], U, NAMES)).not.toContain('-G');
  });
  it('BPF words on the command line replace PCAP_FILTER and the simple filters', () => {
    const a = argsFromEnv({ ...env, PCAP_FILTER: 'udp' }, ['--ring', '30', 'tcp', 'port', '80'], U, NAMES);
    expect(a.some((x) => ['udp', '--ports', '--l3', '--net'].includes(x))).toBe(false);
    expect(a).toContain('--verbosity');
  });
  it('sidecarArgv puts the environment\'s BPF expression after the explicit flags', () => {
    expect(sidecarArgv({ PCAP_FILTER: 'tcp port 80' }, ['--ring', '30'], U, NAMES).slice(-3)).toEqual(['--ring', '30', 'tcp port 80']);
  });
});

describe('argsFromEnv: bad values are one line naming the variable', () => {
  const BAD: [Record<string, string>, RegExp][] = [
    [{ PCAP_IFACE: 'eth|ens' }, /^PCAP_IFACE must be an interface name prefix/],
    [{ PCAP_SNAPLEN: '0' }, /^PCAP_SNAPLEN must be an integer from 1 to 262144, not "0"$/],
    [{ PCAP_SNAPLEN: '300000' }, /^PCAP_SNAPLEN must be an integer/],
    [{ PCAP_SNAPLEN: '64k' }, /^PCAP_SNAPLEN must be an integer/],
    [{ PCAP_TO: '-1' }, /^PCAP_TO must be an integer/],
    [{ PCAP_SECS: '1m' }, /^PCAP_SECS must be an integer/],
    [{ PCAP_L3_PROTOS: 'ipv4,ipx' }, /^PCAP_L3_PROTOS: unknown protocol "ipx" \(expected ipv4, ipv6, arp\)$/],
    [{ PCAP_L3_PROTOS: ',' }, /^PCAP_L3_PROTOS lists no protocol$/],
    [{ PCAP_L4_PROTOS: 'sctp' }, /^PCAP_L4_PROTOS: unknown protocol "sctp"/],
    [{ PCAP_IPV4: '10.0.0.0/33' }, /^PCAP_IPV4: not an IPv4 address or CIDR: "10.0.0.0\/33"$/],
    [{ PCAP_IPV4: 'fd00::1' }, /^PCAP_IPV4: not an IPv4 address/],
    [{ PCAP_IPV6: '10.0.0.1' }, /^PCAP_IPV6: not an IPv6 address/],
    [{ PCAP_PORTS: '80,http' }, /^PCAP_PORTS: not a port number: "http"$/],
    [{ PCAP_PORTS: '70000' }, /^PCAP_PORTS: not a port number/],
    [{ PCAP_TCP_FLAGS: 'SYN,NS' }, /^PCAP_TCP_FLAGS: unknown TCP flag "NS"/],
    [{ PCAP_HOSTS: 'example.com' }, /^PCAP_HOSTS is not supported/],
  ];
  for (const [env, re] of BAD) {
    it(JSON.stringify(env), () => {
      let err: unknown;
      try { argsFromEnv(env, [], U, NAMES); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(EnvError);
      expect((err as Error).message).toMatch(re);
      expect((err as Error).message).not.toContain('\n');
    });
  }
  it('a bad value is reported even when the command line overrides it', () => {
    expect(() => argsFromEnv({ PCAP_PORTS: 'x' }, ['--ports', '80'], U, NAMES)).toThrow(EnvError);
  });
  it('bin/tracecap.js in sidecar mode prints the one line and exits 1', () => {
    const r = spawnSync(process.execPath, ['bin/tracecap.js'], { env: { ...process.env, TRACECAP_SIDECAR: '1', PCAP_SNAPLEN: 'big' }, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('tracecap: PCAP_SNAPLEN must be an integer from 1 to 262144, not "big"\n');
    expect(r.stdout).toBe('');
  });
});

describe('argsFromEnv: PCAP_IFACE chooses among the host\'s interfaces at start', () => {
  it('lo, and the prefix followed by a digit (also behind ipvlan-), in the host\'s order', () => {
    const chosen = (prefix: string, names: string[]) => argsFromEnv({ PCAP_IFACE: prefix }, [], U, names).filter((_, i, a) => a[i - 1] === '-i');
    expect(chosen('eth', NAMES)).toEqual(['lo', 'eth0', 'ipvlan-eth1', 'eth12.100']);
    expect(chosen('veth', NAMES)).toEqual(['lo', 'veth1']);
    expect(chosen('e.h', ['lo', 'e.h0', 'eth0'])).toEqual(['lo', 'e.h0']);
  });
  it('no interface at all: one line naming the variable', () => {
    expect(() => argsFromEnv({ PCAP_IFACE: 'eth' }, [], U, [])).toThrow(EnvError);
    expect(() => argsFromEnv({ PCAP_IFACE: 'eth' }, [], U, [])).toThrow(/^PCAP_IFACE=eth: no interface matches/);
  });
});
