/**
 * The baseline of `npm run bench`: a fastify server whose allocate and release routes do no
 * work (they parse the JSON body, check a bearer header is there, and answer a fixed
 * body of the same shape), so that Roster's pair rate can be read as a share of what the
 * same client gets from fastify alone on this machine. Prints `listening` once it listens.
 *
 *   ROSTER_PORT=8099 node --import tsx test/bench/noop-server.ts
 */
import Fastify from 'fastify';

const app = Fastify({ logger: false });
let n = 0;
app.post('/v1/pools/:poolId/sessions', async (req, reply) => {
  if (!req.headers.authorization) return reply.code(401).send({ code: 'unauthorized' });
  n++;
  return reply.code(201).send({
    poolId: (req.params as { poolId: string }).poolId, sessionId: `s-${n}`, leaseSecret: 'x'.repeat(43), expiresAt: new Date().toISOString(),
    leases: [{ accountId: 'a', fence: n, login: 'a@example.test', credentials: { password: 'p' }, importedAt: new Date().toISOString(), useCount: n, lastUsed: null }],
  });
});
app.post('/v1/pools/:poolId/sessions/:sessionId/release', async (req, reply) => {
  if (!req.headers.authorization) return reply.code(401).send({ code: 'unauthorized' });
  return { sessionId: (req.params as { sessionId: string }).sessionId, released: true };
});
await app.listen({ host: '127.0.0.1', port: Number(process.env.ROSTER_PORT ?? 0) });
console.log('listening');
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
