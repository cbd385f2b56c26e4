import { Type } from 'typebox';
import { probeAccount } from '../commands/upkeep.ts';
import { accountUsage } from '../projections/registration-queries.ts';
import { changeAccount, importAccounts, parseLines, type ImportSource } from '../commands/accounts.ts';
import { invalid } from '../domain/errors.ts';
import { getAccount, listAccounts, type AccountCursor, type AccountRow } from '../projections/queries.ts';
import { usageDay } from '../domain/usage-day.ts';
import type { App, Services } from './app.ts';
import { readModelsAt } from './consistency.ts';
import {
  AccountChanged, AccountList, AccountView, answers, CooldownBody, Id, ImportAnswer, ImportBody, Offset, Position, ProbeAnswer, Reason, UsageList,
} from './schemas.ts';

const changedAnswers = answers({ 200: AccountChanged });

const iso = (d: Date | null) => d?.toISOString() ?? null;

/** The account as the native API shows it: no secrets, ever. */
export function accountView(a: AccountRow) {
  return {
    accountId: a.account_id, poolId: a.pool_id, login: a.login, status: a.status, disabledReason: a.disabled_reason,
    capabilities: a.capabilities, region: a.region, cooldowns: a.cooldowns, cooldownUntil: iso(a.cooldown_until),
    credentialsExpiresAt: iso(a.credentials_expires_at), credentialsRotatedAt: iso(a.credentials_rotated_at),
    credentialsVersion: a.credentials_version ?? 0, credits: a.credits, creditsCheckedAt: iso(a.credits_checked_at), sessionId: a.session_id, fence: a.fence,
    leasedUntil: iso(a.leased_until), useCount: a.use_count, lastUsed: iso(a.last_used),
    importedAt: iso(a.imported_at), updatedAt: iso(a.updated_at),
  };
}

/** A place in the accounts listing as the API gives it (`next`), opaque to clients. */
const cursorText = (c: AccountCursor) => Buffer.from(JSON.stringify([c.poolId, c.login, c.accountId])).toString('base64url');

/** The place an `after` cursor names; 400 naming `after` when it is not one this API gave. */
function cursorOf(text: string): AccountCursor {
  try {
    const [poolId, login, accountId] = JSON.parse(Buffer.from(text, 'base64url').toString()) as unknown[];
    if (typeof poolId === 'string' && typeof login === 'string' && typeof accountId === 'string' && UUID.test(accountId)) return { poolId, login, accountId };
  } catch {
    // not JSON: refused below
  }
  throw invalid([{ field: 'after', message: 'is not a cursor from a page of this listing' }]);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const AccountParams = Type.Object({ accountId: Type.String({ format: 'uuid' }) });

/** The largest import body, JSON or text/plain alike. */
const IMPORT_BODY_LIMIT = 1_048_576;

/** Accounts: bulk import, list with filters, get, disable, enable, cool down, end cooldown, retire. */
export default function accountRoutes(app: App, s: Services): void {
  const tags = ['accounts'];
  // A text/plain import is the same as a JSON one with only `lines`, under the same limits.
  app.addContentTypeParser('text/plain', { parseAs: 'string', bodyLimit: IMPORT_BODY_LIMIT }, (_req, body, done) => done(null, { lines: body }));

  app.post('/v1/pools/:poolId/accounts', {
    bodyLimit: IMPORT_BODY_LIMIT,
    schema: {
      tags, params: Type.Object({ poolId: Id }),
      querystring: Type.Object({
        mode: Type.Union([Type.Literal('create'), Type.Literal('update')], { default: 'create', description: '`update`: replace the credentials of accounts already in the pool' }),
      }, { additionalProperties: false }),
      body: ImportBody,
      response: answers({ 200: ImportAnswer }),
    },
  }, async (req) => {
    await s.allocators.get(req.params.poolId);
    const body = req.body;
    const offset = body.accounts?.length ?? 0;
    const sources: ImportSource[] = [
      ...(body.accounts ?? []).map((item, i) => ({ line: i + 1, item })),
      // Lines pass the same checks as JSON items (parseLines); a line that fails is reported, not imported.
      ...parseLines(body.lines ?? '').map((l) => ({ ...l, line: l.line + offset })),
    ];
    if (sources.length === 0) throw invalid([{ field: 'accounts', message: 'no account given' }]);
    const { lines, position } = await importAccounts(s, req.params.poolId, sources, req.ctx, req.query.mode);
    const count = (r: string) => lines.filter((l) => l.result === r).length;
    return { imported: count('imported'), updated: count('updated'), duplicates: count('duplicate'), invalid: count('invalid'), lines, position };
  });

  app.get('/v1/accounts', {
    schema: {
      tags,
      querystring: Type.Object({
        pool: Type.Optional(Id),
        status: Type.Optional(Type.Union(['active', 'disabled', 'retired', 'leased', 'available', 'cooling'].map((v) => Type.Literal(v)))),
        search: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
        capability: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
        region: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
        limitReached: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: "accounts that reached their pool's daily limit for this model today" })),
        limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
        offset: Offset,
        after: Type.Optional(Type.String({ minLength: 1, maxLength: 2000, description: "a page's `next`: the page after it (instead of an offset)" })),
        position: Position,
      }, { additionalProperties: false }),
      response: answers({ 200: AccountList }),
    },
  }, async (req) => {
    const q = req.query;
    if (q.after && q.offset) throw invalid([{ field: 'offset', message: 'cannot be given with after' }]);
    const after = q.after === undefined ? undefined : cursorOf(q.after);
    await readModelsAt(s, q.position);
    const { items, total, next } = await listAccounts(s.db, {
      poolId: q.pool, status: q.status as never, search: q.search, capability: q.capability, region: q.region, limit: q.limit, offset: q.offset, after,
      ...(q.limitReached ? { limitReached: { model: q.limitReached, day: usageDay(Date.now(), s.days.timeZone, s.days.rollover) } } : {}),
    });
    return { items: items.map(accountView), total, limit: q.limit, offset: q.offset, next: next ? cursorText(next) : null };
  });

  app.get('/v1/accounts/:accountId', { schema: { tags, params: AccountParams, querystring: Type.Object({ position: Position }), response: answers({ 200: AccountView }) } }, async (req) => {
    await readModelsAt(s, req.query.position);
    return accountView(await getAccount(s.db, req.params.accountId));
  });

  const answer = (accountId: string, r: { events: { type: string }[]; state: { status: 'active' | 'disabled' | 'retired' }; position?: string }) =>
    ({ accountId, status: r.state.status, changed: r.events.length > 0, events: r.events.map((e) => e.type), position: r.position });

  app.post('/v1/accounts/:accountId/disable', { schema: { tags, params: AccountParams, body: Reason, response: changedAnswers } }, async (req) =>
    answer(req.params.accountId, await changeAccount(s, { type: 'DisableAccount', accountId: req.params.accountId, reason: req.body.reason }, req.ctx)));

  app.post('/v1/accounts/:accountId/enable', { schema: { tags, params: AccountParams, response: changedAnswers } }, async (req) =>
    answer(req.params.accountId, await changeAccount(s, { type: 'EnableAccount', accountId: req.params.accountId }, req.ctx)));

  app.post('/v1/accounts/:accountId/retire', { schema: { tags, params: AccountParams, body: Reason, response: changedAnswers } }, async (req) =>
    answer(req.params.accountId, await changeAccount(s, { type: 'RetireAccount', accountId: req.params.accountId, reason: req.body.reason }, req.ctx)));

  app.post('/v1/accounts/:accountId/cooldown', { schema: { tags, params: AccountParams, body: CooldownBody, response: changedAnswers } }, async (req) => {
    const { until, durationMs, reason, model } = req.body;
    if ((until === undefined) === (durationMs === undefined)) {
      throw invalid([{ field: until === undefined ? 'until' : 'durationMs', message: 'give exactly one of until and durationMs' }]);
    }
    const end = until ? Date.parse(until) : Date.now() + durationMs!;
    return answer(req.params.accountId, await changeAccount(s, {
      type: 'CoolDownAccount', accountId: req.params.accountId, until: end, reason, ...(model ? { model } : {}),
    }, req.ctx));
  });

  app.delete('/v1/accounts/:accountId/cooldown', {
    schema: { tags, params: AccountParams, querystring: Type.Object({ model: Type.Optional(Type.String({ minLength: 1 })) }, { additionalProperties: false }), response: changedAnswers },
  }, async (req) =>
    answer(req.params.accountId, await changeAccount(s, { type: 'EndCooldown', accountId: req.params.accountId, ...(req.query.model ? { model: req.query.model } : {}) }, req.ctx)));

  app.post('/v1/accounts/:accountId/probe', { schema: { tags: ['upkeep'], params: AccountParams, response: answers({ 200: ProbeAnswer }) } }, async (req) => {
    await getAccount(s.db, req.params.accountId);
    await probeAccount(s, req.params.accountId);
    const entry = s.accounts.find(req.params.accountId);
    return { accountId: req.params.accountId, credits: entry?.state.credits ?? null, checkedAt: entry?.state.creditsCheckedAt ?? null };
  });

  app.get('/v1/accounts/:accountId/usage', {
    schema: { tags: ['upkeep'], params: AccountParams, querystring: Type.Object({ days: Type.Integer({ minimum: 1, maximum: 366, default: 30 }), position: Position }), response: answers({ 200: UsageList }) },
  }, async (req) => {
    await readModelsAt(s, req.query.position);
    await getAccount(s.db, req.params.accountId);
    return (await accountUsage(s.db, req.params.accountId, req.query.days));
  });
}
