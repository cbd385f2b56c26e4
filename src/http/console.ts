/**
 * The web console: its page at `/` and hashed assets under `/assets/` (open, like the
 * docs: they hold no data), and its cookie session.
 *
 * The console signs in with `POST /v1/auth/session`: the access token goes in an
 * httpOnly, SameSite=Strict cookie (`roster_session`), the refresh token in another
 * (`roster_refresh`, sent only to the session routes), and a CSRF token in a cookie the
 * page can read (`roster_csrf`). A request authenticated by the cookie that changes
 * anything must carry that token in `x-csrf-token` (double submit); a WebSocket opened with
 * it must come from the page's own origin. The API's bearer tokens are unchanged.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { refreshSession, signIn, signOut, type Tokens } from '../commands/sign-in.ts';
import { DomainError } from '../domain/errors.ts';
import type { App, Services } from './app.ts';
import { consoleAssets } from './console-assets.ts';
import { answers } from './schemas.ts';

export const SESSION_COOKIE = 'roster_session';
const REFRESH_COOKIE = 'roster_refresh';
const CSRF_COOKIE = 'roster_csrf';
const SESSION_PATH = '/v1/auth/session';
/** How long the refresh cookie lasts: as long as a refresh token. */
const REFRESH_MAX_AGE_S = 30 * 24 * 3600;

/** Paths the console's session routes take without a token (they check their own cookies). */
export const CONSOLE_OPEN = [SESSION_PATH, `${SESSION_PATH}/refresh`, `${SESSION_PATH}/logout`];

/** Whether a path is the console's page or one of its assets. */
export const isConsoleAsset = (path: string) => path === '/' || path.startsWith('/assets/');

const same = (a: string | undefined, b: string | undefined) =>
  !!a && !!b && a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * The access token of a request that carries the console's cookie and no `Authorization`
 * header, or undefined. Refuses (403) a change without the CSRF token, and a WebSocket from
 * another origin.
 *
 * @example
 * const token = bearerOf(req.headers.authorization) ?? sessionTokenOf(req);
 */
export function sessionTokenOf(request: FastifyRequest): string | undefined {
  const token = request.cookies?.[SESSION_COOKIE];
  if (!token || request.headers.authorization) return undefined;
  checkCsrf(request);
  return token;
}

function checkCsrf(request: FastifyRequest): void {
  if (request.headers.upgrade) {
    const origin = request.headers.origin;
    if (!origin || new URL(origin).host !== request.headers.host) throw new DomainError('forbidden', 'a console WebSocket must come from the console\'s own origin');
    return;
  }
  if (request.method === 'GET' || request.method === 'HEAD') return;
  const header = request.headers['x-csrf-token'];
  if (!same(typeof header === 'string' ? header : undefined, request.cookies?.[CSRF_COOKIE])) {
    throw new DomainError('forbidden', 'a change through the console\'s session needs the x-csrf-token header', [{ field: 'x-csrf-token', message: 'must equal the roster_csrf cookie' }]);
  }
}

/** Sets the session's cookies; answers what the page needs (the CSRF token and the user). */
function startSession(request: FastifyRequest, reply: FastifyReply, tokens: Tokens) {
  const secure = request.protocol === 'https';
  const csrfToken = randomBytes(24).toString('base64url');
  reply.setCookie(SESSION_COOKIE, tokens.accessToken, { httpOnly: true, sameSite: 'strict', secure, path: '/', maxAge: tokens.expiresIn });
  reply.setCookie(REFRESH_COOKIE, tokens.refreshToken, { httpOnly: true, sameSite: 'strict', secure, path: SESSION_PATH, maxAge: REFRESH_MAX_AGE_S });
  reply.setCookie(CSRF_COOKIE, csrfToken, { httpOnly: false, sameSite: 'strict', secure, path: '/', maxAge: REFRESH_MAX_AGE_S });
  return { csrfToken, expiresIn: tokens.expiresIn, user: { userId: tokens.user.userId, email: tokens.user.email, role: tokens.user.role } };
}

function endSession(reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { path: '/' }).clearCookie(REFRESH_COOKIE, { path: SESSION_PATH }).clearCookie(CSRF_COOKIE, { path: '/' });
}

const ConsoleSession = Type.Object({
  csrfToken: Type.String(), expiresIn: Type.Integer(),
  user: Type.Object({ userId: Type.String(), email: Type.String(), role: Type.String() }),
});

/** Security headers of the console's page: its own scripts only, no framing. */
const PAGE_HEADERS = {
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', 'cache-control': 'no-cache',
};

export default async function consoleRoutes(app: App, s: Services): Promise<void> {
  const tags = ['console'];
  const dir = await consoleAssets();
  const page = await readFile(join(dir, 'index.html'), 'utf8');
  app.get('/', { schema: { hide: true } }, async (_req, reply) => reply.headers(PAGE_HEADERS).type('text/html; charset=utf-8').send(page));
  await app.register(fastifyStatic, {
    root: join(dir, 'assets'), prefix: '/assets/', index: false, immutable: true, maxAge: '365d', wildcard: true, decorateReply: false, schemaHide: true,
  });

  app.post(SESSION_PATH, {
    schema: {
      tags, security: [], summary: 'Sign in to the console (cookies)',
      body: Type.Object({ email: Type.String({ minLength: 3, maxLength: 254 }), password: Type.String({ minLength: 1, maxLength: 128 }) }, { additionalProperties: false }),
      response: answers({ 200: ConsoleSession }),
    },
  }, async (req, reply) => startSession(req, reply, await signIn(s.users, req.body.email, req.body.password, s.users.settings, undefined, req.ip)));

  app.post(`${SESSION_PATH}/refresh`, { schema: { tags, security: [], summary: 'Renew the console\'s session (cookies)', response: answers({ 200: ConsoleSession }) } }, async (req, reply) => {
    checkCsrf(req);
    const refresh = req.cookies[REFRESH_COOKIE];
    if (!refresh) throw new DomainError('unauthorized', 'no console session: sign in');
    return startSession(req, reply, await refreshSession(s.users, refresh));
  });

  app.post(`${SESSION_PATH}/logout`, { schema: { tags, security: [], summary: 'Sign out of the console', response: answers({ 204: Type.Null() }) } }, async (req, reply) => {
    checkCsrf(req);
    const refresh = req.cookies[REFRESH_COOKIE];
    if (refresh) await signOut(s.users, refresh);
    endSession(reply);
    return reply.code(204).send(null);
  });
}
