import { openSync, readSync, writeSync, closeSync } from 'node:fs';
import { createNodeTranslator } from './core.js';
import { compileBpf, captureLinkTypesIn, fileHead, isPcapng, headShowsLinkTypes, BpfCompileError, COMMON_LINKTYPES } from './bpf.js';
import { parsePortList, type SoftwareFilters, type BpfProgram } from '../../src/filter.js';
import type { TranslatorOptions } from '../../src/index.js';

const USAGE = `usage: tracecap [options] [FILE|-] [EXPRESSION]
       tracecap [options] -r FILE [EXPRESSION]
Reads a pcap or pcapng capture (a file, or standard input for - or no FILE) and writes one
JSON record per packet (NDJSON), in the format pcap-sidecar writes to Cloud Logging.
EXPRESSION is a tcpdump filter (pcap-filter(7), compiled by the machine's tcpdump): only the
packets it matches get a record, and each record keeps its packet's number (pcap.num).

  -r FILE                  read this capture (then every other word is the EXPRESSION)
  -w FILE                  write NDJSON to FILE instead of standard output
  --verbosity info|debug   record detail (default: debug)
  --project ID             Google Cloud project for trace names (default: $PROJECT_ID)
  -c N                     stop after N records (packets that passed the filters)
  --iface NAME             capture interface name (default: pcapng if_name, else "any")
  --iface-index N          capture interface index (default: the capture's interface id)
  --iface-addr ADDR        an address of the capture interface (repeatable); marks "local"
  --log-name NAME          log name, the operation's producer (default: log/tracecap)
  --id ID                  context id, prefix of the operation id (default: tracecap)
  -h, --help               show this help

Software filters (pcap-sidecar's; a packet must pass all of them, after any EXPRESSION):
  --l3 LIST                ip4, ip6, arp: IPv4/IPv6 packets of other versions are dropped
                           (packets without IPv4/IPv6, such as ARP, always pass this one)
  --l4 LIST                tcp, udp, icmp, icmp6: TCP/UDP not listed is dropped (ICMP never)
  --net CIDR               both IPv4 (or IPv6) ends inside this network (repeatable)
  --ports LIST             TCP/UDP with one of these ports only
  --deny-ports LIST        no TCP/UDP with one of these ports
  --tcp-flags LIST         TCP with one of these flags only (SYN,ACK,PSH,FIN,RST,URG,ECE,CWR)
  --deny-socket IP:PORT-IP:PORT
                           not this connection, either direction; IPv6 as [ADDR]:PORT (repeatable)

Exit status: 0 success, 1 usage error, 2 the input is not a capture or is damaged (every
record before the damage is written, then one line on standard error), or the EXPRESSION
does not compile.
`;

class UsageError extends Error {}

interface CliArgs { input: string; output: string | null; options: TranslatorOptions; help: boolean; expression: string }

function parseArgs(argv: string[], env: NodeJS.ProcessEnv): CliArgs {
  const options: TranslatorOptions = { project: env.PROJECT_ID ?? '' };
  let input: string | null = null;
  let output: string | null = null;
  let help = false;
  const addrs: string[] = [];
  const words: string[] = [];
  const filters: SoftwareFilters = {};
  const list = (v: string): string[] => v.split(',').map((t) => t.trim()).filter((t) => t !== '');
  const ports = (v: string): number[] => {
    try { return parsePortList(v); } catch (e) { throw new UsageError(`${arg}: ${(e as Error).message}`); }
  };
  let arg = '';
  for (let i = 0; i < argv.length; i++) {
    arg = argv[i]!;
    let inline: string | undefined;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    if (eq > 0) { inline = arg.slice(eq + 1); arg = arg.slice(0, eq); }
    const value = (): string => {
      if (inline !== undefined) return inline;
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${arg} needs a value`);
      return v;
    };
    const int = (v: string): number => {
      if (!/^\d+$/.test(v)) throw new UsageError(`${arg} needs a non-negative integer, not ${JSON.stringify(v)}`);
      return Number(v);
    };
    switch (arg) {
      case '-h': case '--help': help = true; break;
      case '-r': if (input !== null) throw new UsageError('more than one input'); input = value(); break;
      case '-w': output = value(); break;
      case '--verbosity': {
        const v = value().toLowerCase();
        if (v !== 'info' && v !== 'debug') throw new UsageError(`--verbosity must be info or debug, not ${JSON.stringify(v)}`);
        options.verbosity = v;
        break;
      }
      case '--project': options.project = value(); break;
      case '-c': options.limit = int(value()); if (options.limit === 0) throw new UsageError('-c needs a positive count'); break;
      case '--iface': options.ifaceName = value(); break;
      case '--iface-index': options.ifaceIndex = int(value()); break;
      case '--iface-addr': addrs.push(value()); break;
      case '--log-name': options.logName = value(); break;
      case '--id': options.id = value(); break;
      case '--l3': (filters.l3 ??= []).push(...list(value())); break;
      case '--l4': (filters.l4 ??= []).push(...list(value())); break;
      case '--net': (filters.nets ??= []).push(...list(value())); break;
      case '--ports': (filters.ports ??= []).push(...ports(value())); break;
      case '--deny-ports': (filters.denyPorts ??= []).push(...ports(value())); break;
      case '--tcp-flags': (filters.tcpFlags ??= []).push(...list(value())); break;
      case '--deny-socket': (filters.denySockets ??= []).push(value()); break;
      default:
        if (arg.startsWith('-') && arg !== '-') throw new UsageError(`unknown option ${arg}`);
        words.push(arg);
    }
  }
  if (addrs.length) options.ifaceAddrs = addrs;
  if (Object.keys(filters).length) options.filters = filters;
  // tcpdump's convention: with -r every word is the expression; else the first is the input.
  if (input === null) input = words.shift() ?? null;
  return { input: input ?? '-', output, options, help, expression: words.join(' ') };
}

// Blocks briefly when a non-blocking pipe is full (EAGAIN), so output is never dropped.
const pause = new Int32Array(new SharedArrayBuffer(4));
function writeAll(fd: number, view: Uint8Array): void {
  let off = 0;
  while (off < view.length) {
    try {
      off += writeSync(fd, view, off, view.length - off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      Atomics.wait(pause, 0, 0, 1);
    }
  }
}

// The programs for an expression, for the link types the capture shows in its first bytes;
// those must compile. A pcapng capture may define interfaces later, a capture may show none,
// and bytes that are no capture (which the translator then reports) show nothing, so then the
// common link types are added, leaving out those libpcap cannot filter with this expression.
function programsFor(expression: string, head: Uint8Array): BpfProgram[] {
  const shown = captureLinkTypesIn(head) ?? [];
  const programs = shown.length ? compileBpf(expression, shown) : [];
  if (programs.length && !isPcapng(head)) return programs;
  const rest = COMMON_LINKTYPES.filter((t) => !shown.includes(t));
  try {
    programs.push(...compileBpf(expression, rest, 262144, { skipRejected: true }));
  } catch (e) {
    if (!programs.length) throw e;
  }
  return programs;
}

// Reports a file that cannot be opened; the exit status, or null for any other error.
function fileError(e: unknown, name: string): number | null {
  const err = e as NodeJS.ErrnoException;
  if (err.code !== 'ENOENT' && err.code !== 'EACCES' && err.code !== 'EISDIR') return null;
  process.stderr.write(`tracecap: ${err.path ?? name}: ${err.code === 'ENOENT' ? 'no such file' : err.code === 'EACCES' ? 'permission denied' : 'is a directory'}\n`);
  return 2;
}

/** Runs the CLI with the given arguments; resolves to the exit status. */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let args: CliArgs;
  try {
    args = parseArgs(argv, env);
  } catch (e) {
    if (e instanceof UsageError) { process.stderr.write(`tracecap: ${e.message}\n${USAGE}`); return 1; }
    throw e;
  }
  if (args.help) { process.stdout.write(USAGE); return 0; }
  const name = args.input === '-' ? '<stdin>' : args.input;
  // Standard input: its first bytes tell the link types the expression is compiled for.
  const stdin = args.input === '-' ? process.stdin[Symbol.asyncIterator]() : null;
  let head = new Uint8Array(0);
  let stdinDone = false;
  if (args.expression.trim() !== '') {
    try {
      if (stdin) {
        while (!headShowsLinkTypes(head)) {
          const r = await stdin.next();
          if (r.done) { stdinDone = true; break; }
          head = Buffer.concat([head, r.value as Uint8Array]);
        }
      }
      args.options.bpf = programsFor(args.expression, stdin ? head : fileHead(args.input));
    } catch (e) {
      if (e instanceof BpfCompileError) { process.stderr.write(`tracecap: ${e.message}\n`); return 2; }
      const code = fileError(e, name);
      if (code !== null) return code;
      throw e;
    }
  }
  let translator;
  try {
    translator = await createNodeTranslator(args.options);
  } catch (e) {
    if (e instanceof RangeError) { process.stderr.write(`tracecap: ${e.message}\n`); return 1; }
    throw e;
  }
  let outFd = 1;
  try {
    if (args.output !== null) outFd = openSync(args.output, 'w');
    // Output goes straight from the core's memory to the file descriptor: no copy, no queue.
    translator.setSink((view) => writeAll(outFd, view));
    if (stdin) {
      const limited = () => translator.error || (args.options.limit !== undefined && translator.records >= args.options.limit);
      if (head.length) translator.push(head);
      while (!stdinDone && !limited()) {
        const r = await stdin.next();
        if (r.done) break;
        translator.push(r.value as Uint8Array);
      }
      if (!stdinDone) await stdin.return?.();
    } else {
      const fd = openSync(args.input, 'r');
      try {
        // The file is read straight into the core's input space: no copy on the way in.
        while (translator.pushFrom((space) => readSync(fd, space, 0, space.length, null)) > 0) {
          if (translator.error || (args.options.limit !== undefined && translator.records >= args.options.limit)) break;
        }
      } finally { closeSync(fd); }
    }
    if (!translator.error) translator.finish();
    if (outFd !== 1) closeSync(outFd);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EPIPE') return 0;
    const code = fileError(e, name);
    if (code !== null) return code;
    throw e;
  }
  if (translator.error) {
    process.stderr.write(`tracecap: ${name}: ${translator.error.message}\n`);
    return 2;
  }
  return 0;
}
