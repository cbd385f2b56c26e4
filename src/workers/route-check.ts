/**
 * Whether a gateway route's pools can serve its model: for each pool, an active account
 * asks its upstream's model list (`GET /v1/models`, which costs no tokens; another account
 * when one gets no list) and the check says whether the pool's upstream model is on it. What new-api's channel test
 * and LiteLLM's health check tell an operator before clients find out.
 */
import { coolingUntil, isAllocatable } from '../domain/account.ts';
import type { ResolvedRoute } from '../domain/gateway.ts';
import type { Allocators } from '../commands/allocators.ts';
import type { Chosen, GatewayCore } from '../commands/gateway.ts';
import type { AccountIndex } from '../projections/account-index.ts';
import type { Upstreams, UpstreamTarget } from './upstream.ts';

/** What the check found at one pool of a route. */
export interface PoolCheck {
  poolId: string;
  upstreamModel: string;
  /** The account whose answer this is: the first that answered a model list, else the last asked (none when the pool has none active, or no upstream). */
  accountId: string | null;
  /** `listed`: the upstream lists the model; `not_listed`: it answered, without it; `failed`: it did not answer a list; `unchecked`: nothing to ask with. */
  result: 'listed' | 'not_listed' | 'failed' | 'unchecked';
  /** The upstream's status, when it answered. */
  status: number | null;
  latencyMs: number | null;
  detail: string;
}

export interface RouteCheckDeps {
  allocators: Allocators;
  accounts: AccountIndex;
  gateway: GatewayCore;
  upstreams: Upstreams;
}

/** Accounts asked at most in a pool, until one answers a model list. */
const ACCOUNTS_ASKED = 3;
/** Anthropic's list gives 20 models unless asked for more; OpenAI's ignores the query. */
const MODELS_PATH = '/v1/models?limit=1000';

/** What a pool's upstream answered an account: its model list, or why there is none. */
type PoolList = { accountId: string | null; status: number | null; latencyMs: number | null } & ({ ids: string[] } | { result: 'failed' | 'unchecked'; detail: string });

/**
 * Checks routes, for the API (`POST /v1/gateway/routes/{model}/check`, and every route at
 * once with `POST /v1/gateway/routes/check`).
 *
 * @example
 * const [{ pools }] = await new RouteChecks(deps).check([gateway.route('small')]);
 * pools[0].result // → 'listed'
 */
export class RouteChecks {
  /** `accountsTried`: accounts of a pool looked at most for ones that can take a request now (each may cost a claim in an exclusive pool). */
  constructor(private readonly deps: RouteCheckDeps, private readonly accountsTried = 100) {}

  /**
   * Checks each pool of each route, one pool at a time and each pool once (routes that
   * share a pool share its list), through its active accounts (those not cooling for the
   * model first), up to three until one answers a model list. Never says what the
   * upstream answered beyond its status: an error body may quote the credential.
   */
  async check(routes: ResolvedRoute[], now = Date.now()): Promise<Array<{ model: string; pools: PoolCheck[] }>> {
    const lists = new Map<string, PoolList>();
    const checked = [];
    for (const route of routes) {
      const pools: PoolCheck[] = [];
      for (const { poolId, upstreamModel } of route.pools) {
        let list = lists.get(poolId);
        if (!list) lists.set(poolId, (list = await listAt(this.deps, poolId, route.model, now, this.accountsTried)));
        pools.push(verdict(poolId, upstreamModel, list));
      }
      checked.push({ model: route.model, pools });
    }
    return checked;
  }
}

/** Whether a pool's list names its upstream model. */
function verdict(poolId: string, upstreamModel: string, list: PoolList): PoolCheck {
  const { accountId, status, latencyMs } = list;
  if (!('ids' in list)) return { poolId, upstreamModel, accountId, status, latencyMs, result: list.result, detail: list.detail };
  return list.ids.includes(upstreamModel)
    ? { poolId, upstreamModel, accountId, status, latencyMs, result: 'listed', detail: `the upstream lists ${upstreamModel}` }
    : { poolId, upstreamModel, accountId, status, latencyMs, result: 'not_listed', detail: `the upstream lists ${list.ids.length} models, not ${upstreamModel}` };
}

/**
 * A pool's upstream model list, asked through up to three of its active accounts (those not
 * cooling for `model` first; the first `accountsTried` looked at) that the gateway could
 * send a request through now: each counts as one of the account's requests while it is
 * asked and, in an exclusive pool, is claimed like a client's, so that the check never
 * uses an account leased to a session.
 */
async function listAt(deps: RouteCheckDeps, poolId: string, model: string, now: number, accountsTried: number): Promise<PoolList> {
  const unchecked = (detail: string): PoolList => ({ accountId: null, status: null, latencyMs: null, result: 'unchecked', detail });
  const allocator = await deps.allocators.get(poolId).catch(() => undefined);
  if (!allocator) return unchecked('the pool does not exist');
  const providerId = allocator.current.config?.providerId;
  const target = providerId ? deps.upstreams.targetOf(providerId) : undefined;
  if (!target) return unchecked(providerId ? `the pool's provider ${providerId} names no upstream (options.gateway.baseUrl or options.baseUrl)` : 'the pool has no provider');
  // Up to `accountsTried` active accounts, those not cooling for the model first (in one
  // pass, not a sort of the pool): a failing account says little of the route, so another is asked.
  const ready: string[] = [];
  const cooling: string[] = [];
  let active = 0;
  for (const [accountId, entry] of deps.accounts.pool(poolId)) {
    if (!isAllocatable(entry.state, now)) continue;
    active++;
    const into = coolingUntil(entry.state.cooldowns, model, now) === undefined ? ready : cooling;
    if (into.length < accountsTried) into.push(accountId);
  }
  if (!active) return unchecked('the pool has no active account');
  let list: PoolList | undefined;
  let asked = 0;
  const tried = [...ready, ...cooling].slice(0, accountsTried);
  for (const accountId of tried) {
    const answer = await askThrough(deps, target, poolId, accountId);
    if (!answer) continue;
    list = answer;
    if ('ids' in list) break;
    if (++asked > 1) list.detail += ` (the last of ${asked} accounts asked)`;
    if (asked === ACCOUNTS_ASKED) break;
  }
  const looked = tried.length < active ? `${tried.length} of the pool's ${active}` : `the pool's ${active}`;
  return list ?? unchecked(`none of ${looked} active accounts can take a request now: each is leased to a session or serving its most requests at once`);
}

/** One account's answer, when the gateway lends it (undefined when it cannot take a request now). */
async function askThrough(deps: RouteCheckDeps, target: UpstreamTarget, poolId: string, accountId: string): Promise<PoolList | undefined> {
  let chosen: Chosen | undefined;
  try {
    chosen = await deps.gateway.lend(poolId, accountId);
  } catch (error) {
    return unusable(accountId, error);
  }
  if (!chosen) return undefined;
  try {
    return await ask(deps, target, chosen);
  } finally {
    chosen.done();
  }
}

/** One account's answer to `GET /v1/models`. */
async function ask(deps: RouteCheckDeps, target: UpstreamTarget, { accountId, credentials }: Chosen): Promise<PoolList> {
  const started = performance.now();
  try {
    const res = await deps.upstreams.send(target, credentials, {
      method: 'GET', path: MODELS_PATH, headers: { accept: 'application/json', 'anthropic-version': '2023-06-01' },
    });
    const answered = { accountId, status: res.statusCode, latencyMs: Math.round(performance.now() - started) };
    const text = await res.body.text();
    if (res.statusCode >= 400) return { ...answered, result: 'failed', detail: `the upstream answered ${res.statusCode} to GET /v1/models` };
    const ids = modelIds(text);
    return ids ? { ...answered, ids } : { ...answered, result: 'failed', detail: 'the upstream\'s answer to GET /v1/models is not a model list' };
  } catch (error) {
    return unusable(accountId, error);
  }
}

/** Why an account could not ask: it has no credential for the upstream, or the request failed. */
function unusable(accountId: string, error: unknown): PoolList {
  const code = (error as { code?: string }).code;
  const missing = code === 'missing_credential';
  return { accountId, status: null, latencyMs: null, result: missing ? 'unchecked' : 'failed', detail: missing ? 'the account has no credential for this upstream' : `no answer: ${code ?? 'the request failed'}` };
}

/** The ids of a model list (`{data: [{id}]}`, OpenAI's and Anthropic's shape), or undefined. */
function modelIds(text: string): string[] | undefined {
  try {
    const data = (JSON.parse(text) as { data?: unknown }).data;
    return Array.isArray(data) ? data.flatMap((m) => (typeof (m as { id?: unknown })?.id === 'string' ? [(m as { id: string }).id] : [])) : undefined;
  } catch {
    return undefined;
  }
}
