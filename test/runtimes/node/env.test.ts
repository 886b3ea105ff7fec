// pcap-sidecar's environment → tracecap arguments: the defaults, every variable, the command line
// winning over the environment, and one-line errors naming the variable.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { argsFromEnv, sidecarArgv, sidecarCommand, commandKind, sidecarContext, EnvError, SIDECAR_DEFAULTS, ALIASES, NOT_SUPPORTED, filePlan } from '../../../runtimes/node/env.js';

const U = '123e4567-e89b-42d3-a456-426614174000';
// The host's interfaces the sidecar's PCAP_IFACE chooses among (lo always; the prefix followed by a digit).
const NAMES = ['lo', 'eth0', 'ethx', 'veth1', 'ipvlan-eth1', 'eth12.100', 'ens4'];
const IFACES_ETH = ['-i', 'lo', '-i', 'eth0', '-i', 'ipvlan-eth1', '-i', 'eth12.100'];
const CONTEXT = ['--id', U, '--log-name', `projects//pcaps/${U}`];
const FILTERS = ['--l3', 'ipv4,ipv6', '--l4', 'tcp,udp'];
const PROBE = ['--hc-port', '12345'];
// pcap-sidecar's pcap files (PCAP_TCPDUMP, PCAP_TMP, PCAP_EXT), gzipped (pcapfsn's PCAP_GZIP), rotated every PCAP_SECS, named in PCAP_TZ.
const PCAP_NAME = '/pcap-tmp/part__{ifindex}_{iface}__%Y%m%dT%H%M%S.pcap';
const FILES = ['--pcap-w', PCAP_NAME, '--gzip', '-G', '60'];
const TZ = ['--tz', 'UTC'];
const DEFAULTS = [...IFACES_ETH, '-s', '65536', ...FILES, '--verbosity', 'debug', ...TZ, ...CONTEXT, ...PROBE, ...FILTERS];
const JSON_NAME = '/pcap-tmp/part__%Y%m%dT%H%M%S.json';

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
  ['PCAP_SECS rotates the files', { PCAP_SECS: '30' }, (d) => d.map((a) => (a === '60' ? '30' : a))],
  ['PCAP_SECS 0: no rotation', { PCAP_SECS: '0' }, (d) => without(d, ['-G', '60'])],
  ['PCAP_TCPDUMP false: no pcap files (and nothing to name, compress or rotate)', { PCAP_TCPDUMP: 'false' }, (d) => without(d, FILES, TZ)],
  ['PCAP_EXT', { PCAP_EXT: 'cap' }, (d) => d.map((a) => (a === PCAP_NAME ? PCAP_NAME.replace(/pcap$/, 'cap') : a))],
  ['PCAP_EXT pcapng: pcapng files', { PCAP_EXT: 'pcapng' }, (d) => [...IFACES_ETH, '-s', '65536', '--pcap-w', `${PCAP_NAME}ng`, '--pcap-format', 'pcapng', ...d.slice(IFACES_ETH.length + 4)]],
  ['PCAP_TMP', { PCAP_TMP: '/data/100%/' }, (d) => d.map((a) => (a === PCAP_NAME ? a.replace('/pcap-tmp', '/data/100%%') : a))],
  ['PCAP_JSONDUMP: JSON files too, and the records on stdout (tracecap\'s PCAP_JSONDUMP_LOG default)', { PCAP_JSONDUMP: 'true' },
    (d) => [...IFACES_ETH, '-s', '65536', '--pcap-w', PCAP_NAME, '-w', JSON_NAME, '--tee', ...d.slice(IFACES_ETH.length + 4)]],
  ['PCAP_JSONDUMP, PCAP_JSONDUMP_LOG false: JSON files only', { PCAP_JSONDUMP: 'true', PCAP_JSONDUMP_LOG: 'false' },
    (d) => [...IFACES_ETH, '-s', '65536', '--pcap-w', PCAP_NAME, '-w', JSON_NAME, ...d.slice(IFACES_ETH.length + 4)]],
  ['PCAP_JSONDUMP_LOG false: pcap files only, nothing translated', { PCAP_JSONDUMP_LOG: 'F' },
    (d) => [...IFACES_ETH, '-s', '65536', '--pcap-w', PCAP_NAME, '--no-records', ...d.slice(IFACES_ETH.length + 4)]],
  ['PCAP_JSONDUMP only: JSON files, no pcap files', { PCAP_TCPDUMP: 'false', PCAP_JSONDUMP: 'true', PCAP_JSONDUMP_LOG: 'false' },
    (d) => [...IFACES_ETH, '-s', '65536', '-w', JSON_NAME, ...d.slice(IFACES_ETH.length + 4)]],
  ['PCAP_GZIP false', { PCAP_GZIP: 'false' }, (d) => without(d, ['--gzip'])],
  ['PCAP_COMPRESS false (PCAP_GZIP\'s other name)', { PCAP_COMPRESS: 'false' }, (d) => without(d, ['--gzip'])],
  ['PCAP_FSN_ENABLED false: no compression, no move', { PCAP_FSN_ENABLED: 'false', PCAP_DIR: '/bucket' }, (d) => without(d, ['--gzip'])],
  ['PCAP_DIR: complete files move into the mounted bucket', { PCAP_DIR: '/bucket/pcaps' }, (d) => d.flatMap((a) => (a === '--gzip' ? ['--gzip', '--move-to', '/bucket/pcaps'] : [a]))],
  ['PCAP_DIR, PCAP_GCS_EXPORT false: no move', { PCAP_DIR: '/bucket', PCAP_GCS_EXPORT: 'false' }, (d) => d],
  ['PCAP_DIR, PCAP_GCS_FUSE false: no move (the client-library upload is not made)', { PCAP_DIR: '/bucket', PCAP_GCS_FUSE: 'false' }, (d) => d],
  ['TRACECAP_PCAP_OVER_IP: the packets as a stream', { TRACECAP_PCAP_OVER_IP: '127.0.0.1:57012' },
    (d) => [...IFACES_ETH, '-s', '65536', '--pcap-w', PCAP_NAME, '--pcap-over-ip', '127.0.0.1:57012', ...d.slice(IFACES_ETH.length + 4)]],
  ['TRACECAP_PCAP_OVER_IP, PCAP_TCPDUMP false, PCAP_JSONDUMP_LOG false: only the stream', { TRACECAP_PCAP_OVER_IP: '[::1]:0', PCAP_TCPDUMP: 'false', PCAP_JSONDUMP_LOG: 'false' },
    (d) => [...IFACES_ETH, '-s', '65536', '--pcap-over-ip', '[::1]:0', '--no-records', ...without(d, FILES, TZ).slice(IFACES_ETH.length + 2)]],
  ['PCAP_VERBOSITY INFO', { PCAP_VERBOSITY: 'info' }, (d) => d.map((a) => (a === 'debug' ? 'info' : a))],
  ['PCAP_VERBOSITY other = DEBUG', { PCAP_VERBOSITY: 'TRACE' }, (d) => d],
  ['PROJECT_ID', { PROJECT_ID: 'my-proj' }, (d) => [...without(d, TZ, CONTEXT, PROBE, FILTERS), '--project', 'my-proj', ...TZ, '--id', U, '--log-name', `projects/my-proj/pcaps/${U}`, ...PROBE, ...FILTERS]],
  ['PCAP_SNAPLEN 0 = the default, as -s 0', { PCAP_SNAPLEN: '0' }, (d) => d.map((a) => (a === '65536' ? '0' : a))],
  ['PCAP_HC_PORT', { PCAP_HC_PORT: '8081' }, (d) => d.map((a) => (a === '12345' ? '8081' : a))],
  ['PCAP_HC_PORT 0 = no probe port', { PCAP_HC_PORT: '0' }, (d) => without(d, PROBE)],
  ['PCAP_HOSTS', { PCAP_HOSTS: 'api.example.com, ALL,10.1.2.3' }, (d) => [...d, '--hosts', 'api.example.com,10.1.2.3']],
  ['PCAP_USE_CRON: windows on PCAP_CRON_EXP in PCAP_TZ, tcpdumpw\'s job context', { PCAP_USE_CRON: 'true', PCAP_CRON_EXP: '*/4 * * * * *', PCAP_TZ: 'Europe/Paris', PCAP_TO: '2' },
    (d) => [...IFACES_ETH, '-s', '65536', '--timeout', '2', ...FILES, '--verbosity', 'debug', '--cron', '*/4 * * * * *', '--tz', 'Europe/Paris', '--id', `job/${U}`, '--log-name', `projects//pcap/job/${U}`, ...PROBE, ...FILTERS]],
  ['PCAP_USE_CRON false: PCAP_CRON_EXP unused', { PCAP_USE_CRON: 'false', PCAP_CRON_EXP: '0 * * * *' }, (d) => d],
  ['PCAP_TZ: the files\' names', { PCAP_TZ: 'Asia/Tokyo' }, (d) => d.map((a) => (a === 'UTC' ? 'Asia/Tokyo' : a))],
  ['PCAP_TZ without cron or files changes nothing', { PCAP_TZ: 'Asia/Tokyo', PCAP_TCPDUMP: 'false' }, (d) => without(d, FILES, TZ)],
  ['PCAP_RT_ENV cloud_run_gen1: any, and compat (simple filters only)', { PCAP_RT_ENV: 'cloud_run_gen1', PCAP_FILTER: 'tcp' }, (d) => ['-i', 'any', ...d.slice(IFACES_ETH.length)]],
  ['PCAP_COMPAT: PCAP_FILTER is not used, the simple filters apply', { PCAP_COMPAT: 'true', PCAP_FILTER: 'tcp' }, (d) => d],
  ['PCAP_ORDERED, PCAP_CONNTRACK: always in capture order', { PCAP_ORDERED: 'true', PCAP_CONNTRACK: 'true' }, (d) => d],
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
    const argv = ['-i', 'eth0', '-s', '200', '--timeout=1', '--verbosity', 'debug', '--project', 'q', '--id', 'x', '--log-name', 'y', '--hc-port', '9', '--l3', 'ipv4', '--l4', 'udp', '--ports', '53', '--tcp-flags', 'ACK', '--net', '1.2.3.4/32',
      '--pcap-w', 'p.pcap', '--gzip', '-G', '5', '--tz', 'UTC'];
    expect(argsFromEnv(env, argv, U, NAMES)).toEqual([]);
    expect(sidecarArgv(env, argv, U, NAMES)).toEqual(argv);
  });
  it('PCAP_SECS rotates files only when there are files (-w, --pcap-w, or the environment\'s)', () => {
    const noPcap = { ...env, PCAP_TCPDUMP: 'false' };
    expect(argsFromEnv(noPcap, ['-i', 'lo', '-w', 'out/part_%Y%m%d.json'], U, NAMES)).toContain('-G');
    expect(argsFromEnv(noPcap, ['-i', 'lo', '-w', 'x', '-G', '5'], U, NAMES)).not.toContain('-G');
    expect(argsFromEnv(noPcap, [], U, NAMES)).not.toContain('-G');
    expect(argsFromEnv(env, [], U, NAMES)).toContain('-G');
  });
  it('-w, --tee or --no-records on the command line: the records go where it says; --pcap-w: the packets', () => {
    const e = { PCAP_JSONDUMP: 'true', PCAP_JSONDUMP_LOG: 'false' };
    for (const argv of [['-w', 'mine.json'], ['--no-records'], ['-w', 'mine.json', '--tee']]) {
      const a = argsFromEnv(e, ['-i', 'lo', ...argv], U, NAMES);
      expect(a.filter((x) => x === '-w' || x === '--tee' || x === '--no-records'), argv.join(' ')).toEqual([]);
      expect(a, argv.join(' ')).toContain('--pcap-w');
    }
    expect(argsFromEnv(e, ['-i', 'lo', '--pcap-w', 'mine.pcap'], U, NAMES)).not.toContain('--pcap-w');
    expect(argsFromEnv({ PCAP_EXT: 'pcapng' }, ['-i', 'lo', '--pcap-format', 'pcap'], U, NAMES)).not.toContain('--pcap-format');
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
    [{ PCAP_SNAPLEN: '-1' }, /^PCAP_SNAPLEN must be an integer from 0 to 262144, not "-1"$/],
    [{ PCAP_SNAPLEN: '300000' }, /^PCAP_SNAPLEN must be an integer/],
    [{ PCAP_SNAPLEN: '64k' }, /^PCAP_SNAPLEN must be an integer/],
    [{ PCAP_TO: '-1' }, /^PCAP_TO must be an integer/],
    [{ PCAP_SECS: '1m' }, /^PCAP_SECS must be an integer/],
    [{ PCAP_TCPDUMP: 'yes' }, /^PCAP_TCPDUMP must be true or false, not "yes"$/],
    [{ PCAP_JSONDUMP: '2' }, /^PCAP_JSONDUMP must be true or false/],
    [{ PCAP_JSONDUMP_LOG: 'no' }, /^PCAP_JSONDUMP_LOG must be true or false/],
    [{ PCAP_FSN_ENABLED: 'on' }, /^PCAP_FSN_ENABLED must be true or false/],
    [{ PCAP_GCS_EXPORT: 'x' }, /^PCAP_GCS_EXPORT must be true or false/],
    [{ PCAP_GCS_FUSE: 'x' }, /^PCAP_GCS_FUSE must be true or false/],
    [{ PCAP_GZIP: 'gzip' }, /^PCAP_GZIP must be true or false/],
    [{ PCAP_COMPRESS: 'maybe' }, /^PCAP_COMPRESS must be true or false, not "maybe"$/],
    [{ PCAP_GZIP: 'true', PCAP_COMPRESS: 'false' }, /^PCAP_GZIP=true and PCAP_COMPRESS=false disagree/],
    [{ PCAP_EXT: 'pcap/../x' }, /^PCAP_EXT must be a file extension/],
    [{ PCAP_TMP: 'pcap-tmp' }, /^PCAP_TMP must be an absolute directory path, not "pcap-tmp"$/],
    [{ PCAP_DIR: 'bucket' }, /^PCAP_DIR must be an absolute directory path/],
    [{ PCAP_TCPDUMP: 'false', PCAP_JSONDUMP_LOG: 'false' }, /^PCAP_TCPDUMP, PCAP_JSONDUMP and PCAP_JSONDUMP_LOG are all false: nothing would be written/],
    [{ PCAP_L3_PROTOS: 'ipv4,ipx' }, /^PCAP_L3_PROTOS: unknown protocol "ipx" \(expected ipv4, ipv6, arp\)$/],
    [{ PCAP_L3_PROTOS: ',' }, /^PCAP_L3_PROTOS lists no protocol$/],
    [{ PCAP_L4_PROTOS: 'sctp' }, /^PCAP_L4_PROTOS: unknown protocol "sctp"/],
    [{ PCAP_IPV4: '10.0.0.0/33' }, /^PCAP_IPV4: not an IPv4 address or CIDR: "10.0.0.0\/33"$/],
    [{ PCAP_IPV4: 'fd00::1' }, /^PCAP_IPV4: not an IPv4 address/],
    [{ PCAP_IPV6: '10.0.0.1' }, /^PCAP_IPV6: not an IPv6 address/],
    [{ PCAP_PORTS: '80,http' }, /^PCAP_PORTS: not a port number: "http"$/],
    [{ PCAP_PORTS: '70000' }, /^PCAP_PORTS: not a port number/],
    [{ PCAP_TCP_FLAGS: 'SYN,NS' }, /^PCAP_TCP_FLAGS: unknown TCP flag "NS"/],
    [{ PCAP_HOSTS: 'exa mple.com' }, /^PCAP_HOSTS: not a host name or IP address: "exa mple.com"$/],
    [{ PCAP_FILTER: 'tcp port' }, /^PCAP_FILTER: bad filter "tcp port": syntax error$/],
    [{ PCAP_USE_CRON: 'true' }, /^PCAP_CRON_EXP: not a cron expression: "-" .*\(PCAP_USE_CRON=true needs PCAP_CRON_EXP\)$/],
    [{ PCAP_USE_CRON: 'yes' }, /^PCAP_USE_CRON must be true or false, not "yes"$/],
    [{ PCAP_USE_CRON: 'true', PCAP_CRON_EXP: '61 * * * *' }, /^PCAP_CRON_EXP: not a cron expression: "61 \* \* \* \*"/],
    [{ PCAP_TZ: 'Mars/Olympus' }, /^PCAP_TZ: unknown time zone "Mars\/Olympus"/],
    [{ PCAP_HC_PORT: '70000' }, /^PCAP_HC_PORT must be an integer from 0 to 65535/],
    [{ PCAP_COMPAT: 'maybe' }, /^PCAP_COMPAT must be true or false/],
    [{ PCAP_ORDERED: '2' }, /^PCAP_ORDERED must be true or false/],
    [{ PCAP_CONNTRACK: 'on' }, /^PCAP_CONNTRACK must be true or false/],
    [{ PCAP_RUN: 'no' }, /^PCAP_RUN must be true or false/],
    [{ PCAP_GKE: 'no' }, /^PCAP_GKE must be true or false/],
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
  it('every variable read that can be wrong has a row here (PCAP_VERBOSITY and PCAP_RT_ENV take any value)', () => {
    const named = new Set(BAD.flatMap(([env]) => Object.keys(env)));
    for (const name of Object.keys(SIDECAR_DEFAULTS)) if (!['PCAP_VERBOSITY', 'PCAP_RT_ENV'].includes(name)) expect(named.has(name), name).toBe(true);
  });
  it('a bad value is reported even when the command line overrides it', () => {
    expect(() => argsFromEnv({ PCAP_PORTS: 'x' }, ['--ports', '80'], U, NAMES)).toThrow(EnvError);
  });
  it('bin/tracecap.js in sidecar mode prints the one line and exits 1', () => {
    const r = spawnSync(process.execPath, ['bin/tracecap.js'], { env: { ...process.env, TRACECAP_SIDECAR: '1', PCAP_SNAPLEN: 'big' }, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('tracecap: PCAP_SNAPLEN must be an integer from 0 to 262144, not "big"\n');
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

describe('sidecar mode: a command line that reads a capture, serves the app or asks for help takes nothing from the environment', () => {
  const env = { PCAP_IFACE: 'eth', PCAP_SNAPLEN: '100', PCAP_FILTER: 'tcp', PCAP_TO: '5', PCAP_PORTS: 'x' };
  it('commandKind reads the command line as the CLI does', () => {
    const kinds: [string[], string][] = [
      [[], 'live'], [['--ring', '30'], 'live'], [['-i', 'lo', 'port', '80'], 'live'], [['--verbosity', 'info'], 'live'],
      [['--cron', '@hourly'], 'live'], [['--hc-port', '8080'], 'live'], [['--ring', '30', 'tcp port 80'], 'live'],
      [['-r', 'x.pcap'], 'file'], [['-r', 'x.pcap', 'tcp'], 'file'], [['-'], 'file'], [['x.pcap', 'tcp port 80'], 'file'],
      [['--verbosity', 'info', '-'], 'file'], [['app'], 'app'], [['app', 'x.pcap'], 'app'], [['--help'], 'help'], [['-h', '-i', 'lo'], 'help'],
    ];
    for (const [argv, kind] of kinds) expect(commandKind(argv), argv.join(' ')).toBe(kind);
  });
  it('file, standard input, app and --help: the command line as given, no variable read (not even a bad one)', () => {
    for (const argv of [['-r', 'x.pcap'], ['-'], ['x.pcap', 'udp'], ['app', '--port', '0'], ['--help']]) {
      expect(sidecarArgv(env, argv, U, NAMES), argv.join(' ')).toEqual(argv);
      expect(sidecarCommand(env, argv, { uuid: U, names: NAMES })).toEqual({ argv, notices: [], kind: commandKind(argv) });
    }
  });
  it('a live command line gets only what it does not say itself', () => {
    const a = sidecarArgv({ PCAP_IFACE: 'eth', PCAP_SNAPLEN: '100', PCAP_TO: '5' }, ['-i', 'lo', '-s', '0'], U, NAMES);
    expect(a.filter((x) => x === '-i' || x === '-s')).toEqual(['-i', '-s']);
    expect(a).toContain('--timeout');
    expect(a.slice(-4)).toEqual(['-i', 'lo', '-s', '0']);
  });
  const EXAMPLE = 'examples/dns.pcap';
  const golden = readFileSync('examples/dns.ndjson', 'utf8');
  const sidecar = { ...process.env, TRACECAP_SIDECAR: '1', PCAP_IFACE: 'nosuch', PCAP_FILTER: 'udp and and', PROJECT_ID: 'my-project' };
  it('bin/tracecap.js -r FILE, FILE and - < FILE translate the capture as outside sidecar mode', () => {
    for (const [args, input] of [[['-r', EXAMPLE], undefined], [[EXAMPLE], undefined], [['-'], readFileSync(EXAMPLE)]] as const) {
      const r = spawnSync(process.execPath, ['bin/tracecap.js', ...args], { env: sidecar, input, encoding: 'utf8' });
      expect(r.stderr, args.join(' ')).toBe('');
      expect(r.status, args.join(' ')).toBe(0);
      expect(r.stdout, args.join(' ')).toBe(golden);
    }
    const help = spawnSync(process.execPath, ['bin/tracecap.js', '--help'], { env: sidecar, encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: tracecap/);
  });
});

// Every variable of pcap-sidecar's start scripts (start_tcpdumpw, start_pcapfsn; reference §1.4).
const SIDECAR_VARIABLES = [
  'PCAP_VERBOSITY', 'PCAP_DEBUG', 'PCAP_EXEC_ENV', 'PCAP_RUN', 'PCAP_GAE', 'PCAP_GKE', 'PCAP_IFACE', 'PCAP_RT_ENV', 'PCAP_COMPAT',
  'PCAP_USE_CRON', 'PCAP_CRON_EXP', 'PCAP_TZ', 'PCAP_TO', 'PCAP_SECS', 'PCAP_TMP', 'PCAP_EXT', 'PCAP_TCPDUMP', 'PCAP_JSONDUMP',
  'PCAP_JSONDUMP_LOG', 'PCAP_ORDERED', 'PCAP_CONNTRACK', 'PCAP_SNAPLEN', 'PCAP_HC_PORT', 'PCAP_FILTER', 'PCAP_L3_PROTOS',
  'PCAP_L4_PROTOS', 'PCAP_IPV4', 'PCAP_IPV6', 'PCAP_HOSTS', 'PCAP_PORTS', 'PCAP_TCP_FLAGS', 'PCAP_SUPERVISOR_PORT',
  'PCAP_TCPDUMPW_NO_PROCS', 'PCAP_TCPDUMPW_NO_PROCS_INTERVAL', 'PCAP_TCPDUMPW_NO_PROCS_DEBUG', 'PCAP_FSN_ENABLED', 'PCAP_GZIP',
  'PCAP_COMPRESS', 'PCAP_FSN_RETRIES_MAX', 'PCAP_FSN_RETRIES_DELAY', 'PCAP_DIR', 'PCAP_GCS_EXPORT', 'PCAP_GCS_FUSE', 'PCAP_GCS_BUCKET',
  'INSTANCE_ID', 'GCP_GAE', 'PROJECT_ID',
];
// Variables read but changing nothing in pcap-sidecar's capture either (tcpdumpw parses -env and never uses it).
const NO_EFFECT = ['PCAP_EXEC_ENV'];

describe('every pcap-sidecar variable works, is left to the file outputs, or prints one line', () => {
  it('each one is read, listed as a file output, or listed as not supported', () => {
    for (const name of SIDECAR_VARIABLES) {
      const places = [name in SIDECAR_DEFAULTS || name === 'PROJECT_ID', name in ALIASES, name in NOT_SUPPORTED, NO_EFFECT.includes(name)].filter(Boolean);
      expect(places.length, name).toBe(1);
    }
  });
  it('a variable not acted on, set to a value that matters: one line naming it and what to do instead', () => {
    const values: Record<string, string> = { PCAP_DEBUG: 'true', PCAP_GAE: 'true', GCP_GAE: 'true', PCAP_TCPDUMPW_NO_PROCS: 'gcsfuse,nginx', PCAP_TCPDUMPW_NO_PROCS_INTERVAL: '30', PCAP_TCPDUMPW_NO_PROCS_DEBUG: 'true', PCAP_SUPERVISOR_PORT: '23456', PCAP_GCS_BUCKET: 'my-bucket', PCAP_FSN_RETRIES_MAX: '3', PCAP_FSN_RETRIES_DELAY: '5', INSTANCE_ID: 'abc' };
    expect(Object.keys(values).sort()).toEqual(Object.keys(NOT_SUPPORTED).sort());
    for (const [name, v] of Object.entries(values)) {
      const notices = sidecarCommand({ [name]: v, PCAP_DIR: '/b' }, [], { uuid: U, names: NAMES }).notices;
      expect(notices, name).toHaveLength(1);
      expect(notices[0], name).toMatch(new RegExp(`^${name}=${v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not supported: \\S`));
    }
    // Their defaults (or values that change nothing) say nothing.
    for (const env of [{ PCAP_DIR: '/b' }, { PCAP_DEBUG: 'false', PCAP_DIR: '/b' }, { PCAP_GCS_BUCKET: 'none', PCAP_DIR: '/b' }, { PCAP_TCPDUMPW_NO_PROCS: 'gcsfuse', PCAP_TCPDUMP: 'false' }, { PCAP_TMP: '/pcap-tmp', PCAP_JSONDUMP: 'true', PCAP_GCS_EXPORT: 'true', PCAP_DIR: '/b' }]) {
      expect(sidecarCommand(env, [], { uuid: U, names: NAMES }).notices, JSON.stringify(env)).toEqual([]);
    }
  });
  it('files that nothing moves out of PCAP_TMP: one line saying why, and what to do', () => {
    const say = (env: Record<string, string>, argv: string[] = []) => sidecarCommand(env, argv, { uuid: U, names: NAMES }).notices;
    expect(say({})).toEqual(['the pcap files stay in /pcap-tmp (nothing moves them out: PCAP_DIR is not set), and on Cloud Run that directory is memory: set PCAP_DIR to a mounted bucket\'s path, add -W N to keep only the last N, or set PCAP_TCPDUMP=false']);
    expect(say({ PCAP_JSONDUMP: 'true', PCAP_FSN_ENABLED: 'false', PCAP_DIR: '/b' })).toEqual([expect.stringMatching(/^the pcap and JSON files stay in \/pcap-tmp \(nothing moves them out: PCAP_FSN_ENABLED=false\)/)]);
    expect(say({ PCAP_DIR: '/b', PCAP_GCS_EXPORT: 'false' })).toEqual([expect.stringMatching(/PCAP_GCS_EXPORT=false/)]);
    expect(say({ PCAP_DIR: '/b', PCAP_GCS_FUSE: 'false' })).toEqual([
      expect.stringMatching(/^PCAP_GCS_FUSE=false is not supported: the Cloud Storage client-library export/),
      expect.stringMatching(/stay in \/pcap-tmp \(nothing moves them out: PCAP_GCS_FUSE=false\)/),
    ]);
    // The command line says where files go (-W, --move-to): no line.
    expect(say({}, ['-i', 'lo', '-W', '10'])).toEqual([]);
    expect(say({ PCAP_TCPDUMP: 'false' })).toEqual([]);
    expect(filePlan({ PCAP_DIR: '/b' })).toEqual({ pcap: '/pcap-tmp/part__{ifindex}_{iface}__%Y%m%dT%H%M%S.pcap', format: 'pcap', json: null, stdout: true, gzip: true, moveTo: '/b', notices: [] });
  });
  it('PCAP_COMPAT=true (or gen1) with PCAP_FILTER, gen1 with PCAP_IFACE: one line saying which is not used', () => {
    expect(sidecarCommand({ PCAP_COMPAT: 'true', PCAP_FILTER: 'tcp', PCAP_TCPDUMP: 'false' }, [], { uuid: U, names: NAMES }).notices).toEqual([expect.stringMatching(/^PCAP_FILTER is not used: PCAP_COMPAT=true/)]);
    expect(sidecarCommand({ PCAP_RT_ENV: 'cloud_run_gen1', PCAP_IFACE: 'eth', PCAP_TCPDUMP: 'false' }, [], { uuid: U, names: NAMES }).notices).toEqual([expect.stringMatching(/^PCAP_IFACE=eth is not used: PCAP_RT_ENV=cloud_run_gen1 captures on any/)]);
  });
  it('PCAP_USE_CRON=true is never a continuous capture: a schedule, or an error naming the variable', () => {
    expect(argsFromEnv({ PCAP_USE_CRON: 'true', PCAP_CRON_EXP: '0 * * * *' }, [], U, NAMES)).toContain('--cron');
    expect(() => argsFromEnv({ PCAP_USE_CRON: 'true' }, [], U, NAMES)).toThrow(/^PCAP_CRON_EXP: /);
  });
});
