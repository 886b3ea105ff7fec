// A process that runs runLive() for the live-capture tests, so the capture runs inside the
// test's network namespace (`ip netns exec NS node live-entry.js '<json options>'`).
// Records go to stdout; "ready" is written to fd 3 once every engine captures, so stderr
// carries only what runLive itself writes. Bundled by live.test.ts with esbuild.
import { writeSync } from 'node:fs';
import { runLive, type LiveOptions } from '../../../runtimes/node/live.js';

const options = JSON.parse(process.argv[2] ?? '{}') as Omit<LiveOptions, 'sink'>;
const pause = new Int32Array(new SharedArrayBuffer(4));
const sink = (view: Uint8Array) => {
  let off = 0;
  while (off < view.length) {
    try {
      off += writeSync(1, view, off, view.length - off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      Atomics.wait(pause, 0, 0, 1); // a full pipe: the test reads it soon
    }
  }
};
const onStarted = () => { try { writeSync(3, 'ready\n'); } catch { /* no fd 3: run by hand */ } };
runLive({ ...options, sink, onStarted }).then(
  (code) => { process.exitCode = code; },
  (e) => { process.stderr.write(`live-entry: ${(e as Error).stack ?? e}\n`); process.exitCode = 70; },
);
