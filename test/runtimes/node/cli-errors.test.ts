// Every flag's error names the flag: a bad value of each option of the command line (the table
// must cover them all, so a new flag gets its row) is one line on standard error naming it,
// then the usage for a usage error, exit 1.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { OPTION_NAMES } from '../../../runtimes/node/args.js';

const BIN = 'bin/tracecap.js';
const LONG = 'x'.repeat(1025);

// Option → [a command line with a bad value of it, the flag as the error must write it].
const BAD: Record<string, [string[], string]> = {
  help: [['--help=yes'], '--help'],
  r: [['-r'], '-r'],
  w: [['-w', 'x%Q.json', 'f.pcap'], '-w'],
  verbosity: [['--verbosity', 'loud', 'f.pcap'], '--verbosity'],
  project: [['--project', LONG, 'f.pcap'], '--project'],
  c: [['-c', '0', 'f.pcap'], '-c'],
  iface: [['--iface', LONG, 'f.pcap'], '--iface'],
  'iface-index': [['--iface-index', '-1', 'f.pcap'], '--iface-index'],
  'iface-addr': [['--iface-addr', '10.0.0.300', 'f.pcap'], '--iface-addr'],
  'log-name': [['--log-name', LONG, 'f.pcap'], '--log-name'],
  id: [['--id', LONG, 'f.pcap'], '--id'],
  threads: [['--threads', '9', 'f.pcap'], '--threads'],
  format: [['--format', 'xml', 'f.pcap'], '--format'],
  'otlp-endpoint': [['--otlp-endpoint', 'ftp://h/', 'f.pcap'], '--otlp-endpoint'],
  'otlp-batch': [['--format', 'otlp', '--otlp-batch', '0', 'f.pcap'], '--otlp-batch'],
  'otlp-queue': [['--otlp-endpoint', 'http://127.0.0.1:9/', '--otlp-queue', '5000', 'f.pcap'], '--otlp-queue'],
  l3: [['--l3', 'ipx', 'f.pcap'], '--l3'],
  l4: [['--l4', 'tcp,sctp', 'f.pcap'], '--l4'],
  net: [['--net', '10.0.0.0/33', 'f.pcap'], '--net'],
  ports: [['--ports', 'http', 'f.pcap'], '--ports'],
  'deny-ports': [['--deny-ports', '70000', 'f.pcap'], '--deny-ports'],
  'tcp-flags': [['--tcp-flags', 'SYN,NS', 'f.pcap'], '--tcp-flags'],
  'deny-socket': [['--deny-socket', '10.0.0.1:5', 'f.pcap'], '--deny-socket'],
  i: [['-i', '-p'], '-i'],
  s: [['-i', 'lo', '-s', '-1'], '-s'],
  p: [['-p', 'f.pcap'], '-p'],
  timeout: [['-i', 'lo', '--timeout', '-5'], '--timeout'],
  engine: [['-i', 'lo', '--engine', 'pcapng'], '--engine'],
  cron: [['-i', 'lo', '--cron', '61 * * * *'], '--cron'],
  'hc-port': [['-i', 'lo', '--hc-port', '0'], '--hc-port'],
  hosts: [['-i', 'lo', '--hosts', 'a b'], '--hosts'],
  'hosts-every': [['-i', 'lo', '--hosts', 'localhost', '--hosts-every', '0'], '--hosts-every'],
  G: [['-w', 'x.json', '-G', '0', 'f.pcap'], '-G'],
  C: [['-w', 'x.json', '-C', '-1', 'f.pcap'], '-C'],
  W: [['-w', 'x.json', '-W', '0', 'f.pcap'], '-W'],
  tee: [['--tee', 'f.pcap'], '--tee'],
  tz: [['-w', 'x.json', '--tz', 'Mars/Olympus', 'f.pcap'], '--tz'],
  gzip: [['--gzip', 'f.pcap'], '--gzip'],
  'move-to': [['-w', 'x.json', '--move-to', '', 'f.pcap'], '--move-to'],
  'pcap-w': [['-i', 'lo', '--pcap-w', 'x%Q.pcap'], '--pcap-w'],
  'pcap-format': [['-i', 'lo', '--pcap-w', 'x.pcap', '--pcap-format', 'erf'], '--pcap-format'],
  'pcap-over-ip': [['-i', 'lo', '--pcap-over-ip', '127.0.0.1'], '--pcap-over-ip'],
  'no-records': [['-i', 'lo', '--no-records'], '--no-records'],
  ring: [['-i', 'lo', '--ring', '0'], '--ring'],
  'ring-mb': [['-i', 'lo', '--ring-mb', '0'], '--ring-mb'],
  after: [['-i', 'lo', '--ring', '5', '--after', '-1'], '--after'],
  'max-triggers': [['-i', 'lo', '--ring', '5', '--max-triggers', '0'], '--max-triggers'],
  'trigger-file': [['-i', 'lo', '--ring', '5', '--trigger-file', 'app.log'], '--trigger-file'],
  'trigger-regex': [['-i', 'lo', '--ring', '5', '--trigger-file', 'app.log', '--trigger-regex', '('], '--trigger-regex'],
  port: [['app', '--port', '70000'], '--port'],
  host: [['app', '--host', ''], '--host'],
  root: [['app', '--root', '/nonexistent/app', '--port', '0'], '--root'],
};

function run(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, TRACECAP_SIDECAR: '' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('every flag error names its flag', () => {
  it('the table has a row for every option of the command line', () => {
    expect(Object.keys(BAD).sort()).toEqual([...OPTION_NAMES].sort());
  });
  for (const [name, [args, written]] of Object.entries(BAD)) {
    it(`${written}: ${args.join(' ')}`, () => {
      const r = run(args);
      const first = r.err.split('\n')[0]!;
      expect(r.code, r.err).toBe(1);
      expect(first, name).toMatch(/^tracecap: /);
      expect(first, name).toContain(written);
      expect(first, name).not.toMatch(/ambiguous|Option '/);
      expect(r.out).toBe('');
      // A usage error is followed by the usage; the app's start errors are one line.
      if (name !== 'root') expect(r.err, name).toContain('\nusage: tracecap');
    });
  }
  it('-s -1 is a bad snap length, not an ambiguous option; -s 0 is the default', () => {
    expect(run(['-i', 'lo', '-s', '-1']).err.split('\n')[0]).toBe('tracecap: -s needs a non-negative integer, not "-1"');
    expect(run(['--timeout', '-2.5', '-i', 'lo']).err.split('\n')[0]).toBe('tracecap: --timeout needs a positive number of seconds, not "-2.5"');
  });
  it('bad software-filter values name the flag as --ports does', () => {
    expect(run(['--l3', 'ipx', 'f.pcap']).err.split('\n')[0]).toMatch(/^tracecap: --l3: unknown L3 protocol "ipx" \(one of /);
    expect(run(['--deny-socket', '10.0.0.1:5', 'f.pcap']).err.split('\n')[0]).toMatch(/^tracecap: --deny-socket: not a socket pair: "10.0.0.1:5"/);
    expect(run(['--net', 'fd00::/200', 'f.pcap']).err.split('\n')[0]).toMatch(/^tracecap: --net: not an IP network: "fd00::\/200"/);
  });
});
