import type pg from 'pg';

/**
 * Which account made each response an upstream keeps (OpenAI's Responses API stores them
 * unless asked not to): a request continuing one (`previous_response_id`) or reading it
 * (`GET /v1/responses/{id}`) must reach the same account, whose upstream alone knows it;
 * and only the Roster user who made it may (the account is shared by many).
 * Kept for as long as the upstream keeps responses (30 days), in a table of its own: a
 * routing fact, not a change of any account, so not an event.
 */
export const responseOwnersSchema = /* sql */ `
CREATE TABLE IF NOT EXISTS gateway_response_owners (
  response_id text PRIMARY KEY,
  account_id text NOT NULL,
  pool_id text NOT NULL,
  model text NOT NULL,
  user_id text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS gateway_response_owners_created ON gateway_response_owners (created_at);
`;

/** How long upstreams keep responses (OpenAI: 30 days), and their owners are remembered. */
export const RESPONSE_RETENTION_MS = 30 * 86_400_000;

/** The account a response was made through, the model (route) it was asked of, and the Roster user who asked. */
export interface ResponseOwner {
  accountId: string;
  poolId: string;
  model: string;
  userId: string;
}

/** Where the owners of responses are kept. */
export interface ResponseOwners {
  remember(responseId: string, owner: ResponseOwner): Promise<void>;
  find(responseId: string): Promise<ResponseOwner | undefined>;
  /** Forgets responses made before `before`; answers how many. */
  prune(before: Date): Promise<number>;
}

/**
 * @example
 * await owners.remember('resp_1', { accountId, poolId: 'openai', model: 'gpt-small', userId });
 * (await owners.find('resp_1'))?.accountId // → accountId
 */
export class PgResponseOwners implements ResponseOwners {
  constructor(private readonly pool: pg.Pool) {}

  async remember(responseId: string, owner: ResponseOwner): Promise<void> {
    await this.pool.query(
      'INSERT INTO gateway_response_owners (response_id, account_id, pool_id, model, user_id) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (response_id) DO NOTHING',
      [responseId, owner.accountId, owner.poolId, owner.model, owner.userId],
    );
  }

  async find(responseId: string): Promise<ResponseOwner | undefined> {
    const { rows } = await this.pool.query<{ account_id: string; pool_id: string; model: string; user_id: string }>(
      'SELECT account_id, pool_id, model, user_id FROM gateway_response_owners WHERE response_id = $1', [responseId],
    );
    return rows[0] && { accountId: rows[0].account_id, poolId: rows[0].pool_id, model: rows[0].model, userId: rows[0].user_id };
  }

  async prune(before: Date): Promise<number> {
    return (await this.pool.query('DELETE FROM gateway_response_owners WHERE created_at < $1', [before])).rowCount ?? 0;
  }
}

/** In memory, for one process (unit tests). */
export class MemoryResponseOwners implements ResponseOwners {
  private readonly owners = new Map<string, ResponseOwner & { at: number }>();

  async remember(responseId: string, owner: ResponseOwner): Promise<void> {
    if (!this.owners.has(responseId)) this.owners.set(responseId, { ...owner, at: Date.now() });
  }

  async find(responseId: string): Promise<ResponseOwner | undefined> {
    const found = this.owners.get(responseId);
    return found && { accountId: found.accountId, poolId: found.poolId, model: found.model, userId: found.userId };
  }

  async prune(before: Date): Promise<number> {
    let n = 0;
    for (const [id, o] of this.owners) if (o.at < before.getTime() && this.owners.delete(id)) n++;
    return n;
  }
}
