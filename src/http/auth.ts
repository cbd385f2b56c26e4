import { Type } from 'typebox';
import { administerUser, changePassword, emailTaken, resetPassword, verifyEmail } from '../commands/users.ts';
import { roles } from '../domain/user.ts';
import { Limits } from '../domain/limits.ts';
import { forgotPassword, signUp } from '../commands/user-mail.ts';
import { refreshSession, signIn, signOut, signOutEverywhere, type Tokens } from '../commands/sign-in.ts';
import { positioned } from '../commands/runner.ts';
import { KEY_PREFIX } from '../domain/api-key.ts';
import { DomainError } from '../domain/errors.ts';
import type { App, Services } from './app.ts';
import { answers, Position, PositionText } from './schemas.ts';
import { readModelsAt } from './consistency.ts';
import { listUsers } from '../projections/users.ts';

const Email = Type.String({ minLength: 3, maxLength: 254 });
/** Bounded before any hash is computed. */
const Password = Type.String({ minLength: 1, maxLength: 128 });
/** A password being set: NIST SP 800-63B's 8 characters at least (the command checks it too). */
const NewPassword = Type.String({ minLength: 8, maxLength: 128 });
const RefreshToken = Type.String({ minLength: 1, maxLength: 200 });
const UserView = Type.Object({ userId: Type.String(), email: Type.String(), role: Type.String() });
/** The signed-in user, with what only the user's log knows: whether the address is verified, and the user's limits. */
const MeView = Type.Object({ ...UserView.properties, verified: Type.Boolean(), limits: Limits });
const TokensView = Type.Object({ accessToken: Type.String(), refreshToken: Type.String(), tokenType: Type.Literal('bearer'), expiresIn: Type.Integer(), user: UserView });
/** The shared-account service's answer, field for field. */
const CompatTokens = Type.Object({ access_token: Type.String(), refresh_token: Type.String(), token_type: Type.Literal('bearer'), expires_in: Type.Integer(), user: Type.Object({ id: Type.String(), username: Type.String(), email: Type.String(), role: Type.String() }) });

const userView = (t: Tokens['user']) => ({ userId: t.userId, email: t.email, role: t.role });
const native = (t: Tokens) => ({ accessToken: t.accessToken, refreshToken: t.refreshToken, tokenType: 'bearer' as const, expiresIn: t.expiresIn, user: userView(t.user) });
const compat = (t: Tokens) => ({
  access_token: t.accessToken, refresh_token: t.refreshToken, token_type: 'bearer' as const, expires_in: t.expiresIn,
  user: { id: t.user.userId, username: t.user.email, email: t.user.email, role: t.user.role },
});

/** The signed-in user of a request, or 401 (an admin token is not a user). */
function userOf(req: { user?: Tokens['user'] }): Tokens['user'] {
  if (!req.user) throw new DomainError('unauthorized', 'sign in as a user: this route needs a user\'s access token');
  return req.user;
}

/**
 * Sign-in for Roster's users: native routes under `/v1/auth`, and the shared-account
 * service's routes under `/api/auth`, unchanged.
 */
export default function authRoutes(app: App, s: Services): void {
  const tags = ['auth'];
  const { users } = s;

  app.post('/v1/auth/login', { schema: { tags, security: [], body: Type.Object({ email: Email, password: Password }, { additionalProperties: false }), response: answers({ 200: TokensView }) } },
    async (req) => native(await signIn(users, req.body.email, req.body.password, users.settings, undefined, req.ip)));
  app.post('/v1/auth/refresh', { schema: { tags, security: [], body: Type.Object({ refreshToken: RefreshToken }, { additionalProperties: false }), response: answers({ 200: TokensView }) } },
    async (req) => native(await refreshSession(users, req.body.refreshToken)));
  app.post('/v1/auth/logout', { schema: { tags, security: [], body: Type.Object({ refreshToken: RefreshToken }, { additionalProperties: false }), response: answers({ 204: Type.Null() }) } },
    async (req, reply) => {
      await signOut(users, req.body.refreshToken);
      return reply.code(204).send(null);
    });
  app.post('/v1/auth/logout-all', { schema: { tags, response: answers({ 204: Type.Null() }) } }, async (req, reply) => {
    await signOutEverywhere(users, userOf(req).userId, req.ctx);
    return reply.code(204).send(null);
  });
  app.get('/v1/auth/me', { schema: { tags, response: answers({ 200: MeView }) } }, async (req) => {
    // As the credential's check read it (a key's: up to ROSTER_KEY_CACHE_MS old).
    const user = userOf(req);
    return { ...userView(user), verified: user.verified, limits: user.limits };
  });
  app.post('/v1/auth/password', {
    schema: { tags, body: Type.Object({ currentPassword: Password, newPassword: NewPassword }, { additionalProperties: false }), response: answers({ 204: Type.Null() }) },
  }, async (req, reply) => {
    await changePassword(users, userOf(req).userId, req.body.currentPassword, req.body.newPassword, req.ctx);
    return reply.code(204).send(null);
  });

  const Accepted = Type.Object({ message: Type.String() });
  app.post('/v1/auth/register', {
    schema: { tags, security: [], body: Type.Object({ email: Email, password: NewPassword }, { additionalProperties: false }), response: answers({ 202: Accepted }) },
  }, async (req, reply) => {
    await signUp(users, req.body.email, req.body.password, req.ctx, users.settings, req.ip);
    return reply.code(202).send({ message: 'check your mail to verify the address' });
  });
  app.post('/v1/auth/verify', { schema: { tags, security: [], body: Type.Object({ code: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }), response: answers({ 200: Accepted }) } },
    async (req) => {
      await verifyEmail(users, req.body.code, req.ctx);
      return { message: 'email verified' };
    });
  app.post('/v1/auth/password-reset', { schema: { tags, security: [], body: Type.Object({ email: Email }, { additionalProperties: false }), response: answers({ 202: Accepted }) } },
    async (req, reply) => {
      await forgotPassword(users, req.body.email, req.ctx, users.settings, req.ip);
      return reply.code(202).send({ message: 'if the address has an account, a reset code is on its way' });
    });
  app.post('/v1/auth/password-reset/confirm', {
    schema: { tags, security: [], body: Type.Object({ code: Type.String({ minLength: 1, maxLength: 200 }), newPassword: NewPassword }, { additionalProperties: false }), response: answers({ 200: Accepted }) },
  }, async (req) => {
    await resetPassword(users, req.body.code, req.body.newPassword, req.ctx);
    return { message: 'password reset; sign in again' };
  });
  app.get('/v1/mail', {
    schema: {
      tags: ['mail'], querystring: Type.Object({ to: Type.Optional(Email), limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }) }),
      response: answers({ 200: Type.Object({ items: Type.Array(Type.Object({ mailId: Type.String(), to: Type.String(), subject: Type.String(), text: Type.String(), createdAt: Type.String(), sentAt: Type.Union([Type.String(), Type.Null()]), attempts: Type.Integer(), lastError: Type.Union([Type.String(), Type.Null()]) })) }) }),
    },
  }, async (req) => {
    return { items: await users.outbox.list({ ...(req.query.to ? { to: req.query.to } : {}), limit: req.query.limit }) };
  });

  // User administration: the admin's alone (`allowed` in app.ts).
  const UserRow = Type.Object({
    userId: Type.String(), email: Type.String(), role: Type.String(), status: Type.String(), verified: Type.Boolean(), limits: Limits, createdAt: Type.String(),
  });
  app.get('/v1/users', {
    schema: {
      tags: ['users'],
      querystring: Type.Object({
        role: Type.Optional(Type.Enum(roles)), status: Type.Optional(Type.Enum(['active', 'disabled'] as const)),
        search: Type.Optional(Type.String({ minLength: 1, maxLength: 254, description: 'part of the email' })),
        keyPrefix: Type.Optional(Type.String({ pattern: KEY_PREFIX.source, description: 'the user holding the API key of this prefix (`rk_` and 8 digits: the prefix, never the key)' })),
        after: Type.Optional(Type.String({ minLength: 1, maxLength: 254, description: 'the `next` of the page before' })),
        limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }), position: Position,
      }),
      response: answers({ 200: Type.Object({ items: Type.Array(UserRow), next: Type.Union([Type.String(), Type.Null()]) }) }),
    },
  }, async (req) => {
    const { position, ...q } = req.query;
    await readModelsAt(s, position);
    return listUsers(s.db, q);
  });
  const UserId = Type.Object({ userId: Type.String({ format: 'uuid' }) });
  const Administered = Type.Object({ userId: Type.String(), status: Type.String(), role: Type.String(), position: Type.Optional(PositionText) });
  app.post('/v1/users/:userId/disable', {
    schema: { tags: ['users'], params: UserId, body: Type.Object({ reason: Type.String({ minLength: 1, maxLength: 500 }) }, { additionalProperties: false }), response: answers({ 200: Administered }) },
  }, async (req) => {
    return administerUser(users, req.params.userId, { type: 'DisableUser', reason: req.body.reason }, req.ctx);
  });
  app.post('/v1/users/:userId/enable', { schema: { tags: ['users'], params: UserId, response: answers({ 200: Administered }) } }, async (req) => {
    return administerUser(users, req.params.userId, { type: 'EnableUser' }, req.ctx);
  });
  app.patch('/v1/users/:userId', {
    schema: {
      tags: ['users'], params: UserId, response: answers({ 200: Type.Object({ ...Administered.properties, limits: Limits }) }),
      body: Type.Object({ role: Type.Optional(Type.Enum(roles)), limits: Type.Optional(Limits) }, { additionalProperties: false, minProperties: 1 }),
    },
  }, async (req) => {
    const { role, limits } = req.body;
    const changed = role ? await administerUser(users, req.params.userId, { type: 'ChangeRole', role }, req.ctx) : undefined;
    if (!limits) return changed!;
    const answer = await administerUser(users, req.params.userId, { type: 'ChangeLimits', limits }, req.ctx);
    const position = answer.position ?? changed?.position;
    return { ...answer, ...positioned(position) };
  });

  // The shared-account service's routes.
  const compatTags = ['existing shared-account API'];
  app.post('/api/auth/login', { schema: { tags: compatTags, security: [], body: Type.Object({ username: Email, password: Password }), response: answers({ 200: CompatTokens }) } },
    async (req) => compat(await signIn(users, req.body.username, req.body.password, users.settings, undefined, req.ip)));
  app.post('/api/auth/refresh', { schema: { tags: compatTags, security: [], body: Type.Object({ refresh_token: RefreshToken }), response: answers({ 200: CompatTokens }) } },
    async (req) => compat(await refreshSession(users, req.body.refresh_token)));
  app.post('/api/auth/logout', { schema: { tags: compatTags, security: [], body: Type.Object({ refresh_token: RefreshToken }), response: answers({ 200: Type.Object({ message: Type.String() }) }) } },
    async (req) => {
      await signOut(users, req.body.refresh_token);
      return { message: 'logged out' };
    });
  app.post('/api/auth/logout-all', { schema: { tags: compatTags, response: answers({ 200: Type.Object({ message: Type.String() }) }) } }, async (req) => {
    await signOutEverywhere(users, userOf(req).userId, req.ctx);
    return { message: 'logged out everywhere' };
  });
  app.get('/api/auth/me', { schema: { tags: compatTags, response: answers({ 200: CompatTokens.properties.user }) } }, async (req) => {
    const u = userOf(req);
    return { id: u.userId, username: u.email, email: u.email, role: u.role };
  });
  app.get('/api/auth/check-username', {
    schema: { tags: compatTags, security: [], querystring: Type.Object({ username: Email }), response: answers({ 200: Type.Object({ username: Type.String(), available: Type.Boolean() }) }) },
  }, async (req) => {
    await users.openLimits?.lookup(req.ip);
    return { username: req.query.username, available: !(await emailTaken(s.store, req.query.username)) };
  });
}
