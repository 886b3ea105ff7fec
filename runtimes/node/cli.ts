import { openSync, readSync, writeSync, closeSync } from 'node:fs';
import { createNodeTranslator } from './core.js';
import type { TranslatorOptions } from '../../src/index.js';

const USAGE = `usage: tracecap [options] [FILE|-]
Reads a pcap or pcapng capture (a file, or standard input for - or no FILE) and writes one
JSON record per packet (NDJSON), in the format pcap-sidecar writes to Cloud Logging.

  -r FILE                  read this capture (same as the FILE argument)
  -w FILE                  write NDJSON to FILE instead of standard output
  --verbosity info|debug   record detail (default: debug)
  --project ID             Google Cloud project for trace names (default: $PROJECT_ID)
  -c N                     stop after N packets
  --iface NAME             capture interface name (default: pcapng if_name, else "any")
  --iface-index N          capture interface index (default: the capture's interface id)
  --iface-addr ADDR        an address of the capture interface (repeatable); marks "local"
  --log-name NAME          log name, the operation's producer (default: log/tracecap)
  --id ID                  context id, prefix of the operation id (default: tracecap)
  -h, --help               show this help

Exit status: 0 success, 1 usage error, 2 the input is not a capture or is damaged (every
record before the damage is written, then one line on standard error).
`;

class UsageError extends Error {}

interface CliArgs { input: string; output: string | null; options: TranslatorOptions; help: boolean }

function parseArgs(argv: string[], env: NodeJS.ProcessEnv): CliArgs {
  const options: TranslatorOptions = { project: env.PROJECT_ID ?? '' };
  let input: string | null = null;
  let output: string | null = null;
  let help = false;
  const addrs: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i]!;
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
      default:
        if (arg.startsWith('-') && arg !== '-') throw new UsageError(`unknown option ${arg}`);
        if (input !== null) throw new UsageError('more than one input');
        input = arg;
    }
  }
  if (addrs.length) options.ifaceAddrs = addrs;
  return { input: input ?? '-', output, options, help };
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
  let translator;
  try {
    translator = await createNodeTranslator(args.options);
  } catch (e) {
    if (e instanceof RangeError) { process.stderr.write(`tracecap: ${e.message}\n`); return 1; }
    throw e;
  }
  const name = args.input === '-' ? '<stdin>' : args.input;
  let outFd = 1;
  try {
    if (args.output !== null) outFd = openSync(args.output, 'w');
    // Output goes straight from the core's memory to the file descriptor: no copy, no queue.
    translator.setSink((view) => writeAll(outFd, view));
    if (args.input === '-') {
      for await (const chunk of process.stdin) {
        translator.push(chunk as Uint8Array);
        if (translator.error || (args.options.limit !== undefined && translator.packets >= args.options.limit)) break;
      }
    } else {
      const fd = openSync(args.input, 'r');
      try {
        // The file is read straight into the core's input space: no copy on the way in.
        while (translator.pushFrom((space) => readSync(fd, space, 0, space.length, null)) > 0) {
          if (translator.error || (args.options.limit !== undefined && translator.packets >= args.options.limit)) break;
        }
      } finally { closeSync(fd); }
    }
    if (!translator.error) translator.finish();
    if (outFd !== 1) closeSync(outFd);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EPIPE') return 0;
    if (err.code === 'ENOENT' || err.code === 'EACCES' || err.code === 'EISDIR') {
      process.stderr.write(`tracecap: ${err.path ?? name}: ${err.code === 'ENOENT' ? 'no such file' : err.code === 'EACCES' ? 'permission denied' : 'is a directory'}\n`);
      return 2;
    }
    throw e;
  }
  if (translator.error) {
    process.stderr.write(`tracecap: ${name}: ${translator.error.message}\n`);
    return 2;
  }
  return 0;
}
