import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { rebuildAll } from '../../src/projections/rebuild.ts';
import { pruneEndedSessions, sessionsProjection, sessionsToKeep } from '../../src/projections/sessions.ts';
import { startTestRoster, type TestRoster } from '../support/roster.ts';
import { until } from '../support/sandbox.ts';

/** Allocates one session of pool `p`, and releases it unless `keep`. Returns its id and where its last event is. */
async function session(t: TestRoster, keep = false): Promise<{ sessionId: string; accountId: string; position: string }> {
  const a = await t.call('POST', '/v1/pools/p/sessions', { count: 1 });
  assert.equal(a.status, 201, JSON.stringify(a.body));
  const { sessionId, leaseSecret, position } = a.body;
  const accountId = a.body.leases[0].accountId;
  if (keep) return { sessionId, accountId, position };
  const released = await t.call('POST', `/v1/pools/p/sessions/${sessionId}/release`, { leaseSecret });
  return { sessionId, accountId, position: released.body.position };
}

/** A Roster with pool `p` of three accounts for the tests of the current `describe`; the getter gives it. */
function rosterWith(env: Record<string, string>): () => TestRoster {
  let t: TestRoster;
  before(async () => {
    t = await startTestRoster({ ROSTER_SCHEDULER_INTERVAL_MS: '100', ...env });
    await t.call('POST', '/v1/pools', { poolId: 'p', name: 'P' });
    const lines = ['a', 'b', 'c'].map((x) => `${x}@example.test:pw-${x}`).join('\n');
    await t.call('POST', '/v1/pools/p/accounts', lines, { contentType: 'text/plain' });
  });
  after(async () => t.stop());
  return () => t;
}

describe('ended sessions in the read model', () => {
  describe('kept (retention 0)', () => {
    const roster = rosterWith({ ROSTER_SESSION_RETENTION_MS: '0' });

    it('prunes only sessions that ended before the cut, never a live one', async () => {
      const t = roster();
      const first = await session(t);
      await sleep(20);
      const second = await session(t);
      const live = await session(t, true);
      const status = async (id: string, position: string) => (await t.call('GET', `/v1/pools/p/sessions/${id}?position=${position}`)).status;
      assert.equal(await status(second.sessionId, live.position), 200);
      await sleep(300); // several scheduler rounds: with retention 0 they delete nothing
      assert.equal(await status(first.sessionId, live.position), 200);
      const { rows: [cut] } = await t.db.pool.query<{ ended_at: Date }>(
        'SELECT ended_at FROM rm_sessions WHERE session_id = $1', [second.sessionId],
      );
      assert.equal(await pruneEndedSessions(t.db.pool, cut!.ended_at, 100), 1);
      assert.equal(await status(first.sessionId, live.position), 404);
      assert.equal(await status(second.sessionId, live.position), 200, 'ended at the cut: kept');
      assert.equal(await pruneEndedSessions(t.db.pool, new Date(Date.now() + 60_000), 100), 1);
      assert.equal(await status(second.sessionId, live.position), 404);
      assert.equal(await status(live.sessionId, live.position), 200, 'a live session stays');
    });

    it('a rebuild leaves out the sessions the retention would prune, and no other', async () => {
      const t = roster();
      const old = await session(t);
      await sleep(20);
      const recent = await session(t);
      assert.equal((await t.call('GET', `/v1/pools/p/sessions/${recent.sessionId}?position=${recent.position}`)).status, 200);
      const sessions = async () => (await t.db.pool.query<{ session_id: string; status: string; ended_at: Date | null }>(
        'SELECT session_id, status, ended_at FROM rm_sessions ORDER BY session_id')).rows;
      const endedAt = (await sessions()).find((r) => r.session_id === recent.sessionId)!.ended_at!.getTime();
      // As if a retention of one second were read a second after `recent` ended: its end is the cut.
      await rebuildAll(t.db.pool, t.roster.services.store, [sessionsProjection], { keep: sessionsToKeep(1000, endedAt + 1000) });
      const kept = await sessions();
      assert.ok(!kept.some((r) => r.session_id === old.sessionId), 'ended before the cut: left out');
      assert.deepEqual(kept.map((r) => r.status).sort(), ['live', 'released'], 'the recent (ended at the cut) and the live one');
      assert.ok(kept.some((r) => r.session_id === recent.sessionId));
      // Retention 0 keeps everything: the log's five sessions, those pruned by the first test among them.
      await rebuildAll(t.db.pool, t.roster.services.store, [sessionsProjection], { keep: sessionsToKeep(0) });
      assert.equal((await sessions()).length, 5);
    });
  });

  describe('with a retention', () => {
    const roster = rosterWith({ ROSTER_SESSION_RETENTION_MS: '1' });

    it('the leader deletes ended sessions past it; live ones stay; the log keeps their events', async () => {
      const t = roster();
      const ended = await session(t);
      const live = await session(t, true);
      const listed = async () => (await t.call('GET', `/v1/pools/p/sessions?position=${live.position}`)).body.items.map((s: { sessionId: string }) => s.sessionId);
      await until('the ended session pruned', async () => !(await listed()).includes(ended.sessionId), 5000);
      assert.deepEqual(await listed(), [live.sessionId]);
      const history = await t.call('GET', `/v1/accounts/${ended.accountId}/history`);
      const types = history.body.events.map((e: { type: string }) => e.type);
      assert.ok(types.includes('SessionReleased'), JSON.stringify(types));
    });
  });
});
