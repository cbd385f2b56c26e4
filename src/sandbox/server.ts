/**
 * The sandbox upstream: a small but real account service that Roster's sandbox provider
 * drives end to end. It is the demo upstream and the test upstream, so it counts what
 * its clients do, and its switches inject latency, failures and 429s.
 *
 * Sign-up takes an email and a password and mails a code (read it at `GET /mailbox/:email`);
 * `POST /verify` checks the code; `POST /login` issues a one-hour access token and a refresh
 * token; `POST /token` (`grant_type=refresh_token`) rotates them, answering 429 when called
 * for an account more often than the minimum interval and `invalid_grant` for an unknown or
 * revoked token; `GET /credits` and `POST /use` show and spend credits. The model
 * endpoints (OpenAI- and Anthropic-compatible) are in `llm.ts`.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Type } from 'typebox';
import { setTimeout as sleep } from 'node:timers/promises';
import { addModelEndpoints } from './llm.ts';

export interface Switches {
  latencyMs: number;
  /** Share of calls answered 503. */
  failureRate: number;
  /** Share of calls answered 429 with Retry-After: 1. */
  rateLimitRate: number;
  /** Refreshing an account sooner than this after its last tokens is answered 429. */
  refreshMinIntervalMs: number;
  accessTokenTtlSeconds: number;
  initialCredits: number;
}

interface User {
  email: string;
  password: string;
  verified: boolean;
  codes: string[];
  credits: number;
  refreshToken: string | null;
  issuedAt: number;
}

/** What clients did, by route and outcome, plus every refresh with its time. */
export interface Stats {
  calls: Record<string, Record<string, number>>;
  refreshes: Array<{ email: string; at: number; outcome: string }>;
  users: number;
}

export const defaultSwitches: Switches = {
  latencyMs: 0, failureRate: 0, rateLimitRate: 0, refreshMinIntervalMs: 3600_000, accessTokenTtlSeconds: 3600, initialCredits: 100,
};

const token = (prefix: string) => `${prefix}_${randomBytes(24).toString('base64url')}`;

/** What `POST /_sandbox/switches` accepts: each switch optional, in range. */
const SwitchesBody = Type.Object({
  latencyMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 600_000 })),
  failureRate: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
  rateLimitRate: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
  refreshMinIntervalMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 30 * 86_400_000 })),
  accessTokenTtlSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 30 * 86_400 })),
  initialCredits: Type.Optional(Type.Number({ minimum: 0, maximum: 1e12 })),
}, { additionalProperties: false });

/** The control routes: switches, stats, revocation, credits, and the test mailbox. */
const isControl = (url: string) => url.startsWith('/_sandbox/') || url.startsWith('/mailbox/');
const digest = (text: string) => createHash('sha256').update(text).digest();

export interface SandboxOptions {
  /** When set, the control routes need `Authorization: Bearer <controlToken>`. */
  controlToken?: string;
  /**
   * A file that keeps the sandbox's users and tokens across restarts (the demo's, in its
   * data directory), as a real upstream keeps its accounts. Read at start, written (mode
   * 0600) soon after each change and on close.
   */
  stateFile?: string;
}

/** What `stateFile` holds. */
interface Saved {
  users: User[];
  access: Array<[string, { email: string; expiresAt: number }]>;
  refresh: Array<[string, string]>;
}

/** The saved users and tokens, or none when there is no file yet (a file that cannot be read stops the start). */
function loadState(file: string): Saved | undefined {
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as Saved;
}

/** Writes the state whole, then renames it over the last (a crash leaves one or the other). A failed write is reported, not thrown. */
function saveState(file: string, state: Saved): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(`${file}.tmp`, JSON.stringify(state), { mode: 0o600 });
    renameSync(`${file}.tmp`, file);
  } catch (error) {
    process.stderr.write(`sandbox: could not save ${file}: ${(error as Error).message}\n`);
  }
}

/**
 * Builds the sandbox app.
 *
 * @example
 * const sandbox = buildSandbox({ refreshMinIntervalMs: 2000 });
 * await sandbox.app.listen({ port: 0 });
 */
export function buildSandbox(initial: Partial<Switches> = {}, options: SandboxOptions = {}): { app: FastifyInstance; switches: Switches; stats: () => Stats } {
  const app = Fastify({ logger: false, ajv: { customOptions: { removeAdditional: false } } });
  if (options.controlToken) {
    const expected = digest(options.controlToken);
    app.addHook('onRequest', async (req, reply) => {
      if (!isControl(req.url)) return;
      const given = /^bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
      if (!given || !timingSafeEqual(digest(given), expected)) return reply.code(401).send({ error: 'control_token_required' });
    });
  }
  const switches: Switches = { ...defaultSwitches, ...initial };
  const saved = options.stateFile ? loadState(options.stateFile) : undefined;
  const users = new Map<string, User>(saved?.users.map((u) => [u.email.toLowerCase(), u]));
  const access = new Map<string, { email: string; expiresAt: number }>(saved?.access.filter(([, a]) => a.expiresAt > Date.now()));
  const refresh = new Map<string, string>(saved?.refresh);
  let pending: NodeJS.Timeout | undefined;
  const save = () => {
    clearTimeout(pending);
    pending = undefined;
    if (options.stateFile) saveState(options.stateFile, { users: [...users.values()], access: [...access], refresh: [...refresh] });
  };
  /** Users or tokens changed: saved within 200 ms. */
  const changed = () => {
    if (options.stateFile && !pending) pending = setTimeout(save, 200);
  };
  app.addHook('onClose', async () => {
    if (pending) save();
  });
  let calls: Stats['calls'] = {};
  let refreshes: Stats['refreshes'] = [];
  const count = (route: string, outcome: string) => {
    const r = (calls[route] ??= {});
    r[outcome] = (r[outcome] ?? 0) + 1;
  };
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  /** Latency and injected failures, before a route does anything. */
  const inject = (route: string) => async (_req: FastifyRequest, reply: FastifyReply) => {
    if (switches.latencyMs) await sleep(switches.latencyMs);
    if (Math.random() < switches.failureRate) {
      count(route, 'injected_503');
      return reply.code(503).send({ error: 'unavailable', injected: true });
    }
    if (Math.random() < switches.rateLimitRate) {
      count(route, 'injected_429');
      return reply.code(429).header('retry-after', '1').send({ error: 'rate_limited', injected: true });
    }
  };
  const bearer = (req: FastifyRequest) => {
    const t = access.get(String(req.headers.authorization ?? '').replace(/^Bearer /i, ''));
    return t && t.expiresAt > Date.now() ? users.get(t.email) : undefined;
  };
  const issue = (user: User) => {
    if (user.refreshToken) refresh.delete(user.refreshToken);
    const accessToken = token('at');
    user.refreshToken = token('rt');
    user.issuedAt = Date.now();
    refresh.set(user.refreshToken, user.email);
    access.set(accessToken, { email: user.email, expiresAt: Date.now() + switches.accessTokenTtlSeconds * 1000 });
    changed();
    return { access_token: accessToken, refresh_token: user.refreshToken, token_type: 'Bearer', expires_in: switches.accessTokenTtlSeconds };
  };
  type Body = Record<string, string | number | undefined>;

  app.post('/signup', { preHandler: inject('signup') }, async (req, reply) => {
    const { email, password } = (req.body ?? {}) as Body;
    if (typeof email !== 'string' || !email.includes('@') || typeof password !== 'string' || password.length < 8) {
      count('signup', 'invalid');
      return reply.code(400).send({ error: 'invalid_request', detail: 'email and a password of 8 or more characters' });
    }
    const known = users.get(email.toLowerCase());
    if (known) {
      count('signup', known.password === password ? 'exists' : 'conflict');
      if (known.password !== password) return reply.code(409).send({ error: 'email_taken' });
      return { status: 'exists', verified: known.verified };
    }
    const code = String(randomInt(100000, 1000000));
    users.set(email.toLowerCase(), { email, password, verified: false, codes: [code], credits: switches.initialCredits, refreshToken: null, issuedAt: 0 });
    changed();
    count('signup', 'created');
    return reply.code(201).send({ status: 'created', verified: false });
  });

  app.get('/mailbox/:email', async (req) => {
    const user = users.get((req.params as { email: string }).email.toLowerCase());
    count('mailbox', user ? 'ok' : 'empty');
    return { messages: (user?.codes ?? []).map((code) => ({ subject: 'Your verification code', code })) };
  });

  app.post('/verify', { preHandler: inject('verify') }, async (req, reply) => {
    const { email, code } = (req.body ?? {}) as Body;
    const user = users.get(String(email).toLowerCase());
    if (!user || !user.codes.includes(String(code))) {
      count('verify', 'bad_code');
      return reply.code(400).send({ error: 'invalid_code' });
    }
    user.verified = true;
    changed();
    count('verify', 'ok');
    return { verified: true };
  });

  app.post('/login', { preHandler: inject('login') }, async (req, reply) => {
    const { email, password } = (req.body ?? {}) as Body;
    const user = users.get(String(email).toLowerCase());
    if (!user || user.password !== password) {
      count('login', 'bad_credentials');
      return reply.code(401).send({ error: 'invalid_credentials' });
    }
    if (!user.verified) {
      count('login', 'unverified');
      return reply.code(403).send({ error: 'email_not_verified' });
    }
    count('login', 'ok');
    return issue(user);
  });

  app.post('/token', { preHandler: inject('refresh') }, async (req, reply) => {
    const { grant_type: grant, refresh_token: rt } = (req.body ?? {}) as Body;
    const email = refresh.get(String(rt));
    const user = email ? users.get(email.toLowerCase()) : undefined;
    const at = Date.now();
    if (grant !== 'refresh_token' || !user) {
      count('refresh', 'invalid_grant');
      refreshes.push({ email: email ?? '', at, outcome: 'invalid_grant' });
      return reply.code(400).send({ error: 'invalid_grant' });
    }
    const wait = user.issuedAt + switches.refreshMinIntervalMs - at;
    if (wait > 0) {
      count('refresh', 'too_soon');
      refreshes.push({ email: user.email, at, outcome: 'too_soon' });
      return reply.code(429).header('retry-after', String(Math.ceil(wait / 1000))).send({ error: 'slow_down' });
    }
    count('refresh', 'ok');
    refreshes.push({ email: user.email, at, outcome: 'ok' });
    return issue(user);
  });

  app.get('/credits', { preHandler: inject('credits') }, async (req, reply) => {
    const user = bearer(req);
    count('credits', user ? 'ok' : 'unauthorized');
    return user ? { credits: user.credits } : reply.code(401).send({ error: 'invalid_token' });
  });

  app.post('/use', { preHandler: inject('use') }, async (req, reply) => {
    const user = bearer(req);
    const units = Number(((req.body ?? {}) as Body).units ?? 1);
    if (!user) return reply.code(401).send({ error: 'invalid_token' });
    if (user.credits < units) {
      count('use', 'no_credits');
      return reply.code(402).send({ error: 'no_credits', credits: user.credits });
    }
    user.credits -= units;
    changed();
    count('use', 'ok');
    return { credits: user.credits };
  });

  // Control: switches, counts, revocation and credits, for tests and demos.
  app.get('/_sandbox/stats', async (): Promise<Stats> => ({ calls, refreshes, users: users.size }));
  app.post('/_sandbox/switches', { schema: { body: SwitchesBody } }, async (req) => Object.assign(switches, req.body as Partial<Switches>));
  // `accessOnly`: its access tokens stop working, its refresh token still rotates (a token the upstream dropped early).
  app.post('/_sandbox/revoke', async (req) => {
    const { email, accessOnly } = (req.body ?? {}) as Body & { accessOnly?: boolean };
    const user = users.get(String(email).toLowerCase());
    if (user?.refreshToken && accessOnly !== true) refresh.delete(user.refreshToken);
    for (const [t, a] of access) if (a.email === user?.email) access.delete(t);
    changed();
    return { revoked: Boolean(user) };
  });
  app.post('/_sandbox/credits', async (req) => {
    const { email, credits } = (req.body ?? {}) as Body;
    const user = users.get(String(email).toLowerCase());
    if (user) user.credits = Number(credits);
    changed();
    return { credits: user?.credits ?? null };
  });
  app.post('/_sandbox/reset-stats', async () => {
    calls = {};
    refreshes = [];
    return { ok: true };
  });
  addModelEndpoints(app, (key) => {
    const t = access.get(key);
    return t !== undefined && t.expiresAt > Date.now();
  }, inject);
  return { app, switches, stats: () => ({ calls, refreshes, users: users.size }) };
}
