import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { rebuild, rebuildAll } from '../../src/projections/rebuild.ts';
import { readModels } from '../../src/projections/read-models.ts';
import { applyBatch } from '../../src/projections/runner.ts';
import { matchesFilter, type RecordedEvent } from '../../src/store/port.ts';
import { startTestRoster, type TestRoster } from '../support/roster.ts';
import { administerUser, registerUser } from '../../src/commands/users.ts';
import { createKey, revokeKey, rotateKey } from '../../src/commands/api-keys.ts';

describe('projection rebuild', () => {
  let t: TestRoster;
  before(async () => { t = await startTestRoster(); });
  after(async () => t.stop());

  const snapshot = async (table: string, key: string) =>
    (await t.db.pool.query(`SELECT * FROM ${table} ORDER BY ${key}`)).rows;

  it('rebuilds every read model from the log, equal to the incrementally built tables', async () => {
    await t.call('POST', '/v1/pools', { poolId: 'r', name: 'R', defaultLeaseTtlMs: 60_000 });
    // One account whose text holds what COPY's text format and array literals must escape.
    const hostile = JSON.stringify({
      login: 'tab\there"q\\b\\N@example.test', capabilities: ['a,b', 'q"t', 'back\\slash', 'NULL', '{x}', 'new\nline', '\\N'], region: 'eu\twest\\1',
    });
    const lines = [...Array.from({ length: 30 }, (_, i) => `user${i}@example.test:pw${i}`), hostile].join('\n');
    const imported = await t.call('POST', '/v1/pools/r/accounts', lines, { contentType: 'text/plain' });
    assert.equal(imported.body.imported, 31, JSON.stringify(imported.body).slice(0, 500));
    let last = '';
    for (let i = 0; i < 20; i++) {
      const a = await t.call('POST', '/v1/pools/r/sessions', { count: 1 + (i % 3) });
      if (i % 2 === 0) last = (await t.call('POST', `/v1/pools/r/sessions/${a.body.sessionId}/release`, { leaseSecret: a.body.leaseSecret })).body.position;
      else last = (await t.call('POST', `/v1/pools/r/sessions/${a.body.sessionId}/renew`, { leaseSecret: a.body.leaseSecret })).body.position;
    }
    const ids = (await t.call('GET', `/v1/accounts?pool=r&limit=5&position=${imported.body.position}`)).body.items.map((a: { accountId: string }) => a.accountId);
    await t.call('POST', `/v1/accounts/${ids[0]}/disable`, { reason: 'x' });
    await t.call('POST', `/v1/accounts/${ids[1]}/cooldown`, { durationMs: 100_000, reason: 'y', model: 'm' });
    last = (await t.call('POST', `/v1/accounts/${ids[2]}/retire`, { reason: 'z' })).body.position;
    await t.call('POST', '/v1/pools/r/identities', { lines: 'i1@example.test:pw-one\ni2@example.test:pw-two' });
    const used = await t.call('POST', '/v1/pools/r/sessions', { count: 1 });
    const report = { leaseSecret: used.body.leaseSecret, accountId: used.body.leases[0].accountId, outcome: 'rate_limited', model: 'm', units: 3 };
    last = (await t.call('POST', `/v1/pools/r/sessions/${used.body.sessionId}/outcomes`, report)).body.position;
    // Users and keys, with hostile text in a key's name and scopes.
    const ctx = { actor: 'test', correlationId: 'rebuild' };
    const { userId } = await registerUser(t.roster.services.users, { email: 'keys@example.test', password: 'a long password', role: 'operator', verified: false }, ctx);
    await administerUser(t.roster.services.users, userId, { type: 'ChangeLimits', limits: { requestsPerMinute: 5, budget: { units: 3, period: 'day' } } }, ctx);
    const scopes = { pools: ['r', 'q"t\\N'], models: null, readOnly: true };
    const key = await createKey(t.roster.services.callers, userId, { name: 'tab\tkey "one"\\N', scopes, limits: {}, expiresAt: Date.now() + 60_000 }, ctx);
    await rotateKey(t.roster.services.callers, key.keyId, userId, ctx);
    await createKey(t.roster.services.callers, userId, { name: 'two', scopes, limits: { concurrentSessions: 2 }, expiresAt: null }, ctx);
    await revokeKey(t.roster.services.callers, key.keyId, userId, 'gone', ctx);
    // Disabled once its keys are made: a disabled user gets no new key.
    await administerUser(t.roster.services.users, userId, { type: 'DisableUser', reason: 'tab\there' }, ctx);
    // Gateway usage in two flushes onto one row, and a second row with hostile text.
    const meter = t.roster.services.gateway.meter;
    const row = { keyId: key.keyId, userId, accountId: ids[3], poolId: 'r', model: 'm', day: '2026-12-03', requests: 2, failures: 1, inputTokens: 10, outputTokens: 20, estimated: 0, spend: 0.25 };
    meter.add(row);
    await meter.flush();
    meter.add(row);
    meter.add({ ...row, model: 'tab\there "q" \\N' });
    await meter.flush();
    last = String(await t.roster.services.store.headPosition());
    await t.call('GET', `/v1/accounts?position=${encodeURIComponent(last)}`);

    const indexes = async (table: string) =>
      (await t.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_indexes WHERE tablename = $1', [table])).rows[0]!.n;
    const storage = async (table: string) =>
      (await t.db.pool.query<{ reloptions: string[] | null }>('SELECT reloptions FROM pg_class WHERE oid = $1::regclass', [table])).rows[0]!.reloptions;
    assert.deepEqual(await storage('rm_accounts'), ['fillfactor=70'], 'rm_accounts leaves room on its pages for lease updates');
    // Statistics for the planner come with the table, not a minute later from autovacuum.
    const analyzed = async (table: string) =>
      (await t.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stats WHERE tablename = $1', [table])).rows[0]!.n > 0;
    const counts = await snapshot('rm_pool_counts', 'pool_id');
    const sessionCounts = await snapshot('rm_pool_sessions', 'pool_id');
    const leased = async () => (await t.call('GET', '/v1/pools/r')).body.counts.leased as number;
    const live = async () => (await t.call('GET', '/v1/pools/r')).body.activeSessions as number;
    const leasedBefore = await leased();
    const liveBefore = await live();
    for (const projection of readModels) {
      const before = await snapshot(projection.table, projection.key);
      const indexed = await indexes(projection.table);
      const stored = await storage(projection.table);
      // Registration jobs need a provider that registers; the sandbox tests cover them.
      if (!projection.table.startsWith('rm_job')) assert.ok(before.length > 0, `${projection.table} has rows`);
      const rows = await rebuild(t.db.pool, t.roster.services.store, projection);
      assert.equal(rows, before.length);
      assert.deepEqual(await snapshot(projection.table, projection.key), before, `${projection.table} rebuilt equal`);
      assert.equal(await indexes(projection.table), indexed, `${projection.table} has its indexes again`);
      assert.deepEqual(await storage(projection.table), stored, `${projection.table} keeps its storage settings`);
      if (rows > 0) assert.ok(await analyzed(projection.table), `${projection.table} has planner statistics`);
    }
    assert.deepEqual(await snapshot('rm_pool_counts', 'pool_id'), counts, 'the pools\' counts are those of the rebuilt accounts');
    assert.deepEqual(await snapshot('rm_pool_sessions', 'pool_id'), sessionCounts, 'the live sessions those of the rebuilt sessions');
    // The live runners go on writing into the swapped-in tables, and the counts follow them.
    const a = await t.call('POST', '/v1/pools/r/sessions', { count: 1 });
    const view = await t.call('GET', `/v1/pools/r/sessions/${a.body.sessionId}?position=${a.body.position}`);
    assert.equal(view.body.status, 'live');
    assert.equal(await leased(), leasedBefore + 1);
    assert.equal(await live(), liveBefore + 1);
  });

  it('rebuilds every read model while sessions come and go, and the tables then hold what the log says', async () => {
    await t.call('POST', '/v1/pools', { poolId: 'w', name: 'W', defaultLeaseTtlMs: 60_000 });
    const lines = Array.from({ length: 40 }, (_, i) => `w${i}@example.test:pw${i}`).join('\n');
    assert.equal((await t.call('POST', '/v1/pools/w/accounts', lines, { contentType: 'text/plain' })).body.imported, 40);
    let rebuilding = true;
    let pairs = 0;
    const failures: unknown[] = [];
    const traffic = Array.from({ length: 4 }, async () => {
      while (rebuilding) {
        const a = await t.call('POST', '/v1/pools/w/sessions', { count: 2 });
        const r = await t.call('POST', `/v1/pools/w/sessions/${a.body.sessionId}/release`, { leaseSecret: a.body.leaseSecret });
        if (a.status !== 201 || r.status !== 200) failures.push([a.status, r.status, a.body]);
        else pairs++;
      }
    });
    const pairsBefore = pairs;
    // The swaps run several at a time, beside the live runner's batches.
    await rebuildAll(t.db.pool, t.roster.services.store, readModels);
    rebuilding = false;
    await Promise.all(traffic);
    assert.deepEqual(failures, []);
    assert.ok(pairs > pairsBefore, 'sessions came and went during the rebuild');
    const head = String(await t.roster.services.store.headPosition());
    await t.call('GET', `/v1/accounts?position=${encodeURIComponent(head)}`);
    // What the live runner and the swaps left must be what a quiet rebuild makes of the log.
    for (const projection of readModels.filter((p) => ['rm_accounts', 'rm_sessions'].includes(p.table))) {
      const live = await snapshot(projection.table, projection.key);
      await rebuild(t.db.pool, t.roster.services.store, projection);
      assert.deepEqual(await snapshot(projection.table, projection.key), live, projection.table);
    }
    const status = (await t.call('GET', '/v1/pools/w')).body;
    assert.deepEqual(status.counts, { total: 40, available: 40, leased: 0, cooling: 0, disabled: 0, retired: 0 });
    assert.equal(status.activeSessions, 0);
  });

  it('writes a large batch with COPY into the rows that a batch of one event writes', async () => {
    await t.call('POST', '/v1/pools', { poolId: 'c', name: 'C' });
    const hostile = (i: number) => JSON.stringify({ login: `tab\there"${i}\\N@example.test`, capabilities: ['a,b', 'q"t', 'NULL', 'new\nline'], region: 'eu\t1' });
    const lines = Array.from({ length: 150 }, (_, i) => (i % 10 ? `c${i}@example.test:pw${i}` : hostile(i))).join('\n');
    assert.equal((await t.call('POST', '/v1/pools/c/accounts', lines, { contentType: 'text/plain' })).body.imported, 150);
    for (let i = 0; i < 5; i++) await t.call('POST', '/v1/pools/c/sessions', { count: 30 });
    // Up to the head: a read stops short of events that an open transaction may still precede.
    const { store } = t.roster.services;
    const head = await store.headPosition();
    const events: RecordedEvent[] = [];
    while ((events.at(-1)?.position ?? '') < head) {
      const page = await store.readAll({ from: events.at(-1)?.position, limit: 1000 });
      if (page.length) events.push(...page);
      else await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const client = await t.db.pool.connect();
    const applyCommitted = async (p: (typeof readModels)[number], table: string, batch: RecordedEvent[]) => {
      await client.query('BEGIN');
      await applyBatch(client, p, table, batch);
      await client.query('COMMIT');
    };
    try {
      for (const p of readModels) {
        const mine = events.filter((e) => matchesFilter(e.stream, { streamPrefixes: p.streamPrefixes }));
        const written: Record<string, unknown[]> = {};
        for (const [how, size] of [['one', 1], ['copy', Math.ceil(mine.length / 2)]] as const) {
          const table = `${p.table}_${how}`;
          await client.query(`DROP TABLE IF EXISTS ${table}; CREATE TABLE ${table} (LIKE ${p.table} INCLUDING ALL)`);
          // In halves: the second half loads rows the first wrote (times come back as Dates).
          for (let i = 0; i < mine.length; i += size) await applyCommitted(p, table, mine.slice(i, i + size));
          written[how] = (await client.query(`SELECT * FROM ${table} ORDER BY ${p.key}`)).rows;
          await client.query(`DROP TABLE ${table}`);
        }
        assert.deepEqual(written.copy, written.one, `${p.table}: the same rows either way`);
      }
      // An insert-only read model's large batch goes straight in; replayed over rows it holds
      // (some of them), it skips those and writes the rest, in a transaction that still commits.
      const audit = readModels.find((p) => p.table === 'rm_audit')!;
      assert.ok(audit.insertOnly && events.length >= 2 * 100);
      await client.query('DROP TABLE IF EXISTS rm_audit_replay; CREATE TABLE rm_audit_replay (LIKE rm_audit INCLUDING ALL)');
      for (const batch of [events.slice(0, 120), events]) {
        await applyCommitted(audit, 'rm_audit_replay', batch);
      }
      const replayed = (await client.query('SELECT position FROM rm_audit_replay ORDER BY position')).rows.map((r) => r.position);
      assert.deepEqual(replayed, events.map((e) => e.position).sort(), 'each event once');
      await client.query('DROP TABLE rm_audit_replay');
      const accounts = readModels.find((p) => p.table === 'rm_accounts')!;
      assert.ok(events.filter((e) => matchesFilter(e.stream, { streamPrefixes: accounts.streamPrefixes })).length >= 2 * 100, 'rm_accounts took the COPY path');
      // New rows go straight into the table; rows the table holds are staged, then upserted,
      // when there are many (else sent as JSON). A batch of both does each its own way.
      const imports = (pool: string) => events.filter((e) => e.type === 'AccountImported' && (e.data as { poolId: string }).poolId === pool);
      const leases = (pool: string) => events.filter((e) => e.type === 'SessionAllocated' && e.stream === `pool-${pool}`);
      const steps = [
        { batch: imports('r'), staged: null },
        { batch: [...imports('c'), ...leases('r')], staged: null },
        { batch: leases('c'), staged: 'rm_accounts_split_staged' },
      ];
      // 150 new accounts; pool r's leases touch fewer than 100 held rows, pool c's 150.
      assert.ok(imports('c').length >= 100 && leases('r').length > 0 && leases('c').length > 0);
      const built: Record<string, unknown[]> = {};
      for (const table of ['rm_accounts_split', 'rm_accounts_single']) {
        await client.query(`DROP TABLE IF EXISTS ${table}; CREATE TABLE ${table} (LIKE rm_accounts INCLUDING ALL)`);
        for (const step of steps) {
          for (const batch of table === 'rm_accounts_split' ? [step.batch] : step.batch.map((e) => [e])) {
            await applyCommitted(accounts, table, batch);
          }
          if (table === 'rm_accounts_split') {
            assert.equal((await client.query("SELECT to_regclass('pg_temp.rm_accounts_split_staged') AS t")).rows[0].t, step.staged);
          }
        }
        built[table] = (await client.query(`SELECT * FROM ${table} ORDER BY account_id`)).rows;
        await client.query(`DROP TABLE ${table}`);
      }
      assert.deepEqual(built.rm_accounts_split, built.rm_accounts_single, 'the same rows either way');
      assert.equal(built.rm_accounts_split!.filter((r) => (r as { pool_id: string; session_id: string | null }).pool_id === 'c' && (r as { session_id: string | null }).session_id).length, 150);
    } finally {
      client.release();
    }
  });

  it('fills the audit trail inside the database, live and on rebuild, with the rows its fold gives, odd metadata included', async () => {
    const contexts = [
      { actor: 'tab\there "q" \\N', correlationId: 'odd\nline' },
      { actor: 'a', correlationId: 'b', traceparent: 'no-dashes-at-all'.replace(/-/g, '') },
      { actor: 'a', correlationId: 'b', traceparent: '00--empty-01', requestId: 'r\\1' },
      { actor: 'a', correlationId: 'b', traceparent: '00-only', causationId: 'c' },
    ];
    for (const [i, ctx] of contexts.entries()) {
      await registerUser(t.roster.services.users, { email: `odd${i}@example.test`, password: 'a long password', role: 'member', verified: true }, ctx);
    }
    const { store } = t.roster.services;
    const head = await store.headPosition();
    await t.call('GET', `/v1/accounts?position=${encodeURIComponent(head)}`);
    const audit = readModels.find((p) => p.table === 'rm_audit')!;
    const before = await snapshot('rm_audit', 'position');
    assert.ok(before.some((r) => r.actor === contexts[0]!.actor && r.correlation_id === contexts[0]!.correlationId));
    assert.ok(before.some((r) => r.request_id === 'r\\1' && r.trace_id === ''), 'an empty trace id stays empty');
    assert.ok(before.some((r) => r.causation_id === 'c' && r.trace_id === 'only'));
    // The reference: the fold (`apply`) of every event, written as the runner writes folded rows.
    const folded: RecordedEvent[] = [];
    for (let page = await store.readAll({ limit: 1000 }); page.length; page = await store.readAll({ from: page.at(-1)!.position, limit: 1000 })) {
      folded.push(...page.filter((e) => matchesFilter(e.stream, { streamPrefixes: audit.streamPrefixes })));
    }
    await t.db.pool.query('CREATE TABLE rm_audit_folded (LIKE rm_audit INCLUDING ALL)');
    const client = await t.db.pool.connect();
    await client.query('BEGIN');
    await applyBatch(client, audit, 'rm_audit_folded', folded);
    await client.query('COMMIT');
    client.release();
    assert.deepEqual(before, await snapshot('rm_audit_folded', 'position'), 'the live rows, filled by the database, are the fold\'s');
    await t.db.pool.query('DROP TABLE rm_audit_folded');
    const { events, rows } = await rebuildAll(t.db.pool, store, [audit]);
    assert.equal(rows.get('rm_audit'), before.length);
    assert.equal(events, before.length, 'every event went in, by the database alone');
    assert.deepEqual(await snapshot('rm_audit', 'position'), before);
    // A lean read gives the data, and of the metadata only what decoding needs.
    const [lean] = await store.readAll({ from: before.at(-2)!.position, limit: 1, lean: true });
    const [full] = await store.readAll({ from: before.at(-2)!.position, limit: 1 });
    assert.deepEqual(lean!.data, full!.data);
    assert.deepEqual(lean!.metadata, { schemaVersion: full!.metadata.schemaVersion });
  });
});
