/**
 * The gateway: the data plane on its own port. OpenAI- and Anthropic-compatible routes
 * authenticated by a Roster API key, forwarded through pooled accounts with failover
 * before the first byte, cooldowns, exact usage and budgets. Everything else under `/v1`
 * passes through to the upstream of the model's pool.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { pipeline, Transform } from 'node:stream';
import type { IncomingHttpHeaders } from 'node:http';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Dispatcher } from 'undici';
import { identify, type Caller, type CallerDeps } from '../commands/callers.ts';
import { countForMaker, type Chosen, type GatewayCore } from '../commands/gateway.ts';
import type { Allocators } from '../commands/allocators.ts';
import type { Quotas, Reservation } from '../commands/quotas.ts';
import { DomainError } from '../domain/errors.ts';
import type { Outcome } from '../domain/account.ts';
import { retryAfterOf, saysNoCredits, spendOf, upstreamModelAt, type ResolvedRoute, type TokenUsage } from '../domain/gateway.ts';
import { countsLater, finishedAtOf, isRecord, keptReferences, onGateway, ResultsUsage, type KeptKind, type KeptReference, type LateTokens } from '../domain/kept.ts';
import type { KeptOwner } from '../store/kept-objects.ts';
import type { Upstreams } from '../workers/upstream.ts';
import { keptCollections } from './kept-collections.ts';
import { messageBatchOutgoing } from './message-batches.ts';
import { allowanceHeaders } from './allowance-headers.ts';
import { gatewayDocs, REQUEST_ID_HEADER } from './gateway-docs.ts';
import { passthrough, type Outgoing } from './passthrough.ts';
import { SseUsage, type Dialect } from './sse-usage.ts';
import { RequestLogger } from './request-logger.ts';
import { UploadBudget } from './upload-budget.ts';
import { bearerOf, textHeader } from './text.ts';
import { instruments, recordedSpan, SpanKind, traceparentOf } from '../telemetry.ts';
import { lazyCompilers } from './lazy-schemas.ts';

export interface GatewayServices {
  callers: CallerDeps;
  quotas: Quotas;
  gateway: GatewayCore;
  upstreams: Upstreams;
  allocators: Allocators;
}

type KeyCaller = Extract<Caller, { kind: 'key' }>;

/** An error in the shape the client's SDK reads: OpenAI's `{error: {message, type, code}}` or Anthropic's `{type: 'error', error: {type, message}}`. */
function sendError(reply: FastifyReply, dialect: Dialect, status: number, type: string, message: string, retryAfter?: number) {
  if (retryAfter) reply.header('retry-after', String(retryAfter));
  return reply.code(status).send(dialect === 'anthropic' ? { type: 'error', error: { type, message } } : { error: { message, type, code: type } });
}

const errorTypeOf = (status: number) =>
  (status === 401 ? 'authentication_error' : status === 403 ? 'permission_error' : status === 404 ? 'not_found_error' : status === 429 ? 'rate_limit_error' : status >= 500 ? 'api_error' : 'invalid_request_error');

/**
 * The ids of Anthropic's `GET /v1/files?ids[]=…` (its SDKs send brackets), without
 * repeats: undefined when none is given, or why they are refused.
 *
 * @example
 * idsOf(['file_1', 'file_1', 'file_2']) // → ['file_1', 'file_2']
 */
export function idsOf(given: unknown): string[] | string | undefined {
  if (given === undefined) return undefined;
  const ids = [...new Set(Array.isArray(given) ? given.map(String) : [String(given)])];
  if (ids.length === 0 || ids.length > 100) return 'ids: from 1 to 100 file ids';
  if (ids.some((id) => id === '' || id.length > 200)) return 'ids: each a file id of 1 to 200 characters';
  return ids;
}

/** A caller refused (401, 403, 429), or a check that could not be made (503, `unavailable` said), in the client's shape. */
function sendRefusal(reply: FastifyReply, dialect: Dialect, error: unknown, unavailable: string) {
  const e = error instanceof DomainError ? error : new DomainError('unavailable', unavailable, [], 2);
  const status = e.code === 'unauthorized' ? 401 : e.code === 'forbidden' ? 403 : e.code === 'rate_limited' ? 429 : 503;
  return sendError(reply, dialect, status, errorTypeOf(status), e.detail, e.retryAfterSeconds);
}

/**
 * What an OpenAI- or Anthropic-compatible JSON request sends upstream: the body with the
 * upstream's model, and for an OpenAI chat or completions stream a request for the usage
 * chunk (a Responses stream carries its usage in `response.completed`).
 *
 * @example
 * jsonOutgoing('openai', '/v1/chat/completions', { model: 'small', messages }).body('sandbox-small')
 */
function jsonOutgoing(dialect: Dialect, path: string, body: Record<string, unknown>): Outgoing {
  const streaming = body.stream === true;
  const usageChunk = streaming && dialect === 'openai' && (path === '/v1/chat/completions' || path === '/v1/completions');
  const maxOut = path.endsWith('/count_tokens') || path === '/v1/embeddings' ? 0 : Number(body.max_tokens ?? body.max_completion_tokens ?? body.max_output_tokens ?? 1024) || 0;
  const responses = path === '/v1/responses';
  return {
    method: 'POST', path: () => path, contentType: 'application/json', streaming, maxOutput: maxOut, endMarked: true, free: path.endsWith('/count_tokens'),
    ...(responses ? { keeps: body.store !== false, background: body.background === true } : {}), refers: keptReferences(body),
    asked: typeof body.model === 'string' && body.model !== '' ? body.model : undefined,
    clientWantsUsage: dialect === 'openai' && (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true,
    body: (model) => JSON.stringify({ ...body, model, ...(usageChunk ? { stream_options: { ...(body.stream_options as object ?? {}), include_usage: true } } : {}) }),
  };
}

/**
 * The API a request speaks: Anthropic's under `/v1/messages` or with `anthropic-version`
 * (which its SDKs send with every request: its models, its Files API), else OpenAI's.
 */
const dialectOf = (req: { url: string; headers: IncomingHttpHeaders }): Dialect =>
  (req.url.startsWith('/v1/messages') || req.headers['anthropic-version'] !== undefined ? 'anthropic' : 'openai');

/** A kind of object's name in the plural: `batch` → `batches`, `file` → `files`. */
const plural = (what: string) => (/(ch|sh|s|x)$/.test(what) ? `${what}es` : `${what}s`);

/** A rough count of tokens in text, for estimates: four characters a token. */
const estimateTokens = (text: string) => Math.ceil(text.length / 4);

/**
 * Whether the client went away, as undici takes a signal (an emitter of 'abort' with
 * `aborted`): undici cancels the upstream request on it as on an AbortSignal, and it costs
 * next to nothing, where an AbortController with its listener cost microseconds a request.
 */
class ClientGone extends EventEmitter {
  aborted = false;

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.emit('abort');
  }
}

/**
 * The upstream's own id of a request (OpenAI's `x-request-id`, Anthropic's `request-id`),
 * for the log line: what the upstream's support asks for.
 *
 * @example
 * upstreamIdOf({ 'x-request-id': 'req_123' }) // → 'req_123'
 */
export function upstreamIdOf(headers: IncomingHttpHeaders): string | undefined {
  const id = headers['x-request-id'] ?? headers['request-id'];
  return typeof id === 'string' ? id.slice(0, 200) : undefined;
}

/** The client's key: `Authorization: Bearer` or `x-api-key` (Anthropic's clients). */
const keyOf = (req: FastifyRequest) => bearerOf(req.headers.authorization) ?? textHeader(req.headers, 'x-api-key');

export interface GatewayOptions {
  logger?: FastifyBaseLogger;
  /** The largest body of a request, but for uploads. */
  bodyLimit?: number;
  trustProxy?: boolean | string[];
  /** Uploads (`POST /v1/files`, an upload's parts): the largest body, and the bytes all those under way may hold at once. */
  uploads?: { limit: number; memory: number };
  /** Serve the OpenAPI document (`/docs`, `/docs/json`) without a key (`ROSTER_DOCS_PUBLIC`; default true). */
  docsPublic?: boolean;
}

/**
 * Builds the gateway app.
 *
 * @example
 * const app = await buildGateway(services, { logger: api.log });
 * await app.listen({ port: 8081 });
 */
export async function buildGateway(s: GatewayServices, options: GatewayOptions = {}) {
  const uploadLimit = options.uploads?.limit ?? 64 * 1024 * 1024;
  const uploads = new UploadBudget(options.uploads?.memory ?? 256 * 1024 * 1024, uploadLimit);
  // Each request gets one line of its own (below), instead of fastify's two.
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger.child({ plane: 'gateway' }) } : {}), logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: (logger, bindings, opts) => new RequestLogger(logger, () => bindings, opts),
    bodyLimit: options.bodyLimit ?? 8 * 1024 * 1024,
    trustProxy: options.trustProxy ?? false,
    // Unique across nodes and restarts (fastify's own count starts again at each): the id an operator is given.
    genReqId: () => randomUUID(),
    // Ids (a fine-tuned model's name among them) up to 1,000 characters reach their routes; longer ones pass through.
    routerOptions: { maxParamLength: 1000 },
    // A path fastify cannot decode (`%E0%A4%A`) is refused in the client's own shape too.
    frameworkErrors: (error, req, reply) => sendError(reply.header(REQUEST_ID_HEADER, req.id), dialectOf(req), 400, 'invalid_request_error', error.message),
    // Each route's schemas compiled at its first use, not all at start.
    schemaController: { compilersFactory: lazyCompilers() },
  });
  app.decorateRequest('caller', undefined);
  // Before the routes, which it describes as they are declared.
  await app.register(swagger, gatewayDocs());
  await app.register(swaggerUi, { routePrefix: '/docs' });
  const docsPublic = options.docsPublic ?? true;
  // Every route's key is checked first, before its body is read or its query checked: a
  // client without a key makes the gateway read nothing, and learns only that.
  app.addHook('onRequest', async (req, reply) => {
    reply.header(REQUEST_ID_HEADER, req.id);
    const route = req.routeOptions.url;
    if (route === undefined || route === '/health' || (docsPublic && (route === '/' || route === '/docs' || route.startsWith('/docs/')))) return undefined;
    return (await authenticate(req, reply, dialectOf(req))) ? undefined : reply;
  });

  /** The caller of a route's request, which the hook above authenticated before its handler ran. */
  const callerOf = (req: FastifyRequest) => req.caller as KeyCaller;

  /** The key caller (kept on the request), or an answer in the client's dialect. */
  async function authenticate(req: FastifyRequest, reply: FastifyReply, dialect: Dialect): Promise<KeyCaller | undefined> {
    try {
      const key = keyOf(req);
      if (!key) throw new DomainError('unauthorized', 'send a Roster API key: Authorization: Bearer rk_… or x-api-key');
      const caller = await identify(s.callers, key, req.ip);
      if (caller.kind !== 'key') throw new DomainError('unauthorized', 'the gateway takes Roster API keys');
      if (caller.scopes.readOnly) throw new DomainError('forbidden', 'the key is read-only');
      req.caller = caller;
      if (caller.allowances) reply.headers(allowanceHeaders(caller.allowances, dialect));
      return caller;
    } catch (error) {
      await sendRefusal(reply, dialect, error, 'try again shortly');
      return undefined;
    }
  }

  /**
   * Forwards a JSON request for a model: chooses an account, retries others on 429, 5xx,
   * timeouts and connection errors before the first byte, and records usage.
   */
  async function forward(req: FastifyRequest, reply: FastifyReply, dialect: Dialect, route: string, out: Outgoing, caller: KeyCaller): Promise<FastifyReply> {
    const started = performance.now();
    const parent = textHeader(req.headers, 'traceparent');
    const span = recordedSpan(`gateway ${out.method} ${route}`, parent, { 'http.route': route, 'roster.key': caller.keyId }, SpanKind.SERVER);
    const seen: Seen = { tries: 0 };
    let ended: (() => Promise<void>) | undefined;
    try {
      // Requests under way at once, where the key or its user limits them.
      if (caller.limits.some((l) => l.limits.concurrentRequests)) {
        try {
          ended = await s.quotas.start(caller.limits);
        } catch (error) {
          return await sendRefusal(reply, dialect, error, 'limits cannot be checked right now');
        }
      }
      return await tryAccounts(req, reply, dialect, out, caller, traceparentOf(span) ?? parent, seen);
    } finally {
      await ended?.().catch(() => undefined);
      const outcome = seen.outcome ?? String(reply.statusCode);
      span.setAttributes({ 'http.response.status_code': reply.statusCode, 'roster.model': seen.model ?? '', 'roster.tries': seen.tries, 'roster.request_id': req.id });
      if (reply.statusCode >= 500) span.setStatus({ code: 2 });
      span.end();
      const ms = Math.round(performance.now() - started);
      instruments.gatewayDuration.record(ms / 1000, { model: seen.model ?? '', outcome });
      // One line per request; never a credential or a body.
      req.log.info({
        key: caller.keyId, model: seen.model, pool: seen.poolId, account: seen.accountId, upstreamRequestId: seen.upstreamRequestId, status: reply.statusCode, tries: seen.tries,
        inputTokens: seen.usage?.input, outputTokens: seen.usage?.output, estimated: seen.usage?.estimated, ms,
      }, 'gateway request');
      s.gateway.requests?.add({
        requestId: req.id, at: new Date(Date.now() - ms).toISOString(), userId: caller.user.userId, keyId: caller.keyId, method: req.method, path: req.url.split('?')[0]!.slice(0, 1000),
        model: seen.model ?? null, poolId: seen.poolId ?? null, accountId: seen.accountId ?? null, status: reply.statusCode, outcome, tries: seen.tries,
        inputTokens: seen.usage?.input ?? null, outputTokens: seen.usage?.output ?? null, estimated: seen.usage?.estimated ?? false, spend: seen.spend ?? null,
        durationMs: ms, upstreamRequestId: seen.upstreamRequestId ?? null,
      });
    }
  }

  /** What one request went through, for its log line, span and metrics. */
  interface Seen { tries: number; model?: string; poolId?: string; accountId?: string; upstreamRequestId?: string; usage?: TokenUsage; outcome?: string; spend?: number }

  /**
   * The account that made the kept objects a request names (none when it names none Roster
   * knows: the upstream answers), or why the request is refused: one is another user's
   * (as unknown to the caller as one never made), or they lie at different accounts.
   */
  async function pinOf(refers: KeptReference[] | undefined, caller: KeyCaller): Promise<{ owner?: KeptOwner; refused?: string }> {
    let pinned: { owner: KeptOwner; ref: KeptReference } | undefined;
    for (const ref of refers ?? []) {
      const owner = await s.gateway.ownerOf(ref.id).catch(() => undefined);
      if (!owner) continue;
      if (owner.userId !== caller.user.userId) return { refused: `${ref.field}: ${ref.id.slice(0, 200)} not found` };
      if (pinned && owner.accountId !== pinned.owner.accountId) {
        return { refused: `${ref.field}: ${ref.id.slice(0, 200)} is kept at another upstream account than ${pinned.ref.field} (${pinned.ref.id.slice(0, 200)}); one request may name the objects of one account` };
      }
      pinned ??= { owner, ref };
    }
    return { owner: pinned?.owner };
  }

  /**
   * The route a model names; or, for a model a fine-tuning job of the caller's made, the
   * route of the job and the account whose upstream holds the model (none for another
   * user's, as unknown as one never made).
   */
  async function routeOf(asked: string, caller: KeyCaller): Promise<{ route?: ResolvedRoute; tuned?: KeptOwner }> {
    try {
      return { route: s.gateway.route(asked) };
    } catch {
      const tuned = await s.gateway.ownerOf(asked).catch(() => undefined);
      if (tuned?.userId !== caller.user.userId) return {};
      try {
        return { route: s.gateway.route(tuned.model), tuned };
      } catch {
        return {};
      }
    }
  }

  async function tryAccounts(req: FastifyRequest, reply: FastifyReply, dialect: Dialect, out: Outgoing, caller: KeyCaller, traceparent: string | undefined, seen: Seen): Promise<FastifyReply> {
    // A request naming an object the upstream keeps (a response, a file, a vector store…) goes to the account that made it, and no other.
    const { owner, refused } = out.refers?.length ? await pinOf(out.refers, caller) : {};
    if (refused) return sendError(reply, dialect, 400, 'invalid_request_error', refused);
    const asked = out.asked ?? owner?.model;
    if (asked === undefined) return sendError(reply, dialect, 400, 'invalid_request_error', 'model: required (in the JSON body, a multipart form field or ?model=)');
    const { route: found, tuned } = await routeOf(asked, caller);
    if (!found) return sendError(reply, dialect, 404, 'not_found_error', `model ${asked.slice(0, 200)} is not served here`);
    let route = found;
    seen.model = route.model;
    if (caller.scopes.models !== null && !caller.scopes.models.includes(route.model)) return sendError(reply, dialect, 403, 'permission_error', `the key may not use model ${route.model}`);
    if (caller.scopes.pools !== null) route = { ...route, pools: route.pools.filter((p) => caller.scopes.pools!.includes(p.poolId)) };
    if (owner && tuned && owner.accountId !== tuned.accountId) {
      return sendError(reply, dialect, 400, 'invalid_request_error', `model: ${asked.slice(0, 200)} is kept at another upstream account than the objects the request names`);
    }
    const at = tuned ?? owner;
    if (at) {
      if (caller.scopes.pools !== null && !caller.scopes.pools.includes(at.poolId)) return sendError(reply, dialect, 403, 'permission_error', `the key may not use pool ${at.poolId}`);
      // A fine-tuned model goes upstream by its own name.
      const upstreamModel = tuned ? asked : upstreamModelAt(route, at.poolId);
      route = { ...route, upstreamModel, pools: [{ poolId: at.poolId, weight: 1, priority: 0, upstreamModel }] };
    }
    const { streaming, clientWantsUsage, endMarked } = out;
    // The body as most tries send it (a pool may name its own upstream model).
    const routePayload = out.body(route.upstreamModel);
    let held: Reservation[];
    try {
      const input = typeof routePayload === 'string' ? estimateTokens(routePayload) : 0;
      held = await s.quotas.reserve(caller.limits, spendOf(s.gateway.prices, route.model, { input, output: out.maxOutput }));
    } catch (error) {
      if (!(error instanceof DomainError)) return sendError(reply, dialect, 503, 'api_error', 'budgets cannot be checked right now', 2);
      return sendError(reply, dialect, 429, 'rate_limit_error', error.detail, error.retryAfterSeconds);
    }
    const headers = { ...s.upstreams.forwardable(req.headers), ...(out.contentType && routePayload !== undefined ? { 'content-type': out.contentType } : {}) };
    // A client that goes away before its answer is complete cancels the upstream request.
    const gone = new ClientGone();
    const onClose = () => !reply.raw.writableFinished && gone.abort();
    reply.raw.once('close', onClose);
    const tried = new Set<string>();
    /**
     * Tries that failed with a 5xx, a timeout or a broken connection, told to their accounts'
     * cooldown rules once the request's fate is known: all of them when another account
     * answers. When none does, the request itself may be what fails (a client can send one
     * that every account fails): an account that answered another request for the model
     * within the last minute is not blamed, and of the rest only the request's first
     * failure counts, so that one client's failing requests do not cool accounts that serve
     * everyone else.
     */
    const doubtful: Array<{ chosen: Chosen; outcome: 'server_error' | 'timeout' }> = [];
    const blame = async (answered: boolean) => {
      const failures = doubtful.splice(0);
      const now = Date.now();
      await Promise.all(failures.map((f, i) => {
        const unblamed = !answered && !s.gateway.blamed(f.chosen.accountId, route.model, i === 0, now);
        return s.gateway.failed(f.chosen, route.model, f.outcome, undefined, unblamed).catch(() => undefined);
      }));
    };
    let spent = 0;
    try {
      for (let attempt = 0; attempt <= s.gateway.settings.retries; attempt++) {
        const chosen = await s.gateway.choose(route, tried, undefined, at?.accountId, caller.keyId, gone);
        // A client that went away while its request waited for a place has left the line.
        if (gone.aborted && !('accountId' in chosen)) return clientGone(reply, dialect, () => undefined, seen);
        if (!('accountId' in chosen)) {
          if (chosen.retryAfterMs !== undefined) {
            const why = chosen.dailyLimit ? 'every account for this model has reached its daily limit' : 'every account for this model is cooling down';
            return sendError(reply, dialect, 429, 'rate_limit_error', why, Math.ceil(chosen.retryAfterMs / 1000));
          }
          return sendError(reply, dialect, 503, 'api_error', tried.size ? 'every account tried failed' : 'no account can serve this model now', 1);
        }
        tried.add(chosen.accountId);
        seen.tries++;
        Object.assign(seen, { poolId: chosen.poolId, accountId: chosen.accountId });
        // When spans are not recorded, none is made: the client's own traceparent goes upstream.
        const upstreamSpan = recordedSpan('upstream POST', traceparent, { 'roster.pool': chosen.poolId, 'roster.account': chosen.accountId, 'roster.model': route.model }, SpanKind.CLIENT);
        const upstreamParent = traceparentOf(upstreamSpan) ?? traceparent;
        const traced = upstreamParent ? { ...headers, traceparent: upstreamParent } : headers;
        const tryOutcome = (outcome: string) => {
          instruments.gatewayRequests.add(1, { pool: chosen.poolId, account: chosen.accountId, model: route.model, outcome });
          upstreamSpan.setAttribute('roster.outcome', outcome);
          upstreamSpan.end();
        };
        /** A try that failed before the first byte: counted, and the account's cooldown rules told. */
        const failedTry = async (outcome: string, cooldown: Exclude<Outcome, 'success'>, retryAfterSeconds?: number) => {
          tryOutcome(outcome);
          if (cooldown === 'server_error' || cooldown === 'timeout') doubtful.push({ chosen, outcome: cooldown });
          else await s.gateway.failed(chosen, route.model, cooldown, retryAfterSeconds).catch(() => undefined);
          record(caller, chosen, route, { input: 0, output: 0, estimated: false }, 1, cooldown);
        };
        try {
          const target = s.upstreams.targetOf((await s.allocators.get(chosen.poolId)).current.config?.providerId ?? '');
          if (!target) {
            tryOutcome('no_upstream');
            return sendError(reply, dialect, 502, 'api_error', `pool ${chosen.poolId} has no upstream`);
          }
          let res: Dispatcher.ResponseData;
          try {
            const upstreamModel = upstreamModelAt(route, chosen.poolId);
            const payload = upstreamModel === route.upstreamModel ? routePayload : out.body(upstreamModel);
            res = await s.upstreams.send(target, chosen.credentials, { method: out.method, path: out.path(upstreamModel), headers: traced, body: payload, signal: gone });
          } catch (error) {
            if (gone.aborted) return clientGone(reply, dialect, tryOutcome, seen);
            const timeout = (error as { code?: string }).code?.includes('TIMEOUT');
            await failedTry(timeout ? 'timeout' : 'connection_error', timeout ? 'timeout' : 'server_error');
            continue;
          }
          seen.upstreamRequestId = upstreamIdOf(res.headers);
          if (res.statusCode === 401 || res.statusCode === 403) {
            // The upstream refused the account's credential. Its answer may quote the credential
            // (OpenAI's does, masked), so the client never sees it; another account is tried.
            // A 401 on a route of the gateway's own says the credential is no good: the account
            // cools until it has new credentials (the refresher's next round gets them). A 403
            // (this request not allowed: a model, a region) or a 401 on a path a client chose
            // counts as a failure for the model, so that no client can cool accounts for all.
            await res.body.dump();
            req.log.warn({ pool: chosen.poolId, account: chosen.accountId, status: res.statusCode, upstreamRequestId: seen.upstreamRequestId }, 'the upstream refused an account\'s credential');
            await failedTry('credential_refused', res.statusCode === 401 && !out.anyPath ? 'refused' : 'server_error');
            continue;
          }
          if (res.statusCode === 402 || res.statusCode === 429 || res.statusCode >= 500) {
            // A 429 may say the account's quota is spent, not that it goes too fast.
            const said = res.statusCode === 429 ? await res.body.text().catch(() => '') : await res.body.dump().then(() => '', () => '');
            // (Not on a path a client chose, which no client may use to cool accounts for every model.)
            if (!out.anyPath && saysNoCredits(res.statusCode, said)) await failedTry('no_credits', 'no_credits');
            else await failedTry(String(res.statusCode), res.statusCode === 429 ? 'rate_limited' : 'server_error', retryAfterOf(res.headers, Date.now()));
            continue;
          }
          const streamed = streaming && String(res.headers['content-type'] ?? '').startsWith('text/event-stream');
          // A whole answer is read before its first byte goes to the client: one cut short is a connection error, and another account is tried.
          let text: string | undefined;
          // (A message batch's results pass as they come; an error instead is read whole, a credential it quotes scrubbed.)
          const results = out.resultsOf !== undefined && res.statusCode === 200;
          if (!streamed && !results && textual(res)) {
            try {
              text = await res.body.text();
            } catch {
              if (gone.aborted) return clientGone(reply, dialect, tryOutcome, seen);
              await failedTry('connection_error', 'server_error');
              continue;
            }
            // Anthropic says an account has no credits with a 400: another account is tried.
            if (res.statusCode === 400 && !out.anyPath && saysNoCredits(400, text)) {
              await failedTry('no_credits', 'no_credits');
              continue;
            }
          }
          s.gateway.answered(chosen.accountId, route.model);
          if (doubtful.length) await blame(true);
          reply.headers(s.upstreams.downstream(res.headers));
          const owned = { accountId: chosen.accountId, poolId: chosen.poolId, model: route.model, userId: caller.user.userId, keyId: caller.keyId };
          // Remembered before the client learns the id; a store out of reach leaves later requests for it to any account.
          // A finished batch, background response or run shows its tokens: the first read of it finished counts them.
          const late: LateTokens & { batch: boolean } = { input: 0, output: 0, batch: false };
          const keep = out.keeps && res.statusCode < 300
            ? async (answer: Record<string, unknown>) => {
              const shown = await s.gateway.keepShown(answer, owned).catch((err: unknown) => void req.log.warn({ err, pool: chosen.poolId, account: chosen.accountId }, 'the account of a kept object could not be remembered'));
              if (shown) Object.assign(late, { input: shown.input, output: shown.output, batch: shown.batch, finishedAt: shown.finishedAt });
            }
            : undefined;
          // An object its upstream no longer knows (deleted there, expired) is forgotten before the client hears so.
          if (out.names !== undefined && res.statusCode === 404) await s.gateway.forget(out.names).catch(() => undefined);
          const sse = streamed ? new SseUsage(dialect, clientWantsUsage, endMarked) : undefined;
          const sent = sse
            // A background response streamed is remembered as one: cut short, it runs on, and the sweeper counts it.
            ? await pipeStream(reply, res, dialect, sse, gone, keep && out.background ? (answer) => keep({ ...answer, background: true }) : keep)
            : text !== undefined ? await sendWhole(reply, res, text, s.upstreams.secretOf(target, chosen.credentials), keep)
            : results ? await sendResults(reply, res, out.resultsOf!, late)
            : await sendBytes(reply, res);
          // Counting tokens, or reading or managing a kept object (a response read again as a stream too), uses none;
          // but a read that first finds a batch, background response or run finished counts the tokens it shows.
          // Read by another key of its user, they go to the key that made it; finished on another usage day, to that day.
          const otherDay = late.finishedAt !== undefined && s.gateway.lateDay(late) !== s.gateway.dayOf(Date.now());
          if ((late.input || late.output) && owner?.keyId && (owner.keyId !== caller.keyId || otherDay)) {
            await countForMaker(s, { ...owner, keyId: owner.keyId }, late).catch((err: unknown) => req.log.warn({ err }, 'late tokens could not be charged'));
            Object.assign(late, { input: 0, output: 0 });
          }
          // A background response's or a run's stream counts its tokens once (a run's though its route is free).
          const lateStream = sse !== undefined && (out.background === true || sse.shown?.object === 'thread.run');
          const none = lateStream ? !(await streamCounts(sse)) : out.free;
          const usage = none ? { ...sent, input: late.input, output: late.output, estimated: false } : { ...sent, input: sent.input + late.input, output: sent.output + late.output };
          // A stream the client left is not the account's failure; what was read of it is counted.
          if (gone.aborted) usage.failed = false;
          seen.outcome = gone.aborted ? 'client_closed' : usage.failed ? 'failed_mid_stream' : String(res.statusCode);
          tryOutcome(seen.outcome);
          seen.usage = usage;
          instruments.gatewayTokens.add(usage.input, { pool: chosen.poolId, model: route.model, direction: 'input' });
          instruments.gatewayTokens.add(usage.output, { pool: chosen.poolId, model: route.model, direction: 'output' });
          if (usage.failed) await s.gateway.failed(chosen, route.model, 'server_error').catch(() => undefined);
          // A batch read finished counts its tokens alone (the read itself has none), at the batch prices.
          spent = seen.spend = record(caller, chosen, route, usage, usage.failed ? 1 : 0, undefined, late.batch);
          await s.quotas.chargeTokens(caller.limits, usage.input + usage.output).catch(() => undefined);
          return reply;
        } finally {
          chosen.done();
        }
      }
      return sendError(reply, dialect, 503, 'api_error', `every account tried (${tried.size}) failed`, 1);
    } finally {
      reply.raw.off('close', onClose);
      if (doubtful.length) await blame(false);
      await s.quotas.settle(held, spent).catch(() => undefined);
    }
  }

  /**
   * Whether the stream of a background response or of a run counts its tokens: only one
   * run to its end, and not after a read of it finished counted them (either runs on at
   * its upstream after a stream cut short, and is counted when read finished).
   */
  async function streamCounts(sse: SseUsage): Promise<boolean> {
    const id = sse.shown?.id;
    return sse.complete && typeof id === 'string' && await s.gateway.claimLateUsage(id).catch(() => false);
  }

  /** The client went away while the upstream was asked: nothing more is tried or sent, and the account is not blamed. */
  function clientGone(reply: FastifyReply, dialect: Dialect, tryOutcome: (outcome: string) => void, seen: Seen): FastifyReply {
    seen.outcome = 'client_closed';
    tryOutcome('client_closed');
    // 499, as nginx logs it: written to nobody, it ends the request's own bookkeeping.
    return sendError(reply, dialect, 499, 'api_error', 'the client closed the request');
  }

  /**
   * Counts one try in the usage meter (a failure with its kind: 429, timeout, or any other);
   * answers what it spent (nothing, for a try without tokens).
   */
  function record(caller: KeyCaller, chosen: Chosen, route: ResolvedRoute, usage: TokenUsage, failures: number, kind?: Exclude<Outcome, 'success'>, batch = false): number {
    const spend = spendOf(s.gateway.prices, route.model, usage, batch);
    s.gateway.count({
      keyId: caller.keyId, userId: caller.user.userId, accountId: chosen.accountId, poolId: chosen.poolId, model: route.model, day: s.gateway.dayOf(Date.now()),
      requests: 1, failures, inputTokens: usage.input, outputTokens: usage.output, estimated: usage.estimated ? 1 : 0, spend,
      rateLimited: kind === 'rate_limited' ? 1 : 0, timeouts: kind === 'timeout' ? 1 : 0,
    });
    return spend;
  }

  /** A whole JSON answer (its text read), as the upstream gave it; its usage read. */
  async function sendWhole(reply: FastifyReply, res: Dispatcher.ResponseData, whole: string, secret: string | undefined, keep?: (answer: Record<string, unknown>) => Promise<unknown>): Promise<TokenUsage & { failed: boolean }> {
    let text = whole;
    // An upstream's error may quote the credential it was sent; the client never sees it.
    if (res.statusCode >= 400 && secret) text = text.replaceAll(secret, '[account credential]');
    let json: Record<string, unknown> | undefined;
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      json = undefined;
    }
    let object = json !== null && typeof json === 'object' ? json : undefined;
    // A message batch's results are read through the gateway.
    const moved = object && onGateway(object);
    if (moved) [object, text] = [moved, JSON.stringify(moved)];
    if (keep && object) await keep(object);
    reply.code(res.statusCode).header('content-type', String(res.headers['content-type'] ?? 'application/json'));
    await reply.send(text);
    // A batch's, a background response's or a run's tokens are not known yet: counted when read finished.
    if (object && countsLater(object)) return { input: 0, output: 0, estimated: false, failed: false };
    const u = (object?.usage ?? {}) as Record<string, number>;
    // OpenAI's chat, completions and embeddings say prompt and completion tokens; its Responses API, as Anthropic, input and output.
    const input = u.prompt_tokens ?? u.input_tokens;
    const output = u.completion_tokens ?? u.output_tokens ?? 0;
    const known = typeof input === 'number';
    return { input: known ? input : estimateTokens(text), output: known ? output ?? 0 : 0, estimated: !known && res.statusCode < 400, failed: false };
  }

  /** An answer read as text (usage read from its JSON; a credential it quotes scrubbed): JSON, text, and every error. */
  const textual = (res: Dispatcher.ResponseData) => res.statusCode >= 400 || /json|^text\/|xml/i.test(String(res.headers['content-type'] ?? 'application/json'));

  /**
   * Passes a message batch's results (JSON lines) through as they come, summing their
   * tokens; the first read of them whole counts those (in `late`), no later one.
   */
  async function sendResults(reply: FastifyReply, res: Dispatcher.ResponseData, batchId: string, late: LateTokens & { batch: boolean }): Promise<TokenUsage & { failed: boolean }> {
    const tokens = new ResultsUsage();
    const decoder = new TextDecoder();
    const counted = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        tokens.push(decoder.decode(chunk, { stream: true }));
        done(null, chunk);
      },
      flush(done) {
        tokens.push(decoder.decode());
        tokens.end();
        done();
      },
    });
    reply.code(res.statusCode).header('content-type', String(res.headers['content-type'] ?? 'application/binary'));
    const whole = new Promise<boolean>((resolve) => {
      pipeline(res.body, counted, (err) => resolve(!err));
    });
    await reply.send(counted);
    // Results cut short (by the upstream, or a client that left) count nothing: a later read counts them whole.
    const read = await whole;
    if (read && await s.gateway.claimLateUsage(batchId).catch(() => false)) {
      // On the usage day the batch ended, as a read of it showed it ended (else today's).
      const shown = await s.gateway.shown(batchId).catch(() => undefined);
      const finishedAt = shown && finishedAtOf(shown);
      Object.assign(late, { input: tokens.input, output: tokens.output, batch: true, ...(finishedAt !== undefined ? { finishedAt } : {}) });
    }
    return { input: 0, output: 0, estimated: false, failed: !read };
  }

  /** Passes a binary answer (audio, images) through as it comes; it carries no token counts. */
  async function sendBytes(reply: FastifyReply, res: Dispatcher.ResponseData): Promise<TokenUsage & { failed: boolean }> {
    reply.code(res.statusCode).header('content-type', String(res.headers['content-type']));
    await reply.send(res.body);
    return { input: 0, output: 0, estimated: false, failed: false };
  }

  /** Passes an SSE stream through, reading usage on the way; an upstream that fails mid-stream ends the client's stream with an error event. */
  async function pipeStream(reply: FastifyReply, res: Dispatcher.ResponseData, dialect: Dialect, sse: SseUsage, gone: ClientGone, keep?: (answer: Record<string, unknown>) => Promise<unknown>): Promise<TokenUsage & { failed: boolean }> {
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(res.statusCode, { ...reply.getHeaders() as Record<string, string>, 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    let failed = false;
    try {
      for await (const chunk of res.body) {
        const out = sse.push(String(chunk));
        if (keep && sse.shown !== undefined) {
          await keep(sse.shown);
          keep = undefined;
        }
        if (out && !raw.write(out)) await new Promise((r) => { raw.once('drain', r); raw.once('close', r); });
      }
      const rest = sse.end();
      if (rest) raw.write(rest);
      if (!sse.complete) throw new Error('the upstream stream ended early');
    } catch {
      failed = true;
      if (!gone.aborted) raw.write(dialect === 'anthropic'
        ? `event: error\ndata: ${JSON.stringify({ type: 'error', error: { type: 'api_error', message: 'the upstream failed mid-stream' } })}\n\n`
        : `data: ${JSON.stringify({ error: { message: 'the upstream failed mid-stream', type: 'server_error', code: 'upstream_error' } })}\n\n`);
    }
    raw.end();
    const usage = sse.usage();
    return { ...usage, failed };
  }

  const json = (dialect: Dialect, path: string) => async (req: FastifyRequest, reply: FastifyReply) => {
    const caller = callerOf(req);
    return forward(req, reply, dialect, path, jsonOutgoing(dialect, path, (req.body ?? {}) as Record<string, unknown>), caller);
  };
  app.post('/v1/chat/completions', json('openai', '/v1/chat/completions'));
  app.post('/v1/responses', json('openai', '/v1/responses'));
  app.post('/v1/completions', json('openai', '/v1/completions'));
  app.post('/v1/embeddings', json('openai', '/v1/embeddings'));
  app.post('/v1/messages', json('anthropic', '/v1/messages'));
  app.post('/v1/messages/count_tokens', json('anthropic', '/v1/messages/count_tokens'));
  // The models this key may use, in the shape of the SDK that asks (Anthropic's sends `anthropic-version`).
  const modelInfo = (id: string, dialect: Dialect) => (dialect === 'anthropic'
    ? { type: 'model', id, display_name: id, created_at: '1970-01-01T00:00:00Z' }
    : { id, object: 'model', created: 0, owned_by: 'roster' });
  app.get('/v1/models', async (req) => {
    const dialect = dialectOf(req);
    const caller = callerOf(req);
    // The routes the key may use, then the caller's own fine-tuned models of those routes (the store out of reach: the routes alone).
    const tuned = await s.gateway.keptList({ userId: caller.user.userId, kind: 'fine_tuned_model', models: caller.scopes.models, pools: caller.scopes.pools, order: 'asc', limit: 1000 })
      .catch((err: unknown) => {
        req.log.warn({ err }, 'fine-tuned models could not be listed');
        return [];
      });
    const ids = [...s.gateway.models(caller.scopes.models), ...tuned.map((m) => (m as { id: string }).id)];
    const data = ids.map((id) => modelInfo(id, dialect));
    return dialect === 'anthropic' ? { data, has_more: false, first_id: ids[0] ?? null, last_id: ids.at(-1) ?? null } : { object: 'list', data };
  });
  app.get('/v1/models/:id', async (req, reply) => {
    const dialect = dialectOf(req);
    const caller = callerOf(req);
    const asked = (req.params as { id: string }).id;
    const { route } = await routeOf(asked, caller);
    const allowed = route !== undefined && (caller.scopes.models === null || caller.scopes.models.includes(route.model));
    return allowed ? modelInfo(asked, dialect) : sendError(reply, dialect, 404, 'not_found_error', `model ${asked.slice(0, 200)} is not served here`);
  });
  // Any other path and method: forwarded unchanged (query and body too, whatever its type) to
  // the upstream of the model's pool; the model is named in a JSON body, a multipart form or ?model=.
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  // An object the upstream keeps is read, changed, deleted or cancelled through the account that made it.
  const kept = (what: string, itself: boolean, given?: Dialect, results = false) => async (req: FastifyRequest, reply: FastifyReply) => {
    const dialect = given ?? dialectOf(req);
    const caller = callerOf(req);
    const id = (req.params as { id: string }).id;
    const owner = await s.gateway.ownerOf(id).catch(() => null);
    if (owner === null) return sendError(reply, dialect, 503, 'api_error', `${plural(what)} cannot be looked up right now`, 2);
    if (!owner || owner.userId !== caller.user.userId) return sendError(reply, dialect, 404, 'not_found_error', `${what} ${id.slice(0, 200)} was not made through this gateway by this user`);
    // A model a JSON body names (a run's, an assistant's new one) is a route's: sent on as the
    // upstream's name for it at the object's account. Else the object's own model routes the request.
    const named = isRecord(req.body) && typeof req.body.model === 'string';
    const out = passthrough(req.method, req.url, req.headers, req.body, { routeOnly: !named });
    // What the body names (a vector store's new file) must lie at the same account.
    return forward(req, reply, dialect, req.routeOptions.url ?? '/v1/*', {
      ...out, asked: named ? out.asked : owner.model, refers: [{ field: 'id', id }, ...out.refers ?? []], free: true, keeps: true,
      ...(itself && req.method === 'GET' ? { names: id } : {}), ...(results ? { resultsOf: id } : {}),
    }, caller);
  };
  app.route({ method: ['GET', 'DELETE'], url: '/v1/responses/:id', handler: kept('response', true) });
  app.route({ method: ['GET', 'POST'], url: '/v1/responses/:id/*', handler: kept('response', false) });
  app.route({ method: ['GET', 'DELETE'], url: '/v1/files/:id', handler: kept('file', true) });
  app.get('/v1/files/:id/content', kept('file', false));
  app.get('/v1/batches/:id', kept('batch', true));
  app.post('/v1/batches/:id/cancel', kept('batch', false));
  // A fine-tuned model is deleted at the account whose job made it.
  app.delete('/v1/models/:id', kept('fine-tuned model', false));
  // Anthropic's message batches: made through an account of the route their requests' model names, then kept there.
  app.post('/v1/messages/batches', async (req, reply) => {
    const caller = callerOf(req);
    const out = messageBatchOutgoing(req.body);
    if ('refused' in out) return sendError(reply, 'anthropic', 400, 'invalid_request_error', out.refused);
    return forward(req, reply, 'anthropic', '/v1/messages/batches', out, caller);
  });
  app.route({ method: ['GET', 'DELETE'], url: '/v1/messages/batches/:id', handler: kept('message batch', true, 'anthropic') });
  app.post('/v1/messages/batches/:id/cancel', kept('message batch', false, 'anthropic'));
  app.get('/v1/messages/batches/:id/results', kept('message batch', false, 'anthropic', true));
  /**
   * Makes an object the upstream keeps through an account of the route a model names, or of
   * the objects the body names (the model sent on, or only routing the request), or of the
   * object a query parameter of Roster's own names (`placedBy`, not sent upstream).
   */
  const made = (path: string, routeOnly: boolean, placedBy?: string) => async (req: FastifyRequest, reply: FastifyReply) => {
    const dialect = dialectOf(req);
    const caller = callerOf(req);
    const [pathname, search = ''] = req.url.split(/\?(.*)/s, 2) as [string, string?];
    const query = new URLSearchParams(search);
    const placed = placedBy ? query.get(placedBy) : null;
    if (placedBy) query.delete(placedBy);
    const out = passthrough('POST', query.size ? `${pathname}?${query}` : pathname, req.headers, req.body, { routeOnly });
    const refers = placed ? [{ field: placedBy!, id: placed }, ...out.refers ?? []] : out.refers;
    return forward(req, reply, dialect, path, { ...out, refers, free: true, keeps: true }, caller);
  };
  /**
   * Uploads may be large: their bytes are held within the gateway's upload budget (429 when
   * it is full, before their body is read) until they are answered.
   */
  const upload = {
    bodyLimit: uploadLimit,
    onRequest: async (req: FastifyRequest, reply: FastifyReply) => {
      const dialect = dialectOf(req);
      const caller = callerOf(req);
      const length = Number(req.headers['content-length']);
      const release = uploads.take(caller.keyId, Number.isFinite(length) ? Math.min(length, uploadLimit) : uploadLimit);
      if (!release) return sendError(reply, dialect, 429, 'rate_limit_error', 'uploads under way fill the gateway\'s upload memory; retry shortly', 1);
      reply.raw.once('close', release);
      return undefined;
    },
  };
  // A file is uploaded through an account of the route a model names (a form field or ?model=, not sent upstream).
  app.post('/v1/files', upload, made('/v1/files', true));
  // A large file goes in parts (OpenAI's Uploads API), each to the account of its upload.
  app.post('/v1/uploads/:id/parts', upload, kept('upload', false));
  // A batch runs at the account holding its input file.
  app.post('/v1/batches', async (req, reply) => {
    const caller = callerOf(req);
    const file = (req.body as { input_file_id?: unknown } | undefined)?.input_file_id;
    const owner = typeof file === 'string' ? await s.gateway.ownerOf(file).catch(() => null) : undefined;
    if (owner === null) return sendError(reply, 'openai', 503, 'api_error', 'files cannot be looked up right now', 2);
    if (!owner || owner.userId !== caller.user.userId) {
      return sendError(reply, 'openai', 400, 'invalid_request_error', `input_file_id: ${typeof file === 'string' ? `file ${file.slice(0, 200)} was not uploaded through this gateway by this user` : 'required'}`);
    }
    return forward(req, reply, 'openai', '/v1/batches', { ...passthrough('POST', req.url, req.headers, req.body, { routeOnly: true }), free: true, keeps: true }, caller);
  });
  // A user's own kept objects, as their upstreams last showed them: an upstream's list would show every user of a shared account.
  /**
   * A page of the caller's own objects of a kind (those its key's models and pools reach)
   * and whether more follow; undefined, answered 503, when the table cannot be read.
   */
  const ownPage = async (req: FastifyRequest, reply: FastifyReply, dialect: Dialect, kind: KeptKind, what: string, q: { order: 'asc' | 'desc'; limit: number; after?: string; purpose?: string; ids?: string[] }) => {
    const caller = callerOf(req);
    try {
      const data = await s.gateway.keptList({
        userId: caller.user.userId, kind, models: caller.scopes.models, pools: caller.scopes.pools, order: q.order, limit: q.limit + 1,
        ...(q.after !== undefined ? { after: q.after } : {}), ...(q.purpose !== undefined ? { purpose: q.purpose } : {}), ...(q.ids ? { ids: q.ids } : {}),
      }) as Array<{ id: string }>;
      return { page: data.slice(0, q.limit), more: data.length > q.limit };
    } catch {
      await sendError(reply, dialect, 503, 'api_error', `${plural(what)} cannot be listed right now`, 2);
      return undefined;
    }
  };
  const listed = (kind: KeptKind, what: string) => async (req: FastifyRequest, reply: FastifyReply) => {
    const q = req.query as { limit?: number; after?: string; order?: 'asc' | 'desc'; purpose?: string };
    const found = await ownPage(req, reply, 'openai', kind, what, { order: q.order ?? 'desc', limit: q.limit ?? 20, after: q.after, purpose: q.purpose });
    if (!found) return reply;
    const { page, more } = found;
    return { object: 'list', data: page, first_id: page[0]?.id ?? null, last_id: page.at(-1)?.id ?? null, has_more: more };
  };
  /**
   * Anthropic's lists, newest first: `after_id` pages to older ones, `before_id` to newer;
   * its Files API's cursor too (`page`, answered `next_page`: here the last id shown).
   */
  const anthropicListed = (kind: KeptKind, what: string) => async (req: FastifyRequest, reply: FastifyReply) => {
    const q = req.query as { limit?: number; after_id?: string; before_id?: string; page?: string };
    const newer = q.before_id !== undefined;
    const found = await ownPage(req, reply, 'anthropic', kind, what, { order: newer ? 'asc' : 'desc', limit: Math.min(q.limit ?? 20, 1000), after: q.before_id ?? q.after_id ?? q.page });
    if (!found) return reply;
    const { page, more } = found;
    if (newer) page.reverse();
    const last = page.at(-1)?.id ?? null;
    return { data: page, has_more: more, first_id: page[0]?.id ?? null, last_id: last, ...(kind === 'anthropic_file' ? { next_page: more && !newer ? last : null } : {}) };
  };
  const anthropicQuery = {
    limit: { type: 'integer', minimum: 1, maximum: 1000 }, after_id: { type: 'string', maxLength: 200 }, before_id: { type: 'string', maxLength: 200 }, page: { type: 'string', maxLength: 200 },
  };
  const listOptions = (purpose: boolean) => ({
    schema: {
      querystring: {
        type: 'object',
        properties: {
          limit: { type: 'integer', minimum: 1, maximum: 10_000 }, after: { type: 'string', maxLength: 200 }, order: { enum: ['asc', 'desc'] },
          // Files are Anthropic's too (its Files API), listed as it lists them.
          ...(purpose ? { purpose: { type: 'string', maxLength: 64 }, after_id: anthropicQuery.after_id, before_id: anthropicQuery.before_id, page: anthropicQuery.page } : {}),
        },
      },
    },
  });
  app.get('/v1/messages/batches', { schema: { querystring: { type: 'object', properties: anthropicQuery } } }, anthropicListed('message_batch', 'message batch'));
  const openaiFiles = listed('file', 'file');
  const anthropicFiles = anthropicListed('anthropic_file', 'file');
  app.get('/v1/files', listOptions(true), async (req, reply) => {
    if (dialectOf(req) === 'openai') return openaiFiles(req, reply);
    const q = req.query as Record<string, unknown>;
    // Files of a scope (a session's) are made upstream, not through Roster: refused rather than answered empty.
    if (q.scope_id !== undefined) return sendError(reply, 'anthropic', 400, 'invalid_request_error', 'scope_id: not supported by this gateway; list page by page');
    const ids = idsOf(q['ids[]'] ?? q.ids);
    if (ids === undefined) return anthropicFiles(req, reply);
    if (typeof ids === 'string') return sendError(reply, 'anthropic', 400, 'invalid_request_error', ids);
    if (q.page !== undefined || q.limit !== undefined) return sendError(reply, 'anthropic', 400, 'invalid_request_error', 'ids: not with page or limit');
    const found = await ownPage(req, reply, 'anthropic', 'anthropic_file', 'file', { order: 'desc', limit: ids.length, ids });
    if (!found) return reply;
    const { page } = found;
    return { data: page, has_more: false, first_id: page[0]?.id ?? null, last_id: page.at(-1)?.id ?? null, next_page: null };
  });
  app.get('/v1/batches', listOptions(false), listed('batch', 'batch'));
  // Other collections an upstream keeps per account: made through an account of the route a
  // model names (the body's model, or ?model= where the upstream takes none), or of the
  // objects the body names; listed from Roster's table; each read, changed and deleted at its account.
  // A thread made with its first run goes to the account of the assistant the body names.
  app.post('/v1/threads/runs', made('/v1/threads/runs', false));
  for (const { path, kind, what, modelSent, placedBy } of keptCollections) {
    app.post(path, made(path, !modelSent, placedBy));
    app.get(path, listOptions(false), listed(kind, what));
    app.route({ method: ['GET', 'POST', 'DELETE'], url: `${path}/:id`, handler: kept(what, true) });
    app.route({ method: ['GET', 'POST', 'DELETE'], url: `${path}/:id/*`, handler: kept(what, false) });
  }
  app.route({
    method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'], url: '/v1/*',
    handler: async (req, reply) => {
      const dialect = dialectOf(req);
      const caller = callerOf(req);
      const defaultRoute = s.gateway.settings.defaultRoutes?.[req.url.split('?')[0]!];
      return forward(req, reply, dialect, '/v1/*', { ...passthrough(req.method, req.url, req.headers, req.body, { defaultRoute }), anyPath: true }, caller);
    },
  });
  app.get('/health', async () => ({ status: 'ok' }));
  // A browser opening the gateway's address finds its routes.
  app.get('/', { schema: { hide: true } }, async (_req, reply) => reply.redirect('/docs'));
  app.setNotFoundHandler((req, reply) => sendError(reply, dialectOf(req), 404, 'not_found_error', `no route ${req.method} ${req.url.split('?')[0]}`));
  app.setErrorHandler((error: { statusCode?: number; message: string }, req, reply) => {
    const status = error.statusCode && error.statusCode < 500 ? error.statusCode : 500;
    if (status >= 500) req.log.error({ err: error }, 'gateway request failed');
    return sendError(reply, dialectOf(req), status, errorTypeOf(status), status >= 500 ? 'internal error' : error.message);
  });
  return app;
}
