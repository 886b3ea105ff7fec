// Entry of one thread of a parallel translation in the browser: src/shard.ts over a module Web
// Worker's own scope. Bundled by scripts/build-runtimes.mjs into build/runtimes/browser-shard.js
// and by scripts/build-app.mjs into build/app/shard-worker.js; runtimes/browser/parallel.ts
// starts it with `new Worker(url, { type: 'module' })`.
import { serveShard } from '../../src/shard.js';
import type { ToShard } from '../../src/shard.js';

// A dedicated worker's global scope (TypeScript's DOM library types `self` as a Window).
const scope = self as unknown as {
  postMessage(message: unknown, transfer: Transferable[]): void;
  onmessage: ((event: MessageEvent<ToShard>) => void) | null;
};

serveShard({
  post: (m, transfer) => scope.postMessage(m, transfer ?? []),
  onMessage: (handler) => { scope.onmessage = (e) => handler(e.data); },
});
