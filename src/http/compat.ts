import { Type, type TSchema } from 'typebox';
import { accountCredentials } from '../commands/accounts.ts';
import { allocateFor, ownHolder, release, type LeasedAccount } from '../commands/sessions.ts';
import { recordRefreshRequest, recordReplenishRequest } from '../commands/operations.ts';
import { refreshCredentials, replenishPool } from '../commands/upkeep.ts';
import { DomainError } from '../domain/errors.ts';
import { Nullable } from '../domain/events.ts';
import { findAccountByLogin, getSession, poolStatus, type AccountRow } from '../projections/queries.ts';
import type { Credentials } from '../store/secrets.ts';
import type { App, Services } from './app.ts';
import { answers, Id } from './schemas.ts';

/** The existing API's account shape. */
function compatAccount(a: {
  login: string; accountId: string; credentials: Credentials | null; status: string; createdAt: string | null;
  lastUsed: string | null; useCount: number; sessionId: string | null; lastRefresh: string | null;
}) {
  return {
    email: a.login, local_id: a.accountId, id_token: a.credentials?.idToken ?? a.credentials?.accessToken ?? null,
    refresh_token: a.credentials?.refreshToken ?? null, status: a.status, created_at: a.createdAt, last_used: a.lastUsed,
    last_refresh_time: a.lastRefresh, use_count: a.useCount, session_id: a.sessionId,
  };
}

function statusOf(row: AccountRow): string {
  if (row.status !== 'active') return row.status;
  if (row.session_id) return 'in_use';
  return row.cooldown_until && row.cooldown_until.getTime() > Date.now() ? 'cooling' : 'available';
}

const Loose = { additionalProperties: true };

const Str = Type.String();
/** An account as the existing API shows it. */
const CompatAccount = Type.Object({
  email: Str, local_id: Str, id_token: Nullable(Str), refresh_token: Nullable(Str), status: Str, created_at: Nullable(Str),
  last_used: Nullable(Str), last_refresh_time: Nullable(Str), use_count: Type.Integer(), session_id: Nullable(Str),
});
/** Every answer of the existing API says whether it worked, and why; the rest depends on the route. */
const Outcome = <F extends Record<string, TSchema>>(fields: F) => Type.Object({ success: Type.Boolean(), message: Str, ...fields });
const Allocated = Outcome({
  session_id: Nullable(Str), accounts: Type.Array(CompatAccount),
  lease_secret: Type.Optional(Str), expires_at: Type.Optional(Str),
});
const Status = Type.Object({
  pool_stats: Type.Object({ available: Type.Integer(), in_use: Type.Integer(), total: Type.Integer() }),
  active_sessions: Type.Integer(), running: Type.Boolean(), min_pool_size: Type.Integer(), accounts_per_request: Type.Integer(),
  health: Str, timestamp: Str,
});
const Refreshed = Outcome({ result: Type.Optional(Type.Object({ accountId: Str, outcome: Str, detail: Type.Optional(Str) })) });
const Replenished = Outcome({ requested: Type.Integer(), registering: Type.Integer(), job_id: Nullable(Str) });

/** The existing API has no positions: its reads wait, bounded, until the read models hold every event written so far. */
async function caughtUp(s: Services): Promise<void> {
  await s.readModels.reach(s.db, await s.store.headPosition());
}

/**
 * The existing account-pool API, unchanged, on the default pool: allocate, release,
 * status, refresh-tokens, replenish, and one account by email.
 */
export default function compatRoutes(app: App, s: Services): void {
  const tags = ['account-pool API'];
  const poolId = () => s.settings.defaultPool;

  app.post('/api/accounts/allocate', {
    schema: {
      tags,
      body: Type.Optional(Type.Object({
        session_id: Type.Optional(Id),
        count: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
      }, Loose)),
      response: answers({ 200: Allocated }),
    },
  }, async (req) => {
    const body = req.body ?? {};
    try {
      const a = await allocateFor(s, req.caller, poolId(), {
        count: body.count ?? s.settings.accountsPerRequest, holder: req.ctx.actor, ...(body.session_id ? { sessionId: body.session_id } : {}),
      }, req.ctx);
      const accounts = a.leases.map((l: LeasedAccount) => compatAccount({
        login: l.login, accountId: l.accountId, credentials: l.credentials, status: 'in_use', createdAt: l.importedAt || null,
        lastUsed: l.lastUsed, useCount: l.useCount, sessionId: a.sessionId, lastRefresh: null,
      }));
      return { success: true, session_id: a.sessionId, accounts, message: `allocated ${accounts.length} account(s)`, lease_secret: a.leaseSecret, expires_at: a.expiresAt };
    } catch (error) {
      if (error instanceof DomainError && (error.code === 'no_account_available' || error.code === 'session_exists')) {
        return { success: false, session_id: body.session_id ?? null, accounts: [], message: error.detail };
      }
      throw error;
    }
  });

  app.post('/api/accounts/release', {
    schema: { tags, body: Type.Object({ session_id: Id }, Loose), response: answers({ 200: Outcome({}) }) },
  }, async (req) => {
    // An API key releases its own sessions only: another's is not found (404).
    const r = await release(s, poolId(), req.body.session_id, null, req.ctx, ownHolder(req.caller));
    return { success: true, message: r.released ? `released session ${r.sessionId}` : `session ${r.sessionId} was already released` };
  });

  app.get('/api/accounts/status', { schema: { tags, response: answers({ 200: Status }) } }, async () => {
    await caughtUp(s);
    const p = await poolStatus(s.db, poolId());
    return {
      pool_stats: { available: p.counts.available, in_use: p.counts.leased, total: p.counts.total },
      active_sessions: p.activeSessions, running: true, min_pool_size: p.config.minSize,
      accounts_per_request: s.settings.accountsPerRequest, health: p.health, timestamp: new Date().toISOString(),
    };
  });

  app.post('/api/accounts/refresh-tokens', {
    schema: { tags, body: Type.Optional(Type.Object({ email: Type.Optional(Type.String({ minLength: 1, maxLength: 320 })), force: Type.Optional(Type.Boolean()) }, Loose)), response: answers({ 200: Refreshed, 202: Refreshed }) },
  }, async (req, reply) => {
    await caughtUp(s);
    const { email, force = false } = req.body ?? {};
    const account = email ? await findAccountByLogin(s.db, poolId(), email) : undefined;
    if (email && !account) throw new DomainError('account_not_found', `no account ${email} in pool ${poolId()}`);
    await recordRefreshRequest(s.store, poolId(), { ...(email ? { email } : {}), force }, req.ctx);
    const { providerId } = (await poolStatus(s.db, poolId())).config;
    if (!s.providers.get(providerId)?.can.refresh) {
      return { success: false, message: `provider ${providerId} of pool ${poolId()} cannot refresh credentials` };
    }
    const running = refreshCredentials(s, poolId(), { ...(account ? { accountId: account.account_id } : {}), force }, req.ctx);
    if (!account) {
      running.catch((err) => req.log.error({ err }, 'refresh of all accounts failed'));
      return reply.code(202).send({ success: true, message: `refresh of all accounts started (minimum interval ${force ? 'skipped' : 'kept'}, rate limit kept)` });
    }
    const [result] = await running;
    return { success: result!.outcome === 'refreshed' || result!.outcome === 'skipped', message: `${email}: ${result!.outcome}${result!.detail ? ` (${result!.detail})` : ''}`, result };
  });

  app.post('/api/accounts/replenish', {
    schema: { tags, body: Type.Optional(Type.Object({ count: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 })) }, Loose)), response: answers({ 200: Replenished, 202: Replenished }) },
  }, async (req, reply) => {
    const count = req.body?.count;
    await recordReplenishRequest(s.store, poolId(), count, req.ctx);
    const r = await replenishPool(s, poolId(), count, req.ctx);
    // Success is registration under way, or nothing to do; a pool that cannot grow says why.
    const success = r.registering > 0 || r.requested === 0;
    return reply.code(success ? 202 : 200).send({ success, message: r.detail, requested: r.requested, registering: r.registering, job_id: r.jobId });
  });

  app.get('/api/accounts/:email', { schema: { tags, params: Type.Object({ email: Type.String({ minLength: 1, maxLength: 320 }) }), response: answers({ 200: CompatAccount }) } }, async (req) => {
    await caughtUp(s);
    const row = await findAccountByLogin(s.db, poolId(), req.params.email);
    if (!row) throw new DomainError('account_not_found', `no account ${req.params.email} in pool ${poolId()}`);
    // An API key sees an account's credentials only while one of its sessions holds it.
    const own = ownHolder(req.caller);
    const holds = own === undefined || (row.session_id !== null && (await getSession(s.db, poolId(), row.session_id).catch(() => undefined))?.holder === own);
    return compatAccount({
      login: row.login, accountId: row.account_id, credentials: holds ? await accountCredentials(s, row.account_id) : null, status: statusOf(row),
      createdAt: row.imported_at.toISOString(), lastUsed: row.last_used?.toISOString() ?? null, useCount: row.use_count,
      sessionId: row.session_id, lastRefresh: null,
    });
  });
}
