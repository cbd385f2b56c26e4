/**
 * The lowest floor of `npm run bench:gateway`: what Node's own `node:http` does as a
 * forwarder, both ways (the request's bytes passed on as they came, with a fixed credential,
 * over keep-alive connections; the answer's bytes passed back), with no framework, no JSON
 * parsed, no keys, routing, usage or budgets. Prints `listening`.
 *
 *   ROSTER_PORT=8099 FLOOR_UPSTREAM=http://127.0.0.1:8090 node --import tsx test/bench/proxy-floor-node.ts
 */
import http from 'node:http';

const upstream = new URL(process.env.FLOOR_UPSTREAM!);
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

/** The whole body of a request or an answer. */
function read(stream: http.IncomingMessage, done: (body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  stream.on('end', () => done(Buffer.concat(chunks)));
}

const server = http.createServer((req, res) => read(req, (body) => {
  const headers = { 'content-type': 'application/json', 'content-length': body.length, authorization: 'Bearer sk-sandbox-floor' };
  const out = http.request({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, agent, headers }, (answer) => read(answer, (text) => {
    res.writeHead(answer.statusCode ?? 502, { 'content-type': 'application/json', 'content-length': text.length });
    res.end(text);
  }));
  out.on('error', () => res.writeHead(502).end());
  out.end(body);
}));
server.keepAliveTimeout = 30_000;
server.listen(Number(process.env.ROSTER_PORT ?? 0), '127.0.0.1', () => console.log('listening'));
process.once('SIGTERM', () => server.close(() => process.exit(0)));
