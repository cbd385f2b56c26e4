import { Type } from 'typebox';
import { createPool } from '../commands/pools.ts';
import { poolStatus, poolStatuses, type PoolStatus } from '../projections/queries.ts';
import type { App, Services } from './app.ts';
import { readModelsAt } from './consistency.ts';
import { ConfigurePoolBody, CreatePoolBody, Id, Position } from './schemas.ts';

function view(p: PoolStatus) {
  return { poolId: p.poolId, ...p.config, counts: p.counts, activeSessions: p.activeSessions, health: p.health };
}

/** Pools: create, list, get, configure. */
export default function poolRoutes(app: App, s: Services): void {
  const tags = ['pools'];
  app.post('/v1/pools', { schema: { tags, body: CreatePoolBody } }, async (req, reply) => {
    const { poolId, ...config } = req.body;
    const result = await createPool(s.store, poolId, config, req.ctx);
    return reply.code(201).send({ poolId, config: result.state.config, position: result.position });
  });

  app.get('/v1/pools', { schema: { tags, querystring: Type.Object({ position: Position }) } }, async (req) => {
    await readModelsAt(s, req.query.position);
    return { items: (await poolStatuses(s.db)).map(view) };
  });

  app.get('/v1/pools/:poolId', { schema: { tags, params: Type.Object({ poolId: Id }), querystring: Type.Object({ position: Position }) } }, async (req) => {
    await readModelsAt(s, req.query.position);
    return view(await poolStatus(s.db, req.params.poolId));
  });

  app.patch('/v1/pools/:poolId', { schema: { tags, params: Type.Object({ poolId: Id }), body: ConfigurePoolBody } }, async (req) => {
    const allocator = await s.allocators.get(req.params.poolId);
    const { position, state } = await allocator.submit({ type: 'ConfigurePool', poolId: req.params.poolId, changes: req.body }, req.ctx);
    return { poolId: req.params.poolId, config: state.config, position };
  });
}
