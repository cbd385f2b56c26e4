/**
 * Verifying the log as a stream (`LogVerifier`, behind `roster verify`): events are added
 * one by one in log order and each invariant is still found.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LogVerifier, type LogEvent } from '../../src/domain/verify.ts';

const at = '2026-12-03T12:00:00.000Z';
const now = Date.parse(at);
const imported = (accountId: string, poolId: string, revision: number): LogEvent => ({
  stream: `account-${accountId}`, revision, type: 'AccountImported',
  data: { accountId, poolId, login: `${accountId}@x.test`, capabilities: [], region: null, credentials: null, at },
});
const allocated = (poolId: string, revision: number, sessionId: string, accountId: string, fence: number, expiresAt = now + 60_000): LogEvent => ({
  stream: `pool-${poolId}`, revision, type: 'SessionAllocated',
  data: { sessionId, leases: [{ accountId, fence }], holder: 'h', secretHash: 'x', expiresAt: new Date(expiresAt).toISOString(), at },
});

describe('log verification, streamed', () => {
  it('finds nothing wrong in a sound log, counting streams, accounts and sessions', () => {
    const verifier = new LogVerifier();
    for (const e of [imported('a', 'p', 0), allocated('p', 0, 's1', 'a', 1)]) verifier.add(e);
    const report = verifier.finish(now, 600_000);
    assert.deepEqual(report.violations, []);
    assert.deepEqual([report.events, report.streams, report.accounts, report.pools, report.sessions.live], [2, 2, 1, 1, 1]);
  });

  it('finds a revision gap, an event naming another account, a double lease, a lease of a foreign account and an overdue session', () => {
    const verifier = new LogVerifier();
    const log = [
      imported('a', 'p', 0), imported('b', 'q', 0), imported('c', 'p', 0),
      imported('c', 'p', 2), // a gap: 1 is missing (and it names itself again, which folds)
      { ...imported('d', 'p', 0), stream: 'account-e' }, // names another account
      allocated('p', 0, 's1', 'a', 1), allocated('p', 1, 's2', 'a', 2), // a leased twice
      allocated('p', 2, 's3', 'b', 1, now - 3_600_000), // b is pool q's, and s3 is long overdue
    ];
    for (const e of log) verifier.add(e);
    const { violations } = verifier.finish(now, 600_000);
    const expected = [
      /account-c: revision 2 where 1 was expected/, /account-e r0: AccountImported names another account/,
      /pool-p r1: a leased to s2 while live session s1 holds it/, /pool-p: session s3 live past its expiry/, /pool-p: leased b, an account of q/,
    ];
    for (const pattern of expected) assert.ok(violations.some((v) => pattern.test(v)), `${pattern} in ${violations.join('\n')}`);
    assert.equal(violations.length, expected.length, violations.join('\n'));
  });
});
