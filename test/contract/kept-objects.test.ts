/**
 * The kept objects' contract (which account made each response, file and batch, and the
 * files and batches a user lists), run against PostgreSQL and the in-memory store.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { MemoryKeptObjects, PgKeptObjects, RESPONSE_RETENTION_MS, type KeptObjects, type KeptQuery } from '../../src/store/kept-objects.ts';
import { testDatabase, type TestDatabase } from '../support/db.ts';

function keptContract(name: string, open: () => Promise<{ kept: KeptObjects; age?: (id: string, days: number) => Promise<void> }>) {
  describe(`kept objects (${name})`, () => {
    const owner = (userId: string, model = 'small', poolId = 'gw') => ({ accountId: 'a1', poolId, model, userId });

    it('lists a user\'s own objects of a kind, newest first or oldest, page after page, by the key\'s models, pools, a purpose and ids', async () => {
      const { kept } = await open();
      for (const id of ['f1', 'f2', 'f3']) await kept.remember(id, 'file', owner('ann'), { id, purpose: id === 'f2' ? 'assistants' : 'batch' });
      await kept.remember('f4', 'file', owner('bob'), { id: 'f4' });
      await kept.remember('f5', 'file', owner('ann', 'large', 'other'), { id: 'f5' });
      await kept.remember('b1', 'batch', owner('ann'), { id: 'b1', status: 'validating' });
      await kept.remember('unseen', 'file', owner('ann'));
      const list = async (q: Partial<KeptQuery>) => (await kept.list({ userId: 'ann', kind: 'file', models: null, pools: null, order: 'desc', limit: 10, ...q })).map((o) => (o as { id: string }).id);
      assert.deepEqual(await list({}), ['f5', 'f3', 'f2', 'f1'], 'an object never shown (only its owner known) is not listed');
      assert.deepEqual(await list({ order: 'asc', after: 'f1', limit: 2 }), ['f2', 'f3']);
      assert.deepEqual(await list({ after: 'f3' }), ['f2', 'f1']);
      assert.deepEqual(await list({ after: 'f4' }), [], 'after another user\'s object: nothing');
      assert.deepEqual(await list({ models: ['small'] }), ['f3', 'f2', 'f1']);
      assert.deepEqual(await list({ pools: ['other'] }), ['f5']);
      assert.deepEqual(await list({ purpose: 'batch' }), ['f3', 'f1']);
      assert.deepEqual(await list({ purpose: 'batch\u0000' }), [], 'a purpose no text column can hold: none');
      assert.deepEqual(await list({ kind: 'batch' }), ['b1']);
      assert.deepEqual(await list({ ids: ['f1', 'f4', 'f3', 'nope', 'unseen', 'b1', 'f\u0000'] }), ['f3', 'f1'], 'by ids: only the user\'s own of the kind, shown');
      await kept.forget('f3');
      assert.deepEqual(await list({}), ['f5', 'f2', 'f1']);
      assert.equal(await kept.find('f3'), undefined);
    });

    it('keeps the first owner; only that user\'s later reads change the object listed', async () => {
      const { kept } = await open();
      await kept.remember('b1', 'batch', owner('ann'), { id: 'b1', status: 'validating' });
      await kept.remember('b1', 'batch', owner('bob'), { id: 'b1', status: 'stolen' });
      await kept.remember('b1', 'batch', owner('ann'));
      const batches = (userId: string) => kept.list({ userId, kind: 'batch', models: null, pools: null, order: 'desc', limit: 10 });
      assert.deepEqual(await batches('ann'), [{ id: 'b1', status: 'validating' }]);
      await kept.remember('b1', 'batch', owner('ann'), { id: 'b1', status: 'completed' });
      assert.deepEqual(await batches('ann'), [{ id: 'b1', status: 'completed' }]);
      assert.deepEqual(await batches('bob'), []);
      assert.deepEqual(await kept.find('b1'), owner('ann'));
      // As last shown, by id; a response is not kept whole.
      assert.deepEqual(await kept.shown('b1'), { id: 'b1', status: 'completed' });
      await kept.remember('resp_1', 'response', owner('ann'));
      assert.deepEqual([await kept.shown('resp_1'), await kept.shown('unknown'), await kept.shown('b\u0000')], [undefined, undefined, undefined]);
    });

    it('lets the late usage of an object be claimed once, by one of many at once; never for an object unknown or forgotten', async () => {
      const { kept } = await open();
      await kept.remember('batch_1', 'batch', owner('ann'), { id: 'batch_1', status: 'completed' });
      await kept.remember('resp_1', 'response', owner('ann'));
      const claims = await Promise.all(Array.from({ length: 8 }, () => kept.claimLateUsage('batch_1')));
      assert.deepEqual(claims.filter(Boolean).length, 1);
      assert.equal(await kept.claimLateUsage('batch_1'), false);
      assert.equal(await kept.claimLateUsage('unknown'), false);
      await kept.remember('batch_1', 'batch', owner('ann'), { id: 'batch_1', status: 'completed', seen: 2 });
      assert.equal(await kept.claimLateUsage('batch_1'), false, 'shown again: still counted');
      await kept.forget('resp_1');
      assert.equal(await kept.claimLateUsage('resp_1'), false);
    });

    it('hands out objects whose tokens come later, not yet counted, made before a time and not looked at since, each once a round; with the key that made them', async () => {
      const { kept } = await open();
      const maker = { ...owner('ann'), keyId: 'key-1' };
      await kept.remember('batch_1', 'batch', maker, { id: 'batch_1', status: 'validating' }, true);
      await kept.remember('run_1', 'thread.run', maker, { id: 'run_1', thread_id: 'thread_1' }, true);
      await kept.remember('resp_1', 'response', maker, undefined, true);
      await kept.remember('file-1', 'file', maker, { id: 'file-1' });
      await kept.remember('resp_2', 'response', owner('bob'));
      await kept.claimLateUsage('resp_1');
      // A sweeper's round at `at` asks for objects made, and last looked at, ten minutes before it.
      const round = (at: number, limit = 10) => kept.dueLateUsage(new Date(at - 600_000), new Date(at - 86_400_000), limit, new Date(at));
      const minutes = (n: number) => Date.now() + n * 60_000;
      assert.deepEqual(await round(minutes(5)), [], 'made less than ten minutes before: not due');
      const [first, second] = await Promise.all([round(minutes(11)), round(minutes(11))]);
      const due = [...first!, ...second!];
      assert.deepEqual(due.map((d) => d.id).sort(), ['batch_1', 'run_1'], 'each once, though asked twice at once; the counted response and the rest not');
      assert.deepEqual(due.find((d) => d.id === 'run_1'), { id: 'run_1', kind: 'thread.run', owner: maker, object: { id: 'run_1', thread_id: 'thread_1' } });
      assert.deepEqual(await round(minutes(15)), [], 'looked at four minutes before: not yet again');
      assert.deepEqual((await round(minutes(22), 1)).length, 1, 'ten minutes after: again, at most the limit');
      assert.deepEqual(await round(minutes(2 * 1440)), [], 'made more than a day before the oldest asked: no longer due');
    });

    it('knows no object of an id PostgreSQL\'s text cannot hold (a NUL): none found, claimed, forgotten or paged after', async () => {
      const { kept } = await open();
      const nul = 'file-\u0000';
      assert.equal(await kept.find(nul), undefined);
      assert.equal(await kept.claimLateUsage(nul), false);
      await kept.forget(nul);
      assert.deepEqual(await kept.list({ userId: 'ann', kind: 'file', models: null, pools: null, order: 'desc', after: nul, limit: 10 }), []);
    });

    it('forgets responses, runs and uploads older than their upstream keeps them, and no file or batch', async (t) => {
      const { kept, age } = await open();
      if (!age) return t.skip('objects cannot be aged in this store');
      await kept.remember('resp_old', 'response', owner('ann'));
      await kept.remember('resp_new', 'response', owner('ann'));
      await kept.remember('run_old', 'thread.run', owner('ann'));
      await kept.remember('upload_old', 'upload', owner('ann'), { id: 'upload_old' });
      await kept.remember('file-old', 'file', owner('ann'), { id: 'file-old' });
      for (const id of ['resp_old', 'run_old', 'upload_old', 'file-old']) await age(id, 31);
      assert.equal(await kept.prune(new Date(Date.now() - RESPONSE_RETENTION_MS)), 3);
      assert.equal(await kept.find('run_old'), undefined);
      assert.equal(await kept.find('upload_old'), undefined);
      assert.deepEqual([await kept.find('resp_old'), (await kept.find('resp_new'))?.userId, (await kept.find('file-old'))?.userId], [undefined, 'ann', 'ann']);
    });
  });
}

keptContract('memory', async () => ({ kept: new MemoryKeptObjects() }));

const dbs: TestDatabase[] = [];
after(() => Promise.all(dbs.map((db) => db.drop())));
keptContract('postgres', async () => {
  const db = await testDatabase();
  dbs.push(db);
  return {
    kept: new PgKeptObjects(db.pool),
    age: async (id, days) => void await db.pool.query(`UPDATE gateway_response_owners SET created_at = now() - make_interval(days => $2) WHERE response_id = $1`, [id, days]),
  };
});
