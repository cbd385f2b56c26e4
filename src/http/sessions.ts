import { Type } from 'typebox';
import { probeAccount } from '../commands/upkeep.ts';
import { reportOutcome } from '../commands/usage.ts';
import { allocateFor, ownHolder, release, renew } from '../commands/sessions.ts';
import { DomainError, invalid } from '../domain/errors.ts';
import { getSession, listSessions, type SessionRow } from '../projections/queries.ts';
import type { App, Services } from './app.ts';
import { readModelsAt } from './consistency.ts';
import { AllocateBody, Allocation, answers, Id, LeaseSecretBody, Offset, OutcomeAnswer, Position, ReleaseBody, Released, Renewed, SessionList, SessionView } from './schemas.ts';

const OutcomeBody = Type.Object({
  leaseSecret: Type.String({ minLength: 1, maxLength: 200 }),
  accountId: Type.String({ format: 'uuid' }),
  outcome: Type.Union([
    Type.Literal('success'), Type.Literal('rate_limited'), Type.Literal('server_error'), Type.Literal('timeout'), Type.Literal('refused'), Type.Literal('no_credits'),
  ], {
    description: '`refused`: the upstream refused the account\'s credential (a 401); the account cools until its credentials are refreshed. '
      + '`no_credits`: the upstream said the account has no credits left; it cools for every model for `cooldown.maxMs`',
  }),
  model: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  units: Type.Optional(Type.Number({ minimum: 0, maximum: 1e12 })),
  retryAfterSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 30 * 86_400 })),
}, { additionalProperties: false });

const SessionParams = Type.Object({ poolId: Id, sessionId: Id });

/** Sessions: allocate, renew, release, get. Renew and release need the session's lease secret. */
export default function sessionRoutes(app: App, s: Services): void {
  const tags = ['sessions'];
  app.post('/v1/pools/:poolId/sessions', { schema: { tags, params: Type.Object({ poolId: Id }), body: AllocateBody, response: answers({ 201: Allocation }) } }, async (req, reply) => {
    const b = req.body;
    const filter = b.capabilities || b.region || b.model || b.needsCredits
      ? {
        ...(b.capabilities ? { capabilities: b.capabilities } : {}), ...(b.region ? { region: b.region } : {}),
        ...(b.model ? { model: b.model } : {}), ...(b.needsCredits ? { needsCredits: true } : {}),
      }
      : undefined;
    const result = await allocateFor(s, req.caller, req.params.poolId, {
      count: b.count ?? 1, holder: b.holder ?? req.ctx.actor, ...(b.sessionId ? { sessionId: b.sessionId } : {}),
      ...(b.ttlMs ? { ttlMs: b.ttlMs } : {}), ...(b.waitMs ? { waitMs: b.waitMs } : {}), ...(filter ? { filter } : {}),
    }, req.ctx);
    return reply.code(201).send({ poolId: req.params.poolId, ...result });
  });

  app.post('/v1/pools/:poolId/sessions/:sessionId/renew', { schema: { tags, params: SessionParams, body: LeaseSecretBody, response: answers({ 200: Renewed }) } }, async (req) =>
    renew(s, req.params.poolId, req.params.sessionId, req.body.leaseSecret, req.body.ttlMs, req.ctx, ownHolder(req.caller)));

  app.post('/v1/pools/:poolId/sessions/:sessionId/release', { schema: { tags, params: SessionParams, body: ReleaseBody, response: answers({ 200: Released }) } }, async (req) => {
    // An operator may end any session; an API key only its own, and only with the secret.
    if (req.body.leaseSecret === undefined && req.caller?.kind === 'key') throw invalid([{ field: 'leaseSecret', message: 'an API key releases with the session\'s lease secret' }]);
    return release(s, req.params.poolId, req.params.sessionId, req.body.leaseSecret ?? null, req.ctx, ownHolder(req.caller));
  });

  app.get('/v1/pools/:poolId/sessions', {
    schema: {
      tags, params: Type.Object({ poolId: Id }),
      querystring: Type.Object({
        status: Type.Optional(Type.Union([Type.Literal('live'), Type.Literal('released'), Type.Literal('expired')])),
        holder: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
        limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }), offset: Offset, position: Position,
      }, { additionalProperties: false }),
      response: answers({ 200: SessionList }),
    },
  }, async (req) => {
    const q = req.query;
    await readModelsAt(s, q.position);
    // An API key sees only its own sessions, whatever holder it asks for.
    const holder = ownHolder(req.caller) ?? q.holder;
    const { items, total } = await listSessions(s.db, { poolId: req.params.poolId, status: q.status, holder, limit: q.limit, offset: q.offset });
    return { items: items.map((r) => ({ ...sessionView(r), logins: r.logins })), total, limit: q.limit, offset: q.offset };
  });

  app.get('/v1/pools/:poolId/sessions/:sessionId', { schema: { tags, params: SessionParams, querystring: Type.Object({ position: Position }), response: answers({ 200: SessionView }) } }, async (req) => {
    await readModelsAt(s, req.query.position);
    const r = await getSession(s.db, req.params.poolId, req.params.sessionId);
    const own = ownHolder(req.caller);
    if (own !== undefined && r.holder !== own) throw new DomainError('session_not_found', `session ${req.params.sessionId} does not exist`);
    return sessionView(r);
  });

  app.post('/v1/pools/:poolId/sessions/:sessionId/outcomes', {
    schema: { tags: ['upkeep'], params: Type.Object({ poolId: Id, sessionId: Id }), body: OutcomeBody, response: answers({ 200: OutcomeAnswer }) },
  }, async (req) => {
    const { leaseSecret, ...report } = req.body;
    const r = await reportOutcome(s, req.params.poolId, req.params.sessionId, leaseSecret, report, req.ctx, ownHolder(req.caller));
    // Units reported are the tokens a caller's tokens-per-minute limit counts.
    if (req.caller && req.caller.kind !== 'admin' && report.units) await s.quotas.chargeTokens(req.caller.limits, report.units);
    await probeAccount(s, report.accountId, 'soon');
    const cooldown = r.state.cooldowns.filter((c) => c.until > Date.now()).map((c) => ({ ...c, until: new Date(c.until).toISOString() }));
    return { accountId: report.accountId, events: r.events.map((e) => e.type), cooldowns: cooldown, position: r.position };
  });
}

/** A session as the API shows it (no secret: the lease secret is never stored). */
function sessionView(r: SessionRow) {
  return {
    poolId: r.pool_id, sessionId: r.session_id, holder: r.holder, status: r.status,
    leases: r.account_ids.map((accountId, i) => ({ accountId, fence: r.fences[i] ?? 0 })),
    expiresAt: r.expires_at.toISOString(), allocatedAt: r.allocated_at.toISOString(), endedAt: r.ended_at?.toISOString() ?? null,
  };
}
