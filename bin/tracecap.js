#!/usr/bin/env node
// tracecap CLI entry: runs the Node host, bundled into one module by `npm run build`.
// TRACECAP_SIDECAR=1 (the Docker image sets it) first maps pcap-sidecar's environment
// (PCAP_IFACE, PCAP_FILTER, ...) to arguments, for the options a live command line leaves open
// (a command line that reads a file or standard input, `app` or --help takes none of it).
import { main, sidecarCommand, EnvError } from '../dist/runtimes/node/cli.bundle.js';

process.stdout.on('error', (e) => { if (e.code === 'EPIPE') process.exit(0); throw e; });

async function argv() {
  const args = process.argv.slice(2);
  if (!/^(1|true)$/i.test(process.env.TRACECAP_SIDECAR ?? '')) return args;
  try {
    const { argv, notices } = sidecarCommand(process.env, args);
    for (const line of notices) process.stderr.write(`tracecap: ${line}\n`);
    return argv;
  } catch (e) {
    if (!(e instanceof EnvError)) throw e;
    process.stderr.write(`tracecap: ${e.message}\n`);
    process.exit(1);
  }
}

argv().then((args) => main(args)).then(
  (code) => { process.exitCode = code; },
  (e) => { process.stderr.write(`tracecap: internal error: ${e && e.message ? e.message : e}\n`); process.exitCode = 70; },
);
