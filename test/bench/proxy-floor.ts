/**
 * The floor of `npm run bench:gateway`: the least a fastify + undici forwarder does (parse
 * the JSON body, rename the model, forward it with a fixed credential over keep-alive
 * connections, read the answer, send it back), with no keys, routing, usage or budgets.
 * The gateway's rate reads as a share of it on the same machine. Prints `listening`.
 *
 *   ROSTER_PORT=8098 FLOOR_UPSTREAM=http://127.0.0.1:8090 node --import tsx test/bench/proxy-floor.ts
 */
import Fastify from 'fastify';
import { Agent, request } from 'undici';

const upstream = process.env.FLOOR_UPSTREAM!;
const agent = new Agent({ connections: 256, keepAliveTimeout: 30_000 });
const app = Fastify({ logger: false });
app.post('/v1/chat/completions', async (req, reply) => {
  const body = JSON.stringify({ ...(req.body as object), model: 'sandbox-small' });
  const res = await request(`${upstream}/v1/chat/completions`, {
    method: 'POST', dispatcher: agent, body, headers: { authorization: 'Bearer sk-sandbox-floor', 'content-type': 'application/json' },
  });
  const text = await res.body.text();
  return reply.code(res.statusCode).header('content-type', 'application/json').send(text);
});
await app.listen({ host: '127.0.0.1', port: Number(process.env.ROSTER_PORT ?? 0) });
console.log('listening');
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
