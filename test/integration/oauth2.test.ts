import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import Provider, { type ClientAuthMethod } from 'oidc-provider';
import { startTestRoster, type TestRoster } from '../support/roster.ts';

/** A real OAuth2 server (oidc-provider) with one client per client-authentication method, rotating refresh tokens. */
async function startOAuthServer(): Promise<{ oidc: Provider; server: Server; issuer: string; refreshTokenFor(clientId: string, user: string): Promise<string> }> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = (id: string, method: ClientAuthMethod) => ({
    client_id: id, client_secret: `${id}-secret-0123456789`, grant_types: ['authorization_code', 'refresh_token'],
    redirect_uris: ['https://client.example.test/cb'], token_endpoint_auth_method: method,
  });
  const oidc = new Provider(issuer, {
    clients: [client('basic-client', 'client_secret_basic'), client('post-client', 'client_secret_post')],
    findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
    scopes: ['openid', 'offline_access'],
    rotateRefreshToken: true,
    features: { devInteractions: { enabled: false } },
  });
  server.on('request', oidc.callback());
  return {
    oidc, server, issuer,
    async refreshTokenFor(clientId, user) {
      const grant = new oidc.Grant({ accountId: user, clientId });
      grant.addOIDCScope('openid offline_access');
      const grantId = await grant.save();
      const token = new oidc.RefreshToken({
        client: (await oidc.Client.find(clientId))!, accountId: user, grantId, scope: 'openid offline_access', gty: 'authorization_code',
        authTime: Math.floor(Date.now() / 1000),
      });
      return token.save();
    },
  };
}

describe('OAuth2 provider against a real OAuth2 server (oidc-provider)', () => {
  let o: Awaited<ReturnType<typeof startOAuthServer>>;
  let t: TestRoster;
  before(async () => {
    o = await startOAuthServer();
    const provider = (id: string, clientAuth: string) => ({
      use: 'oauth2', limits: { minRefreshIntervalMs: 0 },
      options: { tokenUrl: `${o.issuer}/token`, clientId: id, clientSecret: `${id}-secret-0123456789`, clientAuth },
    });
    t = await startTestRoster({ ROSTER_PROVIDERS: JSON.stringify({ 'corp-basic': provider('basic-client', 'basic'), 'corp-post': provider('post-client', 'post') }) });
  });
  after(async () => {
    await t?.stop();
    o?.server.close();
  });

  it('lists the providers with their limits and what they can do, never their options (a client secret among them)', async () => {
    const listed = await t.call('GET', '/v1/providers');
    assert.equal(listed.status, 200);
    const corp = (listed.body as Array<{ providerId: string; limits: { minRefreshIntervalMs: number }; can: Record<string, boolean> }>).filter((p) => p.providerId.startsWith('corp-'));
    assert.deepEqual(corp.map((p) => [p.providerId, p.limits.minRefreshIntervalMs, p.can.refresh, p.can.register]), [['corp-basic', 0, true, false], ['corp-post', 0, true, false]]);
    assert.ok(!JSON.stringify(listed.body).includes('secret-0123456789') && !JSON.stringify(listed.body).includes(o.issuer), 'no option is shown');
    assert.equal((await t.call('GET', '/v1/providers', undefined, { token: null })).status, 401);
  });

  for (const [pool, clientId] of [['corp-basic', 'basic-client'], ['corp-post', 'post-client']] as const) {
    it(`imports a refresh token and refreshes it with the refresh_token grant (client authentication ${pool.slice(5)}), keeping the rotated token`, async () => {
      await t.call('POST', '/v1/pools', { poolId: pool, name: pool, providerId: pool });
      const original = await o.refreshTokenFor(clientId, 'alice');
      const imported = await t.call('POST', `/v1/pools/${pool}/accounts`, { accounts: [{ login: 'alice@corp.example', refreshToken: original }] });
      const accountId = imported.body.lines[0].accountId;
      const first = await t.call('POST', `/v1/pools/${pool}/refresh`, { accountId });
      assert.equal(first.body.results[0].outcome, 'refreshed', JSON.stringify(first.body));
      const stored = await t.roster.services.vault.get(accountId);
      assert.ok(stored?.accessToken, 'an access token was issued');
      assert.notEqual(stored?.refreshToken, original, 'the rotated refresh token was stored');
      // The old token is spent; only the stored (rotated) one works: a second refresh succeeds with it.
      const second = await t.call('POST', `/v1/pools/${pool}/refresh`, { accountId });
      assert.equal(second.body.results[0].outcome, 'refreshed', JSON.stringify(second.body));
      const view = await t.call('GET', `/v1/accounts/${accountId}?position=${encodeURIComponent(await t.roster.services.store.headPosition())}`);
      assert.equal(view.body.credentialsVersion, 3, 'imported, then rotated twice');
      assert.ok(view.body.credentialsExpiresAt);
      const { rows } = await t.db.pool.query('SELECT count(*) AS n FROM events WHERE data::text LIKE $1', [`%${stored!.refreshToken!.slice(0, 20)}%`]);
      assert.equal(Number(rows[0].n), 0, 'no token in any event');
    });
  }

  it('a revoked refresh token (invalid_grant) disables the account with "credentials revoked"', async () => {
    const token = await o.refreshTokenFor('basic-client', 'bob');
    const imported = await t.call('POST', '/v1/pools/corp-basic/accounts', { accounts: [{ login: 'bob@corp.example', refreshToken: token }] });
    const accountId = imported.body.lines[0].accountId;
    const found = await o.oidc.RefreshToken.find(token);
    await found!.destroy();
    const r = await t.call('POST', '/v1/pools/corp-basic/refresh', { accountId });
    assert.equal(r.body.results[0].outcome, 'revoked');
    const view = await t.call('GET', `/v1/accounts/${accountId}?position=${encodeURIComponent(await t.roster.services.store.headPosition())}`);
    assert.deepEqual([view.body.status, view.body.disabledReason], ['disabled', 'credentials revoked']);
  });
});
