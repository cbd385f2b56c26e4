import { listAudit } from '../projections/audit.ts';
import { Type } from 'typebox';
import { accountAsOf, accountHolders, readAccountEvents, timeline } from '../projections/history.ts';
import type { App, Services } from './app.ts';
import { readModelsAt } from './consistency.ts';
import { AccountAsOf, AccountHistory, AccountHolders, answers, AuditPage, Offset, Position } from './schemas.ts';

const AccountParams = Type.Object({ accountId: Type.String({ format: 'uuid' }) });
const Instant = Type.String({ format: 'date-time', description: 'an instant, RFC 3339' });

const AuditQuery = Type.Object({
  actor: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  from: Type.Optional(Instant),
  to: Type.Optional(Instant),
  type: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  stream: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  correlationId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  offset: Offset,
  position: Position,
}, { additionalProperties: false });

/**
 * Account history from the log: the full timeline, the state as of an instant with who
 * held the account then, every lease; and the audit trail (read model `rm_audit`),
 * filtered by actor, time range, type, stream or correlation id.
 */
export default function historyRoutes(app: App, s: Services): void {
  const tags = ['history'];
  app.get('/v1/accounts/:accountId/history', { schema: { tags, params: AccountParams, response: answers({ 200: AccountHistory }) } }, async (req) => {
    const events = await readAccountEvents(s.store, req.params.accountId);
    return { accountId: events.accountId, poolId: events.poolId, events: timeline(events) };
  });

  app.get('/v1/accounts/:accountId/as-of', { schema: { tags, params: AccountParams, querystring: Type.Object({ at: Instant }), response: answers({ 200: AccountAsOf }) } }, async (req) => {
    return accountAsOf(await readAccountEvents(s.store, req.params.accountId), new Date(req.query.at));
  });

  app.get('/v1/accounts/:accountId/holders', { schema: { tags, params: AccountParams, response: answers({ 200: AccountHolders }) } }, async (req) => {
    return accountHolders(await readAccountEvents(s.store, req.params.accountId));
  });

  app.get('/v1/audit', { schema: { tags, querystring: AuditQuery, response: answers({ 200: AuditPage }) } }, async (req) => {
    const q = req.query;
    await readModelsAt(s, q.position);
    return listAudit(s.db, q);
  });
}
