// Traffic with known delays for the exchange-timing tests (issue 24), run on 127.0.0.1 inside
// the namespace scripts/traffic/record-timing.sh creates:
//   node scripts/traffic/timing.mjs <h1-delay|h2-delay|h1-loss> <port>
// h1-delay: HTTP/1.1 keep-alive, 3 sequential GETs; the server waits DELAY_MS after each
//   request before it writes the response (time to first byte >= DELAY_MS), 5000-byte bodies.
// h2-delay: prior-knowledge h2c (node:http2 both sides), 4 concurrent streams, each answered
//   DELAY_MS after its request; then one more stream the client cancels (RST_STREAM CANCEL).
// h1-loss-server <port> <client netns>, h1-loss-client <port>: HTTP/1.1 from 10.9.0.1 (the
//   client's namespace, veth tca) to 10.9.0.2 (the server's), one GET of a 60 000-byte body
//   written in three parts; while the second goes out, the client's address is taken off its
//   veth for 100 ms, so its segments are captured there (tcpdump sees a packet as it comes in)
//   but dropped by IP (no longer a local address), and the server sends them again: a
//   deterministic drop (this kernel has neither netem nor tc's drop action).
import http from 'node:http';
import http2 from 'node:http2';
import { execFileSync } from 'node:child_process';

const [mode, portArg] = process.argv.slice(2);
const port = Number(portArg);
/** The server's wait before answering, in ms (the tests check time to first byte against it). */
export const DELAY_MS = 100;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const listen = (server) => new Promise((r) => server.listen(port, '127.0.0.1', r));

// The server's side of h1-loss (in its own namespace): the client's namespace is clientNs.
async function h1LossServer(clientNs) {
  const part = 'z'.repeat(20000);
  const ip = (...a) => execFileSync('ip', ['netns', 'exec', clientNs, 'ip', ...a]);
  const server = http.createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(3 * part.length) });
    res.write(part);
    setTimeout(() => {
      ip('addr', 'del', '10.9.0.1/24', 'dev', 'tca');
      res.write(part);
      setTimeout(() => { ip('addr', 'add', '10.9.0.1/24', 'dev', 'tca'); res.end(part); server.close(); }, 100);
    }, 50);
  });
  await new Promise((r) => server.listen(port, '10.9.0.2', r));
  console.log('listening');
}

async function h1LossClient() {
  await new Promise((resolve, reject) => {
    http.get({ host: '10.9.0.2', port, path: '/h1-loss', agent: false }, (res) => { res.resume(); res.on('end', resolve); }).on('error', reject);
  });
}

async function h1(delay, size, count) {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => setTimeout(() => { res.writeHead(200, { 'content-type': 'text/plain' }); res.end('x'.repeat(size)); }, delay));
  });
  await listen(server);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  for (let i = 0; i < count; i++) {
    await new Promise((resolve, reject) => {
      http.get({ host: '127.0.0.1', port, path: `/${mode}/${i}`, agent }, (res) => { res.resume(); res.on('end', resolve); }).on('error', reject);
    });
    await sleep(20);
  }
  agent.destroy();
  await new Promise((r) => server.close(r));
}

async function h2() {
  const server = http2.createServer();
  server.on('stream', (stream, headers) => {
    if (headers[':path'] === '/cancel') return; // never answered: the client cancels it
    setTimeout(() => { if (!stream.destroyed) { stream.respond({ ':status': 200, 'content-type': 'text/plain' }); stream.end('y'.repeat(3000)); } }, DELAY_MS);
  });
  await listen(server);
  const client = http2.connect(`http://127.0.0.1:${port}`);
  const get = (path) => new Promise((resolve, reject) => {
    const s = client.request({ ':path': path });
    s.on('response', () => {}); s.resume(); s.on('end', resolve); s.on('error', reject);
  });
  await Promise.all([0, 1, 2, 3].map((i) => get(`/h2-delay/${i}`)));
  const c = client.request({ ':path': '/cancel' });
  c.on('error', () => {});
  await sleep(30);
  c.close(http2.constants.NGHTTP2_CANCEL);
  await sleep(30);
  await new Promise((r) => client.close(r));
  await new Promise((r) => server.close(r));
}

if (mode === 'h1-delay') await h1(DELAY_MS, 5000, 3);
else if (mode === 'h1-loss-server') await h1LossServer(process.argv[4]);
else if (mode === 'h1-loss-client') await h1LossClient();
else if (mode === 'h2-delay') await h2();
else { console.error(`unknown mode ${mode}`); process.exit(1); }
