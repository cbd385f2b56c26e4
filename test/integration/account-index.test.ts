import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { accountDecider, type AccountCommand, type AccountState } from '../../src/domain/account.ts';
import { AccountIndex } from '../../src/projections/account-index.ts';
import { accountsProjection } from '../../src/projections/accounts.ts';
import { readCheckpoint } from '../../src/projections/runner.ts';
import { catchUp, runCommand } from '../../src/commands/runner.ts';
import { migrate } from '../../src/store/migrate.ts';
import { schemas } from '../../src/database.ts';
import { startTestRoster, type TestRoster } from '../support/roster.ts';

/**
 * A state with its times as instants (the read model gives them back as ISO text of its own
 * spelling), and without keys set to undefined (an enabled account's `disabledReason`).
 */
const instants = (s: AccountState) => JSON.parse(JSON.stringify({
  ...s,
  credentials: { ...s.credentials, expiresAt: Date.parse(s.credentials.expiresAt ?? ''), rotatedAt: Date.parse(s.credentials.rotatedAt ?? '') },
  creditsCheckedAt: Date.parse(s.creditsCheckedAt ?? ''),
})) as unknown;

describe('the account index seeded from the accounts read model', () => {
  let t: TestRoster;
  before(async () => { t = await startTestRoster(); });
  after(async () => t.stop());

  const policy = { baseMs: 60_000, maxMs: 600_000, failureThreshold: 2, failureWindowMs: 60_000 };
  const ctx = { actor: 'test', correlationId: 'index' };
  const day = new Date().toISOString().slice(0, 10);
  const run = async (command: { type: AccountCommand['type']; accountId: string; [field: string]: unknown }) =>
    runCommand(t.roster.services.store, `account-${command.accountId}`, accountDecider, { ...command, now: Date.now() } as AccountCommand, ctx);
  const ids = ['00000000-0000-4000-8000-00000000000a', '00000000-0000-4000-8000-00000000000b', '00000000-0000-4000-8000-00000000000c'];

  /** Waits until the accounts read model holds the log's head. */
  const caughtUp = async () => {
    const head = await t.roster.services.store.headPosition();
    while (await readCheckpoint(t.db.pool, accountsProjection.name) < head) await sleep(20);
  };

  /** Each account's state as a fresh index seeds it, against the fold of its stream. */
  const compare = async () => {
    const seeded = new AccountIndex();
    await seeded.seed(t.db.pool);
    for (const id of ids) {
      const folded = await catchUp(t.roster.services.store, `account-${id}`, accountDecider);
      const entry = seeded.find(id);
      assert.ok(entry, `account ${id} seeded`);
      assert.equal(entry.revision, folded.revision);
      assert.deepEqual(instants(entry.state), instants(folded.state), `account ${id}: the seeded state is the folded one`);
    }
  };

  it('gives every account the state its stream folds to: counters, cooldowns, credentials, credits, disabled reason', async () => {
    const [a, b, c] = ids as [string, string, string];
    const imported = { type: 'ImportAccount' as const, poolId: 'p', capabilities: ['x'], region: 'eu' };
    await run({ ...imported, accountId: a, login: 'a@x.test', credentials: { fingerprint: 'f1', expiresAt: '2027-01-01T00:00:00Z' } });
    await run({ type: 'DisableAccount', accountId: a, reason: 'checking' });
    await run({ type: 'EnableAccount', accountId: a });
    await run({ type: 'CoolDownAccount', accountId: a, until: Date.now() + 600_000, reason: 'asked', model: 'm' });
    await run({ type: 'ReportUsage', accountId: a, sessionId: 's', outcome: 'server_error', model: 'm', units: 3, day, policy });
    await run({ type: 'ReportUsage', accountId: a, sessionId: 's', outcome: 'rate_limited', model: 'm', units: 2, day, policy });
    await run({ type: 'RecordProbe', accountId: a, healthy: true, credits: 12.5, recover: false });
    await run({ type: 'RotateCredentials', accountId: a, fingerprint: 'f2', expiresAt: '2027-02-01T00:00:00+01:00' });
    await run({ ...imported, accountId: b, login: 'b@x.test', capabilities: [], region: null, credentials: null });
    await run({ type: 'ReportUsage', accountId: b, sessionId: 's', outcome: 'server_error', units: 0, day, policy });
    await run({ type: 'ReportUsage', accountId: b, sessionId: 's', outcome: 'timeout', units: 0, day, policy });
    await run({ type: 'DisableAccount', accountId: b, reason: 'tab\there "q"' });
    await run({ ...imported, accountId: c, login: 'c@x.test', credentials: null });
    await run({ type: 'RetireAccount', accountId: c, reason: 'done' });
    await caughtUp();
    const folded = await catchUp(t.roster.services.store, `account-${a}`, accountDecider);
    assert.ok(folded.state.usage.units.m && folded.state.rateLimitStreak === 1 && folded.state.failures.length === 1, 'account a has counters to keep');
    await compare();
  });

  it('keeps the counters of a database whose rows held the whole state, when migrated', async () => {
    // As a database made before the counters column holds its rows.
    await t.db.pool.query('ALTER TABLE rm_accounts ADD COLUMN state jsonb');
    for (const id of ids) {
      const { state } = await catchUp(t.roster.services.store, `account-${id}`, accountDecider);
      await t.db.pool.query('UPDATE rm_accounts SET state = $2, counters = NULL WHERE account_id = $1', [id, JSON.stringify(state)]);
    }
    await migrate(t.db.pool, schemas);
    const { rows } = await t.db.pool.query("SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name = 'rm_accounts' AND column_name = 'state'");
    assert.equal(rows[0].n, 0, 'the state column is gone');
    await compare();
  });
});
