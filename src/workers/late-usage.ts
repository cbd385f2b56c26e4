/**
 * Counts the tokens of objects whose tokens come after they are made (batches, Anthropic's
 * message batches, assistants' runs, background responses) when no client has read them
 * finished: each round the scheduler's leader reads the oldest such objects at their
 * accounts, as a client's read through the gateway would, and counts the tokens of those
 * finished once, against the key that made them (and its budgets): the tokens the object
 * shows, or else those of its results or output file. A client's read counts them first
 * when it comes first: the claim is the same.
 */
import type { Allocators } from '../commands/allocators.ts';
import type { CallerDeps } from '../commands/callers.ts';
import type { Quotas } from '../commands/quotas.ts';
import { countForMaker, type GatewayCore } from '../commands/gateway.ts';
import { finishedAtOf, finishedUnreported, onGateway, ResultsUsage, type LateTokens } from '../domain/kept.ts';
import type { Credentials } from '../store/secrets.ts';
import type { DueObject } from '../store/kept-objects.ts';
import type { Upstreams, UpstreamTarget } from './upstream.ts';

export interface LateUsageDeps {
  gateway: GatewayCore;
  upstreams: Upstreams;
  allocators: Allocators;
  /** The key's and user's budgets, charged what the tokens cost. */
  quotas: Quotas;
  callers: CallerDeps;
  onError: (e: unknown) => void;
}

export interface LateUsageSettings {
  /** How long after it was made an object is first read, and how long between reads of one unfinished. */
  afterMs: number;
  /** Objects read a round, at most. */
  batch: number;
}

/** Where an upstream answers an object of each kind (a run under its thread). */
function pathOf(due: DueObject): string | undefined {
  const id = encodeURIComponent(due.id);
  switch (due.kind) {
    case 'batch': return `/v1/batches/${id}`;
    case 'response': return `/v1/responses/${id}`;
    case 'message_batch': return `/v1/messages/batches/${id}`;
    case 'thread.run': return typeof due.object?.thread_id === 'string' ? `/v1/threads/${encodeURIComponent(due.object.thread_id)}/runs/${id}` : undefined;
    default: return undefined;
  }
}

/**
 * @example
 * const sweeper = new LateUsageSweeper({ gateway, upstreams, allocators, quotas, callers, onError }, { afterMs: 600_000, batch: 50 });
 * await sweeper.scan(); // → how many objects had their tokens counted
 */
export class LateUsageSweeper {
  constructor(private readonly deps: LateUsageDeps, private readonly settings: LateUsageSettings) {}

  /** One round: reads the objects due at their accounts; answers how many had their tokens counted. */
  async scan(now = Date.now()): Promise<number> {
    const due = await this.deps.gateway.dueLateUsage(this.settings.afterMs, this.settings.batch, now);
    let counted = 0;
    for (const object of due) {
      try {
        if (await this.read(object, now)) counted++;
      } catch (error) {
        this.deps.onError(error);
      }
    }
    return counted;
  }

  /**
   * Reads one object at its account, when the gateway could send a client's read through
   * it now (`GatewayCore.lend`: counted among its requests, and in an exclusive pool claimed,
   * never while a session leases it); counts its tokens when it has finished and no read
   * counted them. An account cooling for the object's model, leased or at its most
   * requests is left alone: the object is due again a round `afterMs` later.
   */
  private async read(due: DueObject, now: number): Promise<boolean> {
    const { gateway, upstreams, allocators } = this.deps;
    if (gateway.cooling(due.owner.accountId, due.owner.model, now)) return false;
    const path = pathOf(due);
    const keyId = due.owner.keyId;
    const target = upstreams.targetOf((await allocators.get(due.owner.poolId)).current.config?.providerId ?? '');
    if (!path || !keyId || !target) return false;
    const chosen = await gateway.lend(due.owner.poolId, due.owner.accountId);
    if (!chosen) return false;
    try {
      return await this.readThrough(due, { ...due.owner, keyId }, path, target, chosen.credentials);
    } finally {
      chosen.done();
    }
  }

  /** Reads the object with the account's credentials, and its results or output file when its tokens are there. */
  private async readThrough(due: DueObject, owner: DueObject['owner'] & { keyId: string }, path: string, target: UpstreamTarget, credentials: Credentials | null): Promise<boolean> {
    const { gateway, upstreams } = this.deps;
    const headers = { accept: 'application/json', ...(due.kind === 'message_batch' ? { 'anthropic-version': '2023-06-01' } : {}) };
    const res = await upstreams.send(target, credentials, { method: 'GET', path, headers });
    if (res.statusCode !== 200) {
      await res.body.dump();
      // Gone at its upstream (deleted, expired): forgotten, as a client's read would.
      if (res.statusCode === 404) await gateway.forget(due.id);
      return false;
    }
    const shown = await res.body.json() as Record<string, unknown>;
    const answer = onGateway(shown) ?? shown;
    const late = await gateway.keepShown(answer, due.owner);
    if (late) {
      await this.count(owner, late);
      return true;
    }
    // Tokens shown elsewhere: a message batch's in its results once it has ended; a batch's that shows none, in its output file.
    const unreported = finishedUnreported(answer);
    const elsewhere = due.kind === 'message_batch' && answer.processing_status === 'ended' ? `${path}/results`
      : unreported && typeof answer.output_file_id === 'string' ? `/v1/files/${encodeURIComponent(answer.output_file_id)}/content` : undefined;
    if (!elsewhere) {
      // Finished with its tokens nowhere to be read: counted as none, and not read again.
      if (unreported) await gateway.claimLateUsage(due.id);
      return false;
    }
    const lines = await upstreams.send(target, credentials, { method: 'GET', path: elsewhere, headers });
    if (lines.statusCode !== 200) {
      await lines.body.dump();
      return false;
    }
    const tokens = new ResultsUsage();
    for await (const chunk of lines.body.setEncoding('utf8')) tokens.push(chunk as string);
    tokens.end();
    if (!(await gateway.claimLateUsage(due.id))) return false;
    // Both kinds read here are batches: a message batch's results, or a batch's output file.
    const finishedAt = finishedAtOf(answer);
    await this.count(owner, { input: tokens.input, output: tokens.output, batch: true, ...(finishedAt !== undefined ? { finishedAt } : {}) });
    return true;
  }

  private count(owner: DueObject['owner'] & { keyId: string }, tokens: LateTokens): Promise<void> {
    return countForMaker(this.deps, owner, tokens);
  }
}
