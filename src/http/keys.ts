import { Type, type Static } from 'typebox';
import { changeKey, createKey, keyOf, keysOfUser, keyView, listKeys, revokeKey, rotateKey, type KeyView } from '../commands/api-keys.ts';
import { KeyScopes, NO_SCOPES, type KeySettings } from '../domain/api-key.ts';
import { DomainError } from '../domain/errors.ts';
import { Limits } from '../domain/limits.ts';
import { Nullable } from '../domain/events.ts';
import type { App, Services } from './app.ts';
import { answers, Position, PositionText } from './schemas.ts';
import { readModelsAt } from './consistency.ts';
import { gatewayUsage } from '../projections/gateway-usage.ts';

const KeyView = Type.Object({
  keyId: Type.String(), userId: Type.String(), name: Type.String(), prefix: Type.String(),
  status: Type.Union([Type.Literal('active'), Type.Literal('revoked'), Type.Literal('expired')]),
  scopes: KeyScopes, limits: Limits, expiresAt: Nullable(Type.String()), createdAt: Type.String(),
});
/** A key as a change answers it: with the change's position, for a query to wait for (`?position=`). */
const ChangedKey = Type.Object({ ...KeyView.properties, position: Type.Optional(PositionText) });
const NewKey = Type.Object({ ...ChangedKey.properties, key: Type.String({ description: 'the key itself: shown this once' }) });
const Name = Type.String({ minLength: 1, maxLength: 100 });
const ExpiresAt = Nullable(Type.String({ format: 'date-time' }));
const KeyParams = Type.Object({ keyId: Type.String({ format: 'uuid' }) });
const UserParams = Type.Object({ userId: Type.String({ format: 'uuid' }) });
const UserKeyParams = Type.Object({ ...UserParams.properties, ...KeyParams.properties });
const KeyList = Type.Object({ items: Type.Array(KeyView) });
const BudgetUsage = Nullable(Type.Object({ period: Type.String(), units: Type.Number(), spent: Type.Number(), reserved: Type.Number() }));
const KeyWithBudget = Type.Object({ ...KeyView.properties, budget: BudgetUsage });
const KeyCreate = Type.Object({ name: Name, scopes: Type.Optional(KeyScopes), limits: Type.Optional(Limits), expiresAt: Type.Optional(ExpiresAt) }, { additionalProperties: false });
const KeyChange = Type.Partial(KeyCreate, { additionalProperties: false });

/** The user a key route acts for: the signed-in user (a key's owner); an admin token has none. */
function ownerOf(req: { user?: { userId: string } }): string {
  if (!req.user) throw new DomainError('unauthorized', 'sign in as a user: keys belong to users (an admin manages a user\'s keys under /v1/users/{userId}/keys)');
  return req.user.userId;
}

const instant = (iso: string | null | undefined) => (iso === undefined ? undefined : iso === null ? null : Date.parse(iso));

/** A new key's settings from a create body: no scope, no limit, no expiry unless given. */
const settingsOf = (body: Static<typeof KeyCreate>): KeySettings =>
  ({ name: body.name, scopes: body.scopes ?? NO_SCOPES, limits: body.limits ?? {}, expiresAt: instant(body.expiresAt) ?? null });

/** A change from a patch body: only what it gives. */
function changeOf(body: Static<typeof KeyChange>): Partial<KeySettings> {
  const { name, scopes, limits } = body;
  const at = instant(body.expiresAt);
  return { ...(name ? { name } : {}), ...(scopes ? { scopes } : {}), ...(limits ? { limits } : {}), ...(at !== undefined ? { expiresAt: at } : {}) };
}

/** Compat: the shared-account service's key shape. */
const compatKey = (k: KeyView) => ({
  id: k.keyId, name: k.name, key_prefix: k.prefix, is_active: k.status === 'active', created_at: k.createdAt, expires_at: k.expiresAt,
});
const CompatKey = Type.Object({
  id: Type.String(), name: Type.String(), key_prefix: Type.String(), is_active: Type.Boolean(), created_at: Type.String(), expires_at: Nullable(Type.String()),
});

/**
 * API keys: a user creates, lists, changes, rotates and revokes its own keys; the key is
 * shown once. The shared-account service's `/api/api-keys` routes answer beside them.
 */
export default function keyRoutes(app: App, s: Services): void {
  const tags = ['keys'];
  const deps = s.callers;
  const keyWithBudget = async (keyId: string, owner: string) => {
    const state = await keyOf(deps, keyId, owner);
    return { ...keyView(keyId, state), budget: await s.quotas.budgetUsage({ scope: `key:${keyId}`, limits: state.limits }) };
  };
  app.post('/v1/keys', { schema: { tags, body: KeyCreate, response: answers({ 201: NewKey }) } }, async (req, reply) =>
    reply.code(201).send(await createKey(deps, ownerOf(req), settingsOf(req.body), req.ctx)));
  app.get('/v1/keys', { schema: { tags, response: answers({ 200: KeyList }) } }, async (req) => ({ items: await listKeys(deps, ownerOf(req)) }));
  app.get('/v1/keys/:keyId', { schema: { tags, params: KeyParams, response: answers({ 200: KeyWithBudget }) } }, async (req) => keyWithBudget(req.params.keyId, ownerOf(req)));
  app.patch('/v1/keys/:keyId', { schema: { tags, params: KeyParams, body: KeyChange, response: answers({ 200: ChangedKey }) } }, async (req) =>
    changeKey(deps, req.params.keyId, ownerOf(req), changeOf(req.body), req.ctx));
  app.post('/v1/keys/:keyId/rotate', { schema: { tags, params: KeyParams, response: answers({ 200: NewKey }) } }, async (req) =>
    rotateKey(deps, req.params.keyId, ownerOf(req), req.ctx));
  app.delete('/v1/keys/:keyId', { schema: { tags, params: KeyParams, response: answers({ 200: ChangedKey }) } }, async (req) =>
    revokeKey(deps, req.params.keyId, ownerOf(req), 'revoked by its owner', req.ctx));

  // Any user's keys, by an admin (`/v1/users/…` is the admin's alone, in app.ts): to give a
  // user a key, cap or revoke one, as LiteLLM's proxy admins do. The path names the owner.
  const userTags = ['users'];
  app.get('/v1/users/:userId/keys', { schema: { tags: userTags, params: UserParams, response: answers({ 200: KeyList }) } }, async (req) =>
    ({ items: await keysOfUser(deps, req.params.userId) }));
  app.post('/v1/users/:userId/keys', { schema: { tags: userTags, params: UserParams, body: KeyCreate, response: answers({ 201: NewKey }) } }, async (req, reply) =>
    reply.code(201).send(await createKey(deps, req.params.userId, settingsOf(req.body), req.ctx)));
  app.get('/v1/users/:userId/keys/:keyId', { schema: { tags: userTags, params: UserKeyParams, response: answers({ 200: KeyWithBudget }) } }, async (req) =>
    keyWithBudget(req.params.keyId, req.params.userId));
  app.patch('/v1/users/:userId/keys/:keyId', { schema: { tags: userTags, params: UserKeyParams, body: KeyChange, response: answers({ 200: ChangedKey }) } }, async (req) =>
    changeKey(deps, req.params.keyId, req.params.userId, changeOf(req.body), req.ctx));
  app.post('/v1/users/:userId/keys/:keyId/rotate', { schema: { tags: userTags, params: UserKeyParams, response: answers({ 200: NewKey }) } }, async (req) =>
    rotateKey(deps, req.params.keyId, req.params.userId, req.ctx));
  app.delete('/v1/users/:userId/keys/:keyId', { schema: { tags: userTags, params: UserKeyParams, response: answers({ 200: ChangedKey }) } }, async (req) =>
    revokeKey(deps, req.params.keyId, req.params.userId, 'revoked by an admin', req.ctx));

  // Gateway usage per key, model and day: a member sees its own keys' only; others filter by user, key, model and days.
  app.get('/v1/usage/gateway', {
    schema: {
      tags: ['gateway'],
      querystring: Type.Object({
        keyId: Type.Optional(Type.String({ format: 'uuid' })), userId: Type.Optional(Type.String({ format: 'uuid', description: 'one user\'s keys (a member sees only its own)' })),
        model: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
        from: Type.Optional(Type.String({ format: 'date' })), to: Type.Optional(Type.String({ format: 'date' })), position: Position,
      }),
      response: answers({ 200: Type.Object({ items: Type.Array(Type.Object({
        keyId: Type.String(), userId: Type.String(), model: Type.String(), day: Type.String(), requests: Type.Integer(), failures: Type.Integer(),
        inputTokens: Type.Integer(), outputTokens: Type.Integer(), estimated: Type.Integer(), spend: Type.Number(),
      })) }) }),
    },
  }, async (req) => {
    const { position, ...q } = req.query;
    await readModelsAt(s, position);
    const own = req.role === 'member' ? ownerOf(req) : undefined;
    return { items: await gatewayUsage(s.db, { ...q, ...(own ? { userId: own } : {}) }) };
  });

  const compatTags = ['existing shared-account API'];
  app.get('/api/api-keys', { schema: { tags: compatTags, response: answers({ 200: Type.Array(CompatKey) }) } }, async (req) =>
    (await listKeys(deps, ownerOf(req))).map(compatKey));
  app.post('/api/api-keys', {
    schema: {
      tags: compatTags, response: answers({ 201: Type.Object({ ...CompatKey.properties, key: Type.String() }) }),
      body: Type.Object({ name: Name, expires_in_days: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })) }),
    },
  }, async (req, reply) => {
    const days = req.body.expires_in_days;
    const created = await createKey(deps, ownerOf(req), { name: req.body.name, scopes: NO_SCOPES, limits: {}, expiresAt: days ? Date.now() + days * 86_400_000 : null }, req.ctx);
    return reply.code(201).send({ ...compatKey(created), key: created.key });
  });
  app.delete('/api/api-keys/:keyId', { schema: { tags: compatTags, params: KeyParams, response: answers({ 200: Type.Object({ message: Type.String() }) }) } }, async (req) => {
    await revokeKey(deps, req.params.keyId, ownerOf(req), 'revoked by its owner', req.ctx);
    return { message: 'API key revoked' };
  });
}
