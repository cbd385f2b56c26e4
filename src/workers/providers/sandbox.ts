/**
 * The sandbox provider: signs up on the sandbox upstream (`npm run sandbox`), reads the
 * verification code from its test mailbox, verifies, logs in; refreshes with the refresh
 * token; probes credits. Options: `{ baseUrl, controlToken? }` (`controlToken`: the sandbox's
 * SANDBOX_CONTROL_TOKEN, needed to read its mailbox when it listens beyond loopback).
 */
import { call, defaultLimits, expiryOf, FlowError, type FlowContext, type Provider } from './provider.ts';

function base(ctx: FlowContext): string {
  const url = ctx.options.baseUrl;
  if (typeof url !== 'string') throw new FlowError('permanent', 'sandbox provider needs options.baseUrl');
  return url.replace(/\/$/, '');
}

function tokens(body: Record<string, unknown>) {
  return { accessToken: String(body.access_token), refreshToken: String(body.refresh_token) };
}

export function createProvider(): Provider {
  return {
    limits: { ...defaultLimits, minRefreshIntervalMs: 3600_000, maxConcurrency: 64, ratePerSecond: 20, burst: 20 },

    async register(identity, ctx) {
      if (!identity.password) throw new FlowError('permanent', 'the identity has no password');
      const url = base(ctx);
      const who = { email: identity.email, password: identity.password };
      ctx.step('signup');
      const signup = await call(ctx, 'POST', `${url}/signup`, { json: who });
      if (signup.status === 409 || signup.status === 400) throw new FlowError('permanent', `signup refused: ${signup.body.error}`);
      if (!signup.body.verified) {
        ctx.step('mailbox');
        const control = typeof ctx.options.controlToken === 'string' ? { authorization: `Bearer ${ctx.options.controlToken}` } : undefined;
        const mail = await call(ctx, 'GET', `${url}/mailbox/${encodeURIComponent(identity.email)}`, control ? { headers: control } : {});
        const code = (mail.body.messages as Array<{ code: string }> | undefined)?.at(-1)?.code;
        if (!code) throw new FlowError('retryable', 'no verification code in the mailbox yet');
        ctx.step('verify');
        const verified = await call(ctx, 'POST', `${url}/verify`, { json: { email: identity.email, code } });
        if (verified.status !== 200) throw new FlowError('retryable', `verification failed: ${verified.body.error}`);
      }
      ctx.step('login');
      const login = await call(ctx, 'POST', `${url}/login`, { json: who });
      if (login.status !== 200) throw new FlowError('permanent', `login refused: ${login.body.error}`);
      return { credentials: { password: identity.password, ...tokens(login.body) }, expiresAt: expiryOf(login.body), capabilities: ['sandbox'] };
    },

    async refresh(credentials, ctx) {
      if (!credentials.refreshToken) throw new FlowError('revoked', 'no refresh token');
      ctx.step('refresh');
      const res = await call(ctx, 'POST', `${base(ctx)}/token`, { form: { grant_type: 'refresh_token', refresh_token: credentials.refreshToken } });
      if (res.body.error === 'invalid_grant') throw new FlowError('revoked', 'refresh token rejected: invalid_grant');
      if (res.status !== 200) throw new FlowError('permanent', `refresh refused: HTTP ${res.status}`);
      return { credentials: { ...credentials, ...tokens(res.body) }, expiresAt: expiryOf(res.body) };
    },

    async probe(credentials, ctx) {
      ctx.step('credits');
      const res = await call(ctx, 'GET', `${base(ctx)}/credits`, { headers: { authorization: `Bearer ${credentials.accessToken ?? ''}` } });
      if (res.status === 401) return { healthy: false, credits: null };
      return { healthy: res.status === 200, credits: typeof res.body.credits === 'number' ? res.body.credits : null };
    },
  };
}
