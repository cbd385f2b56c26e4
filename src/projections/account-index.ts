import type pg from 'pg';
import { NONE, accountEvents, evolveAccount, initialAccountState, type AccountState } from '../domain/account.ts';
import type { Candidate } from '../domain/ledger.ts';
import type { RecordedEvent, Position } from '../store/port.ts';
import { readCheckpoint } from './runner.ts';
import { accountStateOf, accountsProjection } from './accounts.ts';
import type { Row } from './projection.ts';

export interface IndexedAccount {
  state: AccountState;
  revision: number;
  importedAt: string;
  candidate: Candidate;
}

function candidateOf(accountId: string, state: AccountState, now: number): Candidate {
  const coolingModels = state.cooldowns.length ? state.cooldowns.filter((c) => c.model && c.until > now).map((c) => c.model!) : NONE;
  return { accountId, capabilities: state.capabilities, region: state.region, coolingModels, credits: state.credits };
}

/**
 * Every account this node knows, by pool: seeded from the accounts read model, kept
 * current by the log tail and by this node's own account commands. Allocators read their
 * candidates from it.
 */
export class AccountIndex {
  private readonly byPool = new Map<string, Map<string, IndexedAccount>>();
  private readonly poolOf = new Map<string, string>();
  private readonly listeners = new Set<(poolId: string, accountId: string) => void>();
  /** For each pool, its accounts whose candidate lists models they cool for (`refreshCandidates` looks at these only). */
  private readonly coolingForModels = new Map<string, Set<string>>();

  /** Loads the read model and returns the position the log tail must resume from. */
  async seed(pool: pg.Pool): Promise<Position> {
    const client = await pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const position = await readCheckpoint(client, accountsProjection.name);
      const { rows } = await client.query<Row & { account_id: string; imported_at: Date; revision: number }>(
        `SELECT account_id, revision, imported_at, pool_id, login, status, disabled_reason, capabilities, region, cooldowns,
                credentials_version, credentials_expires_at, credentials_rotated_at, credits, credits_checked_at, counters FROM rm_accounts`,
      );
      await client.query('COMMIT');
      for (const r of rows) this.put(r.account_id, accountStateOf(r), r.revision, r.imported_at.toISOString());
      return position;
    } finally {
      client.release();
    }
  }

  private put(accountId: string, state: AccountState, revision: number, importedAt: string): void {
    let pool = this.byPool.get(state.poolId);
    if (!pool) this.byPool.set(state.poolId, (pool = new Map()));
    this.poolOf.set(accountId, state.poolId);
    const candidate = candidateOf(accountId, state, Date.now());
    pool.set(accountId, { state, revision, importedAt, candidate });
    this.noteCooling(state.poolId, accountId, candidate);
  }

  private noteCooling(poolId: string, accountId: string, candidate: Candidate): void {
    let cooling = this.coolingForModels.get(poolId);
    if (candidate.coolingModels.length) {
      if (!cooling) this.coolingForModels.set(poolId, (cooling = new Set()));
      cooling.add(accountId);
    } else {
      cooling?.delete(accountId);
    }
  }

  /** Folds an account event seen on the log; events at or below the known revision are skipped. */
  applyRecorded(event: RecordedEvent): void {
    if (!accountEvents.has(event)) return;
    const e = event;
    const accountId = e.data.accountId;
    const known = this.find(accountId);
    if (known && known.revision >= event.revision) return;
    const state = evolveAccount(known?.state ?? initialAccountState(), e);
    this.set(accountId, state, event.revision, known?.importedAt ?? (e.data.at as string));
  }

  /** Records the state a command just wrote (the command read the whole stream). */
  set(accountId: string, state: AccountState, revision: number, importedAt?: string): void {
    const known = this.find(accountId);
    if (known && known.revision > revision) return;
    this.put(accountId, state, revision, importedAt ?? known?.importedAt ?? new Date().toISOString());
    for (const listener of this.listeners) listener(state.poolId, accountId);
  }

  find(accountId: string): IndexedAccount | undefined {
    const poolId = this.poolOf.get(accountId);
    return poolId === undefined ? undefined : this.byPool.get(poolId)?.get(accountId);
  }

  /** Ids of the pools with accounts. */
  pools(): string[] {
    return [...this.byPool.keys()];
  }

  /** The accounts of a pool. */
  pool(poolId: string): Map<string, IndexedAccount> {
    return this.byPool.get(poolId) ?? new Map();
  }

  /** Calls `listener(poolId, accountId)` after an account changes. */
  onChange(listener: (poolId: string, accountId: string) => void): void {
    this.listeners.add(listener);
  }

  /** Refreshes cached candidates whose model cooldowns have ended: O(accounts cooling for a model), not the pool. */
  refreshCandidates(poolId: string, now: number): void {
    const pool = this.pool(poolId);
    for (const id of this.coolingForModels.get(poolId) ?? []) {
      const entry = pool.get(id);
      if (!entry) continue;
      entry.candidate = candidateOf(id, entry.state, now);
      this.noteCooling(poolId, id, entry.candidate);
    }
  }
}
