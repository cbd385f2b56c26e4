/**
 * Sign-in sessions on real PostgreSQL: refresh token rotation and its races (20 refreshes
 * of one token at once, refresh racing logout, reuse after the grace window), logout
 * everywhere, key rotation.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { checkAccess, refreshSession, signIn, signOut, signOutEverywhere, type SignInDeps } from '../../src/commands/sign-in.ts';
import { registerUser } from '../../src/commands/users.ts';
import { DomainError } from '../../src/domain/errors.ts';
import { AccessTokens } from '../../src/store/access-tokens.ts';
import { rosterCodec } from '../../src/store/codec.ts';
import { Passwords } from '../../src/store/passwords.ts';
import { PostgresEventStore } from '../../src/store/postgres.ts';
import { RefreshTokens } from '../../src/store/refresh-tokens.ts';
import { testDatabase, type TestDatabase } from '../support/db.ts';

const ctx = { actor: 'test', correlationId: 'c' };
const GRACE_MS = 300;

const code = (p: Promise<unknown>) => p.then(() => 'accepted', (e: unknown) => {
  if (e instanceof DomainError) return e.code;
  throw e;
});

describe('sign-in sessions', () => {
  let db: TestDatabase;
  let deps: SignInDeps;
  /** The same stores with the default 10 s grace window: 20 refreshes queued on one row lock may take longer than 300 ms on a loaded machine. */
  let patient: SignInDeps;
  let n = 0;
  /** A new verified user, signed in. */
  const newUser = async () => {
    const email = `user${n++}@example.test`;
    const { userId } = await registerUser(deps, { email, password: 'long enough', verified: true }, ctx);
    return { email, userId, tokens: await signIn(deps, email, 'long enough') };
  };
  before(async () => {
    db = await testDatabase();
    const masterKey = randomBytes(32);
    deps = {
      store: new PostgresEventStore(db.pool, { codec: rosterCodec }), passwords: new Passwords(db.pool),
      access: new AccessTokens(db.pool, masterKey), refresh: new RefreshTokens(db.pool, masterKey, { ttlMs: 3600_000, graceMs: GRACE_MS }),
    };
    patient = { ...deps, refresh: new RefreshTokens(db.pool, masterKey, { ttlMs: 3600_000, graceMs: 10_000 }) };
  });
  after(() => db.drop());

  it('signs in; the access token names the user; a refresh rotates the refresh token and the old one then fails', async () => {
    const { userId, tokens } = await newUser();
    assert.equal(tokens.expiresIn, 900);
    assert.equal((await checkAccess(deps, tokens.accessToken)).userId, userId);
    const next = await refreshSession(deps, tokens.refreshToken);
    assert.notEqual(next.refreshToken, tokens.refreshToken);
    assert.equal((await checkAccess(deps, next.accessToken)).userId, userId);
    await new Promise((r) => setTimeout(r, GRACE_MS + 100));
    assert.equal(await code(refreshSession(deps, tokens.refreshToken)), 'unauthorized', 'the rotated token is refused after the grace window');
  });

  it('20 refreshes of one token at once get one successor, and the family stays live', async () => {
    const { userId, tokens } = await newUser();
    const results = await Promise.all(Array.from({ length: 20 }, () => refreshSession(patient, tokens.refreshToken)));
    assert.equal(new Set(results.map((r) => r.refreshToken)).size, 1, 'one successor for all');
    const families = await deps.refresh.families(userId);
    assert.deepEqual(families.map((f) => [f.revokedReason, f.tokens]), [[null, 2]], 'one family, not revoked, the token and its successor');
    assert.ok((await refreshSession(patient, results[0]!.refreshToken)).refreshToken);
  });

  it('reuse after the grace window revokes the whole family, the newest token too', async () => {
    const { userId, tokens } = await newUser();
    const next = await refreshSession(deps, tokens.refreshToken);
    await new Promise((r) => setTimeout(r, GRACE_MS + 100));
    assert.equal(await code(refreshSession(deps, tokens.refreshToken)), 'unauthorized');
    assert.equal((await deps.refresh.families(userId))[0]!.revokedReason, 'reuse');
    assert.equal(await code(refreshSession(deps, next.refreshToken)), 'unauthorized', 'the thief\'s or the owner\'s successor is dead too');
  });

  it('a refresh racing a logout never leaves a live token behind', async () => {
    for (let i = 0; i < 10; i++) {
      const { tokens } = await newUser();
      const [refreshed] = await Promise.all([refreshSession(deps, tokens.refreshToken).catch(() => undefined), signOut(deps, tokens.refreshToken)]);
      if (refreshed) assert.equal(await code(refreshSession(deps, refreshed.refreshToken)), 'unauthorized', 'a successor issued in the race is revoked with its family');
      assert.equal(await code(refreshSession(deps, tokens.refreshToken)), 'unauthorized');
    }
  });

  it('logout everywhere ends every family and every access token issued before it', async () => {
    const { email, userId, tokens } = await newUser();
    const other = await signIn(deps, email, 'long enough');
    await new Promise((r) => setTimeout(r, 2));
    await signOutEverywhere(deps, userId, ctx);
    for (const t of [tokens, other]) {
      assert.equal(await code(checkAccess(deps, t.accessToken)), 'unauthorized');
      assert.equal(await code(refreshSession(deps, t.refreshToken)), 'unauthorized');
    }
    await new Promise((r) => setTimeout(r, 2));
    const again = await signIn(deps, email, 'long enough');
    assert.equal((await checkAccess(deps, again.accessToken)).userId, userId, 'a sign-in after it works');
  });

  it('a key rotation logs nobody out; retiring the old key ends its tokens', async () => {
    const { tokens } = await newUser();
    const oldKid = JSON.parse(Buffer.from(tokens.accessToken.split('.')[0]!, 'base64url').toString()).kid as string;
    const newKid = await deps.access.rotate();
    assert.ok(await checkAccess(deps, tokens.accessToken), 'the old key still verifies');
    const fresh = await refreshSession(deps, tokens.refreshToken);
    assert.equal(JSON.parse(Buffer.from(fresh.accessToken.split('.')[0]!, 'base64url').toString()).kid, newKid);
    await deps.access.retire(oldKid);
    assert.equal(await code(checkAccess(deps, tokens.accessToken)), 'unauthorized');
    assert.ok(await checkAccess(deps, fresh.accessToken));
  });

  it('refuses tampered and foreign tokens, and stores refresh tokens only hashed', async () => {
    const { tokens } = await newUser();
    const [h, p, s] = tokens.accessToken.split('.');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString());
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url')}.${s}`;
    assert.equal(await code(checkAccess(deps, forged)), 'unauthorized');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', kid: JSON.parse(Buffer.from(h!, 'base64url').toString()).kid })).toString('base64url')}.${p}.`;
    assert.equal(await code(checkAccess(deps, none)), 'unauthorized');
    const other = new AccessTokens(db.pool, randomBytes(32));
    assert.equal(await other.verify(tokens.accessToken), undefined, 'another master key cannot verify it');
    const stored = await db.pool.query('SELECT count(*) AS n FROM refresh_tokens WHERE token_hash = $1', [tokens.refreshToken]);
    assert.equal(Number(stored.rows[0].n), 0);
  });
});
