import { Type } from 'typebox';
import { refreshCredentials, replenishPool } from '../commands/upkeep.ts';
import { configurePool, createPool } from '../commands/pools.ts';
import { poolStatus, poolStatuses, type PoolStatus } from '../projections/queries.ts';
import type { App, Services } from './app.ts';
import { readModelsAt } from './consistency.ts';
import { answers, ConfigurePoolBody, CreatePoolBody, Id, PoolConfigured, PoolView, Position, RefreshAnswer, Replenishment } from './schemas.ts';

function view(p: PoolStatus) {
  return { poolId: p.poolId, ...p.config, counts: p.counts, activeSessions: p.activeSessions, health: p.health };
}

/** Pools: create, list, get, configure. */
export default function poolRoutes(app: App, s: Services): void {
  const tags = ['pools'];
  app.post('/v1/pools', { schema: { tags, body: CreatePoolBody, response: answers({ 201: PoolConfigured }) } }, async (req, reply) => {
    const { poolId, ...config } = req.body;
    const result = await createPool(s.store, poolId, config, req.ctx);
    return reply.code(201).send({ poolId, config: result.config, position: result.position });
  });

  app.get('/v1/pools', { schema: { tags, querystring: Type.Object({ position: Position }), response: answers({ 200: Type.Object({ items: Type.Array(PoolView) }) }) } }, async (req) => {
    await readModelsAt(s, req.query.position);
    return { items: (await poolStatuses(s.db)).map(view) };
  });

  app.get('/v1/pools/:poolId', { schema: { tags, params: Type.Object({ poolId: Id }), querystring: Type.Object({ position: Position }), response: answers({ 200: PoolView }) } }, async (req) => {
    await readModelsAt(s, req.query.position);
    return view(await poolStatus(s.db, req.params.poolId));
  });

  app.patch('/v1/pools/:poolId', { schema: { tags, params: Type.Object({ poolId: Id }), body: ConfigurePoolBody, response: answers({ 200: PoolConfigured }) } }, async (req) => {
    return configurePool(s.allocators, req.params.poolId, req.body, req.ctx);
  });

  app.post('/v1/pools/:poolId/refresh', {
    schema: {
      tags: ['upkeep'], params: Type.Object({ poolId: Id }),
      body: Type.Optional(Type.Object({ accountId: Type.Optional(Type.String({ format: 'uuid' })), force: Type.Optional(Type.Boolean()) }, { additionalProperties: false })),
      response: answers({ 200: RefreshAnswer }),
    },
  }, async (req) => {
    const { accountId, force = false } = req.body ?? {};
    const results = await refreshCredentials(s, req.params.poolId, { ...(accountId ? { accountId } : {}), force }, req.ctx);
    const count = (o: string) => results.filter((r) => r.outcome === o).length;
    return { refreshed: count('refreshed'), skipped: count('skipped'), failed: count('failed'), revoked: count('revoked'), results };
  });

  app.post('/v1/pools/:poolId/replenish', {
    schema: { tags: ['upkeep'], params: Type.Object({ poolId: Id }), body: Type.Optional(Type.Object({ count: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })) }, { additionalProperties: false })), response: answers({ 202: Replenishment }) },
  }, async (req, reply) => reply.code(202).send(await replenishPool(s, req.params.poolId, req.body?.count, req.ctx)));
}
