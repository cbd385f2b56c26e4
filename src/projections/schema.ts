/**
 * Per-pool counts of a read model's rows, each count the condition on a row that it
 * counts, kept by statement triggers on the table in the transaction that writes its rows,
 * so that a pool's status is read in time independent of its size. `roster_<name>_reset()`
 * puts the triggers on the table that has the name now (a rebuilt one is swapped in
 * without them) and counts again, holding the writers off.
 */
interface Counted {
  /** The table counted (`rm_accounts`). */
  table: string;
  /** The table of counts, one row per pool (`rm_pool_counts`). */
  counts: string;
  /** Its functions' middle name: `roster_<name>_follow`, `roster_<name>_reset`. */
  name: string;
  /** Each count's column and condition. */
  when: Record<string, string>;
  /** The columns of the counted table the conditions read. */
  reads: string[];
}

/**
 * What the changed rows (`source`: the rows with a sign, +1 for a row as it is now, -1 as it
 * was) add to their pools' counts: one upsert for each pool whose counts change.
 */
function addCounts(c: Counted, source: string): string {
  const names = Object.keys(c.when);
  const deltas = Object.values(c.when).map((when) => `sum(sign * (${when})::int)`);
  return /* sql */ `
    INSERT INTO ${c.counts} AS c (pool_id, ${names.join(', ')})
    SELECT pool_id, ${deltas.join(', ')} FROM (${source}) AS changed
     GROUP BY pool_id HAVING ${deltas.map((d) => `${d} <> 0`).join(' OR ')}
    ON CONFLICT (pool_id) DO UPDATE SET ${names.map((n) => `${n} = c.${n} + EXCLUDED.${n}`).join(', ')};`;
}

function countsSchema(c: Counted): string {
  const names = Object.keys(c.when);
  const now = `SELECT 1 AS sign, pool_id, ${c.reads.join(', ')} FROM now_rows`;
  const before = `SELECT -1 AS sign, pool_id, ${c.reads.join(', ')} FROM before_rows`;
  return /* sql */ `
CREATE TABLE IF NOT EXISTS ${c.counts} (
  pool_id text PRIMARY KEY,
  ${names.map((n) => `${n} bigint NOT NULL`).join(',\n  ')}
);

CREATE OR REPLACE FUNCTION roster_${c.name}_follow() RETURNS trigger LANGUAGE plpgsql AS $f$
BEGIN
  IF TG_OP = 'INSERT' THEN ${addCounts(c, now)}
  ELSIF TG_OP = 'UPDATE' THEN ${addCounts(c, `${now} UNION ALL ${before}`)}
  ELSE ${addCounts(c, before)}
  END IF;
  RETURN NULL;
END $f$;

CREATE OR REPLACE FUNCTION roster_${c.name}_reset() RETURNS void LANGUAGE plpgsql AS $f$
BEGIN
  LOCK TABLE ${c.table} IN SHARE ROW EXCLUSIVE MODE;
  DROP TRIGGER IF EXISTS ${c.table}_counts_insert ON ${c.table};
  DROP TRIGGER IF EXISTS ${c.table}_counts_update ON ${c.table};
  DROP TRIGGER IF EXISTS ${c.table}_counts_delete ON ${c.table};
  CREATE TRIGGER ${c.table}_counts_insert AFTER INSERT ON ${c.table} REFERENCING NEW TABLE AS now_rows
    FOR EACH STATEMENT EXECUTE FUNCTION roster_${c.name}_follow();
  CREATE TRIGGER ${c.table}_counts_update AFTER UPDATE ON ${c.table} REFERENCING OLD TABLE AS before_rows NEW TABLE AS now_rows
    FOR EACH STATEMENT EXECUTE FUNCTION roster_${c.name}_follow();
  CREATE TRIGGER ${c.table}_counts_delete AFTER DELETE ON ${c.table} REFERENCING OLD TABLE AS before_rows
    FOR EACH STATEMENT EXECUTE FUNCTION roster_${c.name}_follow();
  DELETE FROM ${c.counts};
  INSERT INTO ${c.counts} (pool_id, ${names.join(', ')})
  SELECT pool_id, ${Object.values(c.when).map((when) => `count(*) FILTER (WHERE ${when})`).join(', ')} FROM ${c.table} GROUP BY pool_id;
END $f$;

DO $$ BEGIN
IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = '${c.table}'::regclass AND tgname = '${c.table}_counts_update') THEN
  PERFORM roster_${c.name}_reset();
END IF;
END $$;
`;
}

/** Each pool's counts of accounts that do not depend on the time. */
const accountCounts: Counted = {
  table: 'rm_accounts',
  counts: 'rm_pool_counts',
  name: 'pool_counts',
  when: {
    // not retired
    total: "status <> 'retired'",
    // active and not leased (available unless cooling down)
    idle: "status = 'active' AND session_id IS NULL",
    leased: 'session_id IS NOT NULL',
    disabled: "status = 'disabled'",
    retired: "status = 'retired'",
  },
  reads: ['status', 'session_id'],
};

/** Each pool's live sessions. */
const sessionCounts: Counted = {
  table: 'rm_sessions',
  counts: 'rm_pool_sessions',
  name: 'session_counts',
  when: { live: "status = 'live'" },
  reads: ['status'],
};

const poolCountsSchema = /* sql */ `
-- Triggers made before the counting was shared name their transition tables after accounts.
DO $$ BEGIN
IF EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = 'rm_accounts'::regclass AND tgname = 'rm_accounts_counts_update' AND tgnewtable = 'now_accounts') THEN
  DROP TRIGGER rm_accounts_counts_insert ON rm_accounts;
  DROP TRIGGER rm_accounts_counts_update ON rm_accounts;
  DROP TRIGGER rm_accounts_counts_delete ON rm_accounts;
END IF;
-- The accounts cooling down now, counted through this index (the time-dependent part of a pool's counts).
IF NOT EXISTS (SELECT 1 FROM pg_indexes WHERE tablename = 'rm_accounts' AND indexdef LIKE '%(pool_id, cooldown_until)%') THEN
  CREATE INDEX ON rm_accounts (pool_id, cooldown_until) WHERE status = 'active' AND cooldown_until IS NOT NULL;
END IF;
END $$;
${countsSchema(accountCounts)}
${countsSchema(sessionCounts)}`;

/**
 * Read-model tables. Each is created with its indexes only when missing, so that a rebuilt
 * table swapped in under the same name (with its own index names) is left alone.
 */
export const readModelSchema = /* sql */ `
CREATE TABLE IF NOT EXISTS projection_checkpoints (
  name text PRIMARY KEY,
  position text NOT NULL
);

DO $$ BEGIN
IF to_regclass('rm_pools') IS NULL THEN
  CREATE TABLE rm_pools (
    pool_id text PRIMARY KEY,
    name text NOT NULL,
    provider_id text NOT NULL,
    config jsonb NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
  );
END IF;

IF to_regclass('rm_accounts') IS NULL THEN
  CREATE TABLE rm_accounts (
    account_id uuid PRIMARY KEY,
    revision integer NOT NULL,
    pool_id text NOT NULL,
    login text NOT NULL,
    status text NOT NULL,
    disabled_reason text,
    capabilities text[] NOT NULL,
    region text,
    cooldowns jsonb NOT NULL,
    cooldown_until timestamptz,
    credentials_expires_at timestamptz,
    session_id text,
    fence integer NOT NULL,
    leased_until timestamptz,
    use_count integer NOT NULL,
    last_used timestamptz,
    imported_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
  );
  CREATE INDEX ON rm_accounts (pool_id, status);
  CREATE INDEX ON rm_accounts (pool_id, lower(login));
END IF;
-- The accounts listing's order (pool, login, id): a page by cursor reads only its rows; added to databases made before it.
IF NOT EXISTS (SELECT 1 FROM pg_indexes WHERE tablename = 'rm_accounts' AND indexdef LIKE '%(pool_id, login, account_id)%') THEN
  CREATE INDEX ON rm_accounts (pool_id, login, account_id);
END IF;
-- Room on each page for a row's next version. A lease changes no indexed column, so its
-- update can stay on the row's page (a HOT update) and touch no index; on full pages every
-- account's first lease after an import would add an entry to each of the table's indexes.
IF NOT EXISTS (SELECT 1 FROM pg_class WHERE oid = 'rm_accounts'::regclass AND reloptions @> ARRAY['fillfactor=70']) THEN
  ALTER TABLE rm_accounts SET (fillfactor = 70);
END IF;
-- Added after the first release (projection accounts.v2 replays into them).
ALTER TABLE rm_accounts ADD COLUMN IF NOT EXISTS credentials_rotated_at timestamptz;
ALTER TABLE rm_accounts ADD COLUMN IF NOT EXISTS credentials_version integer;
ALTER TABLE rm_accounts ADD COLUMN IF NOT EXISTS credits double precision;
ALTER TABLE rm_accounts ADD COLUMN IF NOT EXISTS credits_checked_at timestamptz;
-- The state beyond the columns (usage of the day, recent failures, the 429 streak), null
-- while at its start. It replaced a copy of the whole state (\`state\`), which doubled what a
-- row write cost PostgreSQL: a database that has that column gets its counters from it.
ALTER TABLE rm_accounts ADD COLUMN IF NOT EXISTS counters jsonb;
IF EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = 'rm_accounts' AND column_name = 'state') THEN
  UPDATE rm_accounts SET counters = jsonb_build_object('usage', state->'usage', 'failures', state->'failures', 'rateLimitStreak', state->'rateLimitStreak')
    WHERE coalesce(state->'usage'->>'day', '') <> '' OR coalesce(jsonb_array_length(state->'failures'), 0) > 0
       OR coalesce((state->>'rateLimitStreak')::int, 0) > 0;
  ALTER TABLE rm_accounts DROP COLUMN state;
END IF;

IF to_regclass('rm_sessions') IS NULL THEN
  CREATE TABLE rm_sessions (
    session_key text PRIMARY KEY,
    pool_id text NOT NULL,
    session_id text NOT NULL,
    holder text NOT NULL,
    status text NOT NULL,
    account_ids uuid[] NOT NULL,
    fences integer[] NOT NULL,
    expires_at timestamptz NOT NULL,
    allocated_at timestamptz NOT NULL,
    ended_at timestamptz
  );
  CREATE INDEX ON rm_sessions (pool_id, status, allocated_at DESC);
END IF;
-- A pool's sessions of one status, newest first (the sessions listing); databases made before it had (pool_id, status).
IF NOT EXISTS (SELECT 1 FROM pg_indexes WHERE tablename = 'rm_sessions' AND indexdef LIKE '%(pool_id, status, allocated_at DESC)%') THEN
  CREATE INDEX ON rm_sessions (pool_id, status, allocated_at DESC);
END IF;

IF to_regclass('rm_identities') IS NULL THEN
  CREATE TABLE rm_identities (
    identity_id uuid PRIMARY KEY,
    pool_id text NOT NULL,
    email text NOT NULL,
    fields text[] NOT NULL,
    imported_at timestamptz NOT NULL
  );
  CREATE INDEX ON rm_identities (pool_id, imported_at);
END IF;

IF to_regclass('rm_jobs') IS NULL THEN
  CREATE TABLE rm_jobs (
    job_id text PRIMARY KEY,
    pool_id text NOT NULL,
    provider_id text NOT NULL,
    status text NOT NULL,
    config jsonb NOT NULL,
    stalled boolean NOT NULL,
    succeeded integer NOT NULL,
    failed integer NOT NULL,
    retrying integer NOT NULL,
    attempts integer NOT NULL,
    started_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    ended_at timestamptz
  );
  CREATE INDEX ON rm_jobs (pool_id, status);
END IF;

IF to_regclass('rm_job_attempts') IS NULL THEN
  CREATE TABLE rm_job_attempts (
    attempt_key text PRIMARY KEY,
    job_id text NOT NULL,
    seq integer NOT NULL,
    identity_id uuid NOT NULL,
    email text NOT NULL,
    attempt integer NOT NULL,
    outcome text NOT NULL,
    step text NOT NULL,
    duration_ms integer NOT NULL,
    error text,
    retry_at timestamptz,
    at timestamptz NOT NULL
  );
  CREATE INDEX ON rm_job_attempts (job_id, seq);
END IF;

IF to_regclass('rm_usage') IS NULL THEN
  CREATE TABLE rm_usage (
    usage_key text PRIMARY KEY,
    account_id uuid NOT NULL,
    model text NOT NULL,
    day date NOT NULL,
    units double precision NOT NULL,
    requests integer NOT NULL,
    rate_limited integer NOT NULL,
    failures integer NOT NULL,
    updated_at timestamptz NOT NULL
  );
  CREATE INDEX ON rm_usage (account_id, day);
END IF;

-- v2 is keyed by log position (the first was keyed by random event ids, costly to index):
-- the first layout is dropped, and projection audit.v2 replays into the new one.
IF EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'rm_audit' AND column_name = 'event_id') THEN
  DROP TABLE rm_audit;
  DELETE FROM projection_checkpoints WHERE name = 'audit';
END IF;
IF to_regclass('rm_audit') IS NULL THEN
  CREATE TABLE rm_audit (
    position text PRIMARY KEY,
    stream text NOT NULL,
    type text NOT NULL,
    actor text NOT NULL,
    correlation_id text NOT NULL,
    causation_id text,
    request_id text,
    trace_id text,
    at timestamptz NOT NULL
  );
  CREATE INDEX ON rm_audit (actor, at);
  -- Rows arrive in time order: a block range index serves time ranges at almost no cost per insert.
  CREATE INDEX ON rm_audit USING brin (at);
  CREATE INDEX ON rm_audit (correlation_id);
END IF;

IF to_regclass('rm_users') IS NULL THEN
  CREATE TABLE rm_users (
    user_id uuid PRIMARY KEY,
    email text NOT NULL,
    role text NOT NULL,
    status text NOT NULL,
    verified boolean NOT NULL,
    limits jsonb NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
  );
  CREATE INDEX ON rm_users (email);
END IF;

IF to_regclass('rm_api_keys') IS NULL THEN
  CREATE TABLE rm_api_keys (
    key_id uuid PRIMARY KEY,
    user_id uuid NOT NULL,
    name text NOT NULL,
    prefix text NOT NULL,
    status text NOT NULL,
    scopes jsonb NOT NULL,
    limits jsonb NOT NULL,
    expires_at timestamptz,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
  );
  CREATE INDEX ON rm_api_keys (user_id, created_at);
END IF;

IF to_regclass('rm_gateway_usage') IS NULL THEN
  CREATE TABLE rm_gateway_usage (
    usage_key text PRIMARY KEY,
    key_id text NOT NULL,
    user_id text NOT NULL,
    account_id text NOT NULL,
    pool_id text NOT NULL,
    model text NOT NULL,
    day text NOT NULL,
    requests bigint NOT NULL,
    failures bigint NOT NULL,
    input_tokens bigint NOT NULL,
    output_tokens bigint NOT NULL,
    estimated bigint NOT NULL,
    spend double precision NOT NULL,
    updated_at timestamptz NOT NULL
  );
  CREATE INDEX ON rm_gateway_usage (user_id, day);
  CREATE INDEX ON rm_gateway_usage (key_id, day);
END IF;
-- Of the failures, the 429s and the timeouts (counted from the events that carry them; 0 before).
ALTER TABLE rm_gateway_usage ADD COLUMN IF NOT EXISTS rate_limited bigint NOT NULL DEFAULT 0;
ALTER TABLE rm_gateway_usage ADD COLUMN IF NOT EXISTS timeouts bigint NOT NULL DEFAULT 0;
END $$;
${poolCountsSchema}`;
