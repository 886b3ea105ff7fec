// Entry of one thread of a parallel translation in Node (src/shard.ts over worker_threads'
// parent port); bundled by scripts/build-runtimes.mjs into build/runtimes/node-shard.js.
import { parentPort } from 'node:worker_threads';
import { serveShard } from '../../src/shard.js';

const port = parentPort;
if (port === null) throw new Error('tracecap: shard-worker.ts runs as a worker thread');
serveShard({
  post: (m, transfer) => port.postMessage(m, transfer as never),
  onMessage: (handler) => { port.on('message', handler); },
});
