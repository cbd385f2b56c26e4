import { Type } from 'typebox';
import { allocate, release, renew } from '../commands/sessions.ts';
import { getSession } from '../projections/queries.ts';
import type { App, Services } from './app.ts';
import { readModelsAt } from './consistency.ts';
import { AllocateBody, Id, LeaseSecretBody, Position } from './schemas.ts';

const SessionParams = Type.Object({ poolId: Id, sessionId: Id });

/** Sessions: allocate, renew, release, get. Renew and release need the session's lease secret. */
export default function sessionRoutes(app: App, s: Services): void {
  const tags = ['sessions'];
  app.post('/v1/pools/:poolId/sessions', { schema: { tags, params: Type.Object({ poolId: Id }), body: AllocateBody } }, async (req, reply) => {
    const b = req.body;
    const filter = b.capabilities || b.region || b.model || b.needsCredits
      ? {
        ...(b.capabilities ? { capabilities: b.capabilities } : {}), ...(b.region ? { region: b.region } : {}),
        ...(b.model ? { model: b.model } : {}), ...(b.needsCredits ? { needsCredits: true } : {}),
      }
      : undefined;
    const result = await allocate(s, req.params.poolId, {
      count: b.count ?? 1, holder: b.holder ?? req.ctx.actor, ...(b.sessionId ? { sessionId: b.sessionId } : {}),
      ...(b.ttlMs ? { ttlMs: b.ttlMs } : {}), ...(b.waitMs ? { waitMs: b.waitMs } : {}), ...(filter ? { filter } : {}),
    }, req.ctx);
    return reply.code(201).send({ poolId: req.params.poolId, ...result });
  });

  app.post('/v1/pools/:poolId/sessions/:sessionId/renew', { schema: { tags, params: SessionParams, body: LeaseSecretBody } }, async (req) =>
    renew(s, req.params.poolId, req.params.sessionId, req.body.leaseSecret, req.body.ttlMs, req.ctx));

  app.post('/v1/pools/:poolId/sessions/:sessionId/release', { schema: { tags, params: SessionParams, body: LeaseSecretBody } }, async (req) =>
    release(s, req.params.poolId, req.params.sessionId, req.body.leaseSecret, req.ctx));

  app.get('/v1/pools/:poolId/sessions/:sessionId', { schema: { tags, params: SessionParams, querystring: Type.Object({ position: Position }) } }, async (req) => {
    await readModelsAt(s, req.query.position);
    const r = await getSession(s.db, req.params.poolId, req.params.sessionId);
    return {
      poolId: r.pool_id, sessionId: r.session_id, holder: r.holder, status: r.status,
      leases: r.account_ids.map((accountId, i) => ({ accountId, fence: r.fences[i] })),
      expiresAt: r.expires_at.toISOString(), allocatedAt: r.allocated_at.toISOString(), endedAt: r.ended_at?.toISOString() ?? null,
    };
  });
}
