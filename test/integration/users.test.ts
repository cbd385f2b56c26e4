/** Users on real PostgreSQL: registration, verification, sign-in checks, password change and reset, races on one email and one code. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  authenticate, changePassword, registerUser, requestPasswordReset, resetPassword, userIdFor, verifyEmail, type UserDeps,
} from '../../src/commands/users.ts';
import { DomainError } from '../../src/domain/errors.ts';
import { rosterCodec } from '../../src/store/codec.ts';
import { Passwords } from '../../src/store/passwords.ts';
import { PostgresEventStore } from '../../src/store/postgres.ts';
import { testDatabase, type TestDatabase } from '../support/db.ts';

const ctx = { actor: 'test', correlationId: 'c' };

/** The error code a promise fails with. */
async function refused(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof DomainError) return e.code;
    throw e;
  }
  return 'accepted';
}

describe('users', () => {
  let db: TestDatabase;
  let deps: UserDeps;
  before(async () => {
    db = await testDatabase();
    deps = { store: new PostgresEventStore(db.pool, { codec: rosterCodec }), passwords: new Passwords(db.pool) };
  });
  after(() => db.drop());

  it('registers, refuses sign-in until the email is verified by its code, then signs in', async () => {
    const { created, verification, userId } = await registerUser(deps, { email: 'Ada@Example.test', password: 'correct horse' }, ctx);
    assert.equal(created, true);
    assert.ok(verification && verification.code.length >= 40);
    assert.equal(await refused(authenticate(deps, 'ada@example.test', 'correct horse')), 'email_not_verified');
    assert.equal(await refused(verifyEmail(deps, 'not-a-code', ctx)), 'code_invalid');
    assert.deepEqual(await verifyEmail(deps, verification.code, ctx), { userId });
    const user = await authenticate(deps, 'ADA@example.test ', 'correct horse');
    assert.deepEqual({ ...user, sessionEpoch: 0 }, { userId, email: 'ada@example.test', role: 'member', sessionEpoch: 0, verified: true, limits: {} });
  });

  it('answers a wrong password and an unknown email alike, and only the right password learns more', async () => {
    await registerUser(deps, { email: 'unverified@example.test', password: 'secret one' }, ctx);
    assert.equal(await refused(authenticate(deps, 'nobody@example.test', 'secret one')), 'invalid_credentials');
    assert.equal(await refused(authenticate(deps, 'unverified@example.test', 'wrong password')), 'invalid_credentials');
    assert.equal(await refused(authenticate(deps, 'unverified@example.test', 'secret one')), 'email_not_verified');
    // A second registration of the address changes nothing: the first password still holds.
    const again = await registerUser(deps, { email: 'unverified@example.test', password: 'takeover attempt' }, ctx);
    assert.equal(again.created, false);
    assert.equal(again.verification, undefined);
    assert.equal(await refused(authenticate(deps, 'unverified@example.test', 'takeover attempt')), 'invalid_credentials');
  });

  it('refuses a password too short or too long, naming the field, before anything is written', async () => {
    const events = async () => Number((await db.pool.query('SELECT count(*) AS n FROM events')).rows[0].n);
    const before = await events();
    for (const password of ['short', 'x'.repeat(129)]) {
      await assert.rejects(registerUser(deps, { email: 'policy@example.test', password }, ctx), (e: DomainError) => e.code === 'invalid_input' && e.fields[0]?.field === 'password');
    }
    assert.equal(await events(), before);
  });

  it('ten registrations of one email at once make one user with one password', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) =>
      registerUser(deps, { email: 'race@example.test', password: `password-${i}`, verified: true }, ctx)));
    const winners = results.map((r, i) => (r.created ? i : -1)).filter((i) => i >= 0);
    assert.equal(winners.length, 1);
    const ok = await Promise.all(results.map((_, i) => authenticate(deps, 'race@example.test', `password-${i}`).then(() => i, () => -1)));
    assert.deepEqual(ok.filter((i) => i >= 0), winners, 'only the winner\'s password signs in');
  });

  it('changes the password (the old one stops working) and moves the session epoch', async () => {
    const { userId } = await registerUser(deps, { email: 'change@example.test', password: 'first password', verified: true }, ctx);
    const before = await authenticate(deps, 'change@example.test', 'first password');
    assert.equal(await refused(changePassword(deps, userId, 'wrong current', 'second password', ctx)), 'invalid_credentials');
    await changePassword(deps, userId, 'first password', 'second password', ctx);
    assert.equal(await refused(authenticate(deps, 'change@example.test', 'first password')), 'invalid_credentials');
    const after = await authenticate(deps, 'change@example.test', 'second password');
    assert.ok(after.sessionEpoch > before.sessionEpoch);
  });

  it('resets with a mailed code once; two resets racing on one code set one password', async () => {
    const { userId } = await registerUser(deps, { email: 'reset@example.test', password: 'forgotten one' }, ctx);
    assert.equal(await requestPasswordReset(deps, 'nobody@example.test', ctx), undefined);
    const mailed = await requestPasswordReset(deps, 'Reset@example.test', ctx);
    assert.equal(mailed?.email, 'reset@example.test');
    const attempts = await Promise.all(['new password A', 'new password B'].map((p) => refused(resetPassword(deps, mailed!.code, p, ctx))));
    assert.deepEqual([...attempts].sort(), ['accepted', 'code_invalid']);
    const winner = attempts[0] === 'accepted' ? 'new password A' : 'new password B';
    const loser = winner.endsWith('A') ? 'new password B' : 'new password A';
    // The reset verified the email too: the winner signs in, the loser's password never took.
    assert.equal((await authenticate(deps, 'reset@example.test', winner)).userId, userId);
    assert.equal(await refused(authenticate(deps, 'reset@example.test', loser)), 'invalid_credentials');
    assert.equal(await refused(authenticate(deps, 'reset@example.test', 'forgotten one')), 'invalid_credentials');
  });

  it('keeps every password and code out of the log, and stores passwords as argon2id with OWASP parameters', async () => {
    const { rows } = await db.pool.query("SELECT count(*) AS n FROM events WHERE data::text || metadata::text ~ '(correct horse|secret one|forgotten one|takeover attempt|(first|second|new) password|password-[0-9])'");
    assert.equal(Number(rows[0].n), 0);
    const hash = (await db.pool.query('SELECT hash FROM user_passwords WHERE user_id = $1', [userIdFor('ada@example.test')])).rows[0].hash as string;
    assert.match(hash, /^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    const codes = (await db.pool.query('SELECT code_hash FROM user_codes')).rows.map((r) => r.code_hash as string);
    assert.ok(codes.length > 0 && codes.every((c) => /^[A-Za-z0-9_-]{43}$/.test(c)), 'codes are stored as SHA-256 hashes');
  });
});
