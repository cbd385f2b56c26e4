import { Type } from 'typebox';
import { reportOutcome } from '../commands/usage.ts';
import { DomainError } from '../domain/errors.ts';
import { getAccount } from '../projections/queries.ts';
import { accountUsage } from '../projections/registration-queries.ts';
import type { App, Services } from './app.ts';
import { readModelsAt } from './consistency.ts';
import { Id, Position } from './schemas.ts';

const AccountParams = Type.Object({ accountId: Type.String({ format: 'uuid' }) });

const OutcomeBody = Type.Object({
  leaseSecret: Type.String({ minLength: 1, maxLength: 200 }),
  accountId: Type.String({ format: 'uuid' }),
  outcome: Type.Union([Type.Literal('success'), Type.Literal('rate_limited'), Type.Literal('server_error'), Type.Literal('timeout')]),
  model: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  units: Type.Optional(Type.Number({ minimum: 0, maximum: 1e12 })),
  retryAfterSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 30 * 86_400 })),
}, { additionalProperties: false });

/** Credential refresh, probes, replenishment, and usage reports from lease holders. */
export default function upkeepRoutes(app: App, s: Services): void {
  const tags = ['upkeep'];

  app.post('/v1/pools/:poolId/refresh', {
    schema: {
      tags, params: Type.Object({ poolId: Id }),
      body: Type.Optional(Type.Object({ accountId: Type.Optional(Type.String({ format: 'uuid' })), force: Type.Optional(Type.Boolean()) }, { additionalProperties: false })),
    },
  }, async (req) => {
    await s.allocators.get(req.params.poolId);
    const { accountId, force = false } = req.body ?? {};
    if (accountId && s.accounts.find(accountId)?.state.poolId !== req.params.poolId) {
      throw new DomainError('account_not_found', `no account ${accountId} in pool ${req.params.poolId}`);
    }
    const results = await s.refresher.request(req.params.poolId, { ...(accountId ? { accountId } : {}), force }, req.ctx);
    const count = (o: string) => results.filter((r) => r.outcome === o).length;
    return { refreshed: count('refreshed'), skipped: count('skipped'), failed: count('failed'), revoked: count('revoked'), results };
  });

  app.post('/v1/pools/:poolId/replenish', {
    schema: { tags, params: Type.Object({ poolId: Id }), body: Type.Optional(Type.Object({ count: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })) }, { additionalProperties: false })) },
  }, async (req, reply) => reply.code(202).send(await s.replenisher.replenish(req.params.poolId, req.body?.count, req.ctx)));

  app.post('/v1/pools/:poolId/sessions/:sessionId/outcomes', {
    schema: { tags, params: Type.Object({ poolId: Id, sessionId: Id }), body: OutcomeBody },
  }, async (req) => {
    const { leaseSecret, ...report } = req.body;
    const r = await reportOutcome(s, req.params.poolId, req.params.sessionId, leaseSecret, report, req.ctx);
    s.prober.probeSoon(report.accountId);
    const cooldown = r.state.cooldowns.filter((c) => c.until > Date.now()).map((c) => ({ ...c, until: new Date(c.until).toISOString() }));
    return { accountId: report.accountId, events: r.events.map((e) => e.type), cooldowns: cooldown, position: r.position };
  });

  app.post('/v1/accounts/:accountId/probe', { schema: { tags, params: AccountParams } }, async (req) => {
    await getAccount(s.db, req.params.accountId);
    await s.prober.probe(req.params.accountId);
    const entry = s.accounts.find(req.params.accountId);
    return { accountId: req.params.accountId, credits: entry?.state.credits ?? null, checkedAt: entry?.state.creditsCheckedAt ?? null };
  });

  app.get('/v1/accounts/:accountId/usage', {
    schema: { tags, params: AccountParams, querystring: Type.Object({ days: Type.Integer({ minimum: 1, maximum: 366, default: 30 }), position: Position }) },
  }, async (req) => {
    await readModelsAt(s, req.query.position);
    await getAccount(s.db, req.params.accountId);
    return (await accountUsage(s.db, req.params.accountId, req.query.days));
  });
}
