/**
 * Whether a gateway route's pools can serve its model: for each pool, an active account
 * asks its upstream's model list (`GET /v1/models`, which costs no tokens; another account
 * when one gets no list) and the check says whether the pool's upstream model is on it. What new-api's channel test
 * and LiteLLM's health check tell an operator before clients find out.
 */
import { coolingUntil, isAllocatable } from '../domain/account.ts';
import type { ResolvedRoute } from '../domain/gateway.ts';
import type { Allocators } from '../commands/allocators.ts';
import type { AccountIndex } from '../projections/account-index.ts';
import type { SecretVault } from '../store/secrets.ts';
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
  vault: SecretVault;
  upstreams: Upstreams;
}

/** Accounts asked at most in a pool, until one answers a model list. */
const ACCOUNTS_ASKED = 3;
/** Anthropic's list gives 20 models unless asked for more; OpenAI's ignores the query. */
const MODELS_PATH = '/v1/models?limit=1000';

/**
 * Checks routes, for the API (`POST /v1/gateway/routes/{model}/check`).
 *
 * @example
 * const pools = await new RouteChecks(deps).check(gateway.route('small'));
 * pools[0].result // → 'listed'
 */
export class RouteChecks {
  constructor(private readonly deps: RouteCheckDeps) {}

  /**
   * Checks each pool of a route, one at a time, through its active accounts (those not
   * cooling for the model first), up to three until one answers a model list.
   * Never says what the upstream answered beyond its status: an error body may quote the
   * credential.
   */
  async check(route: ResolvedRoute, now = Date.now()): Promise<PoolCheck[]> {
    const checks: PoolCheck[] = [];
    for (const { poolId, upstreamModel } of route.pools) checks.push(await checkPool(this.deps, poolId, route.model, upstreamModel, now));
    return checks;
  }
}

async function checkPool(deps: RouteCheckDeps, poolId: string, model: string, upstreamModel: string, now: number): Promise<PoolCheck> {
  const unchecked = (detail: string): PoolCheck => ({ poolId, upstreamModel, accountId: null, result: 'unchecked', status: null, latencyMs: null, detail });
  const allocator = await deps.allocators.get(poolId).catch(() => undefined);
  if (!allocator) return unchecked('the pool does not exist');
  const providerId = allocator.current.config?.providerId;
  const target = providerId ? deps.upstreams.targetOf(providerId) : undefined;
  if (!target) return unchecked(providerId ? `the pool's provider ${providerId} names no upstream (options.gateway.baseUrl or options.baseUrl)` : 'the pool has no provider');
  // Active accounts, those not cooling for the model first: a failing account says little of the route, so another is asked.
  const active = [...deps.accounts.pool(poolId)].filter(([, entry]) => isAllocatable(entry.state, now));
  const cooling = (entry: (typeof active)[number][1]) => (coolingUntil(entry.state.cooldowns, model, now) === undefined ? 0 : 1);
  const accountIds = active.sort(([, a], [, b]) => cooling(a) - cooling(b)).slice(0, ACCOUNTS_ASKED).map(([id]) => id);
  if (!accountIds.length) return unchecked('the pool has no active account');
  let check: PoolCheck | undefined;
  for (const [i, accountId] of accountIds.entries()) {
    check = await ask(deps, target, { poolId, upstreamModel, accountId });
    if (check.result === 'listed' || check.result === 'not_listed') break;
    if (i > 0) check.detail += ` (the last of ${i + 1} accounts asked)`;
  }
  return check!;
}

/** One account's answer: its upstream's model list, and whether the model is on it. */
async function ask(deps: RouteCheckDeps, target: UpstreamTarget, at: Pick<PoolCheck, 'poolId' | 'upstreamModel'> & { accountId: string }): Promise<PoolCheck> {
  const started = performance.now();
  try {
    const res = await deps.upstreams.send(target, await deps.vault.get(at.accountId), {
      method: 'GET', path: MODELS_PATH, headers: { accept: 'application/json', 'anthropic-version': '2023-06-01' },
    });
    const answered = { ...at, status: res.statusCode, latencyMs: Math.round(performance.now() - started) };
    const text = await res.body.text();
    if (res.statusCode >= 400) return { ...answered, result: 'failed', detail: `the upstream answered ${res.statusCode} to GET /v1/models` };
    const ids = modelIds(text);
    if (!ids) return { ...answered, result: 'failed', detail: 'the upstream\'s answer to GET /v1/models is not a model list' };
    return ids.includes(at.upstreamModel)
      ? { ...answered, result: 'listed', detail: `the upstream lists ${at.upstreamModel}` }
      : { ...answered, result: 'not_listed', detail: `the upstream lists ${ids.length} models, not ${at.upstreamModel}` };
  } catch (error) {
    const code = (error as { code?: string }).code;
    const missing = code === 'missing_credential';
    return { ...at, result: missing ? 'unchecked' : 'failed', status: null, latencyMs: null, detail: missing ? 'the account has no credential for this upstream' : `no answer: ${code ?? 'the request failed'}` };
  }
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
