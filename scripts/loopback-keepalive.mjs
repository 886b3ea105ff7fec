// Imported (or preloaded with `node --import`) where miniflare runs on this machine: the tests,
// the bench and `npm run worker:dev` (scripts/worker.mjs preloads it into wrangler). It keeps
// the HTTP servers this process creates from closing idle connections (Node closes them after
// 5 s by default). miniflare's local queue broker logs every delivered batch through its
// loopback server in this process; when a queue consumer ran longer than 5 s, that log call
// could meet a connection Node had just closed and throw, and the broker (queues/
// broker.worker.js #flush) then never flushes again: every later message of the queue stays
// undelivered, the jobs "queued" for good. Seen at 200 MiB with shards of 18 to 66 s; with this,
// the same jobs run through. Cloudflare's own Queues are not concerned.
import http from 'node:http';

if (!http.createServer.tracecapKeepAlive) {
  const create = http.createServer;
  const patched = function createServer(...args) {
    const server = create.apply(this, args);
    server.keepAliveTimeout = 0; // no idle timeout: the peer (workerd) closes its connections
    return server;
  };
  patched.tracecapKeepAlive = true;
  http.createServer = patched;
}
