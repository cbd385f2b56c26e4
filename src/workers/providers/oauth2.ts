/**
 * The OAuth2 provider: accounts are imported with their refresh tokens; refresh uses the
 * RFC 6749 `refresh_token` grant (section 6) against any token endpoint, with client
 * authentication `basic` (default) or `post`. A rotated refresh token replaces the old one;
 * `invalid_grant` means the credentials were revoked. Options: `{ tokenUrl, clientId,
 * clientSecret, clientAuth?, scope?, userinfoUrl? }`; with `userinfoUrl` the probe calls it.
 */
import { call, defaultLimits, expiryOf, FlowError, type FlowContext, type Provider } from './provider.ts';

function option(ctx: FlowContext, name: string): string {
  const value = ctx.options[name];
  if (typeof value !== 'string' || !value) throw new FlowError('permanent', `oauth2 provider needs options.${name}`);
  return value;
}

export function createProvider(): Provider {
  return {
    limits: { ...defaultLimits },

    async refresh(credentials, ctx) {
      if (!credentials.refreshToken) throw new FlowError('revoked', 'no refresh token');
      const clientId = option(ctx, 'clientId');
      const secret = option(ctx, 'clientSecret');
      const form: Record<string, string> = { grant_type: 'refresh_token', refresh_token: credentials.refreshToken };
      if (typeof ctx.options.scope === 'string') form.scope = ctx.options.scope;
      const headers: Record<string, string> = { accept: 'application/json' };
      if (ctx.options.clientAuth === 'post') Object.assign(form, { client_id: clientId, client_secret: secret });
      else headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`;
      ctx.step('token');
      const res = await call(ctx, 'POST', option(ctx, 'tokenUrl'), { form, headers });
      if (res.body.error === 'invalid_grant') throw new FlowError('revoked', `refresh token rejected: invalid_grant`);
      if (res.status !== 200 || typeof res.body.access_token !== 'string') {
        throw new FlowError('permanent', `token endpoint answered HTTP ${res.status}${res.body.error ? ` ${res.body.error}` : ''}`);
      }
      return {
        credentials: {
          ...credentials, accessToken: res.body.access_token,
          // A server that rotates sends a new refresh token; one that does not keeps the old valid.
          refreshToken: typeof res.body.refresh_token === 'string' ? res.body.refresh_token : credentials.refreshToken,
          ...(typeof res.body.id_token === 'string' ? { idToken: res.body.id_token } : {}),
        },
        expiresAt: expiryOf(res.body),
      };
    },

    async probe(credentials, ctx) {
      if (typeof ctx.options.userinfoUrl !== 'string') return { healthy: Boolean(credentials.refreshToken), credits: null };
      ctx.step('userinfo');
      const res = await call(ctx, 'GET', ctx.options.userinfoUrl, { headers: { authorization: `Bearer ${credentials.accessToken ?? ''}` } });
      return { healthy: res.status === 200, credits: null };
    },
  };
}
