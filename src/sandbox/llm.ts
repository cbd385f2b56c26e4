/**
 * The sandbox's model endpoints, OpenAI- and Anthropic-compatible, so that the gateway's
 * demo and tests need no internet: chat completions, responses (kept, continued, run in
 * the background, read whole or as a stream, and deleted), legacy completions and
 * messages (streaming or not, with usage), embeddings, models, token counts, files (and
 * uploads in parts) and batches (of chat completions; Anthropic's message batches), vector stores, fine-tuning
 * jobs, conversations, containers and assistants. Answers are deterministic: the reply
 * echoes the last user message; tokens are counted as words.
 *
 * A key is an access token the sandbox issued at `/login`, or any `sk-sandbox-…` key (the
 * static API keys an operator would import). Per key, `POST /_sandbox/llm` can set a
 * requests-per-minute limit (429 with `Retry-After`), a status to answer with (5xx), and a
 * failure after the first chunks of a stream.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { Type } from 'typebox';
import { addAssistantEndpoints } from './assistants.ts';
import { addFileEndpoints, type FileObject } from './files.ts';
import { addMessageBatchEndpoints } from './message-batches.ts';
import { addUploadEndpoints } from './uploads.ts';
import { addStoreEndpoints, SandboxObjects } from './stores.ts';

export const sandboxModels = ['sandbox-small', 'sandbox-large', 'sandbox-embed'];

/** What `POST /_sandbox/llm` sets, per key. */
export interface KeyBehaviour {
  /** Requests a minute this key may make; past it, 429 with Retry-After. */
  rpm?: number;
  /** Its 429s give Retry-After as an HTTP date, not seconds. */
  retryAfterDate?: boolean;
  /** Its batches (and message batches) say they completed this long before they are first read, seconds (a batch that finished yesterday). */
  finishedSecondsAgo?: number;
  /** Answer every request with this status (e.g. 500, 503). */
  status?: number;
  /** Answer 500 to a request whose body holds this text, as an upstream that fails on some content. */
  failOn?: string;
  /** Streams stop (the connection is cut) after this many content chunks. */
  failAfterChunks?: number;
  /** Streams pause this long after their first chunk, the connection open (an upstream that stops sending), ms. */
  stallMs?: number;
  /** Added latency before the first byte, ms. */
  latencyMs?: number;
  /** The key is refused (401), the answer quoting it masked, as OpenAI's does. */
  refuse?: boolean;
  /** Whole (not streamed) answers are cut: their headers and the body's first bytes are sent, then the connection is. */
  cutBody?: boolean;
  /** Its batches show no `usage` (as OpenAI's made before September 2025, and other upstreams): their tokens are in their output files only. */
  hideBatchUsage?: boolean;
  /** The account has no credits left: 429 `insufficient_quota` as OpenAI answers, 400 "credit balance is too low" as Anthropic does. */
  noCredits?: boolean;
  /** Audio is sent slowly: its first bytes, then the rest this many ms later. */
  slowBodyMs?: number;
}

const LlmBody = Type.Object({
  keys: Type.Record(Type.String(), Type.Object({
    rpm: Type.Optional(Type.Integer({ minimum: 0 })), retryAfterDate: Type.Optional(Type.Boolean()), finishedSecondsAgo: Type.Optional(Type.Integer({ minimum: 0 })), status: Type.Optional(Type.Integer({ minimum: 400, maximum: 599 })),
    failAfterChunks: Type.Optional(Type.Integer({ minimum: 0 })), latencyMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 600_000 })),
    refuse: Type.Optional(Type.Boolean()), cutBody: Type.Optional(Type.Boolean()), hideBatchUsage: Type.Optional(Type.Boolean()),
    noCredits: Type.Optional(Type.Boolean()), slowBodyMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 60_000 })),
    failOn: Type.Optional(Type.String({ minLength: 1 })), stallMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 600_000 })),
  }, { additionalProperties: false })),
  reset: Type.Optional(Type.Boolean()),
}, { additionalProperties: false });

/** Tokens as the sandbox counts them: words. */
export const tokensOf = (text: string) => text.split(/\s+/).filter(Boolean).length;

type Message = { role: string; content: string | Array<{ type: string; text?: string }> };
/** Whether a body's messages are messages: each a role and its content, text or a list of parts (as an upstream checks before it answers 400). */
const isMessages = (messages: unknown): messages is Message[] => Array.isArray(messages) && messages.every((m: Partial<Message> | null) =>
  typeof m === 'object' && m !== null && typeof m.role === 'string'
  && (typeof m.content === 'string' || (Array.isArray(m.content) && m.content.every((p) => typeof p === 'object' && p !== null && !Array.isArray(p)))));
const textOf = (content: Message['content']) => (typeof content === 'string' ? content : content.map((c) => c.text ?? '').join(' '));
const replyTo = (messages: Message[], maxTokens: number) => {
  const last = [...messages].reverse().find((m) => m.role === 'user');
  const words = `echo: ${last ? textOf(last.content) : ''}`.split(/\s+/).filter(Boolean);
  return words.slice(0, Math.max(1, maxTokens));
};
/** Whether an Anthropic `system` is one: absent, text, or a list of text blocks. */
const isSystem = (system: unknown): system is System => system === undefined || typeof system === 'string'
  || (Array.isArray(system) && system.every((b) => typeof b === 'object' && b !== null && typeof (b as { text?: unknown }).text === 'string'));
type System = string | Array<{ text: string }> | undefined;
const promptTokens = (messages: Message[], system?: System) => messages.reduce((n, m) => n + tokensOf(textOf(m.content)), system ? tokensOf(typeof system === 'string' ? system : system.map((b) => b.text).join(' ')) : 0);
/** Whether an embeddings `input` is one: text, a list of texts, token ids, or lists of token ids. */
const isEmbeddingInput = (input: unknown): input is string | Array<string | number | number[]> => typeof input === 'string'
  || (Array.isArray(input) && input.length > 0 && (input.every((x) => typeof x === 'string') || input.every((x) => Number.isInteger(x))
    || input.every((x) => Array.isArray(x) && x.every((t) => Number.isInteger(t)))));
const id = (prefix: string) => `${prefix}${randomBytes(12).toString('hex')}`;
/** The Files API's files that messages' documents and images name (`source: {type: 'file', file_id}`). */
const filesNamed = (messages: Message[]) => messages.flatMap((m) => (Array.isArray(m.content) ? m.content : []))
  .map((part) => (part as { source?: { type?: unknown; file_id?: unknown } }).source)
  .filter((source) => source?.type === 'file' && typeof source.file_id === 'string').map((source) => source!.file_id as string);

/** A chat completion's answer: its words, usage and whole object. */
function chatAnswer(body: { model: string; messages: Message[]; max_tokens?: number; max_completion_tokens?: number }) {
  const words = replyTo(body.messages, body.max_completion_tokens ?? body.max_tokens ?? 256);
  const usage = { prompt_tokens: promptTokens(body.messages), completion_tokens: words.length, total_tokens: 0 };
  usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
  const completion = {
    id: id('chatcmpl-'), object: 'chat.completion', created: Math.floor(Date.now() / 1000), model: body.model,
    choices: [{ index: 0, message: { role: 'assistant', content: words.join(' ') }, finish_reason: 'stop', logprobs: null }], usage,
  };
  return { words, usage, completion };
}

/** A message's answer (Anthropic's): its words, input tokens and whole object. */
function messageAnswer(body: { model: string; messages: Message[]; max_tokens: number; system?: System }) {
  const words = replyTo(body.messages, body.max_tokens);
  const input = promptTokens(body.messages, body.system);
  const message = {
    id: id('msg_'), type: 'message', role: 'assistant', model: body.model, content: [{ type: 'text', text: words.join(' ') }],
    stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: input, output_tokens: words.length },
  };
  return { words, input, message };
}

/** Counts of what the model endpoints answered, by key and outcome. */
export interface LlmStats {
  requests: Record<string, Record<string, number>>;
  /** Tokens the sandbox reported, summed over every answer it completed. */
  tokens: { input: number; output: number };
  /** The headers of the last model request (to check what a gateway forwards). */
  lastHeaders: Record<string, string>;
}

/**
 * Adds the model endpoints to a sandbox app; answers the stats and a way to check a key
 * (the sandbox's own issued tokens count too).
 *
 * @example
 * const llm = addModelEndpoints(app, (key) => issued.has(key));
 */
export function addModelEndpoints(app: FastifyInstance, issued: (key: string) => boolean, inject: (route: string) => (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>) {
  let behaviours = new Map<string, KeyBehaviour>();
  const windows = new Map<string, { start: number; count: number }>();
  let stats: LlmStats = { requests: {}, tokens: { input: 0, output: 0 }, lastHeaders: {} };
  const count = (key: string, outcome: string) => {
    const r = (stats.requests[key.slice(0, 24)] ??= {});
    r[outcome] = (r[outcome] ?? 0) + 1;
  };

  /** The key a request carries, checked, with its behaviour applied; undefined when the reply is sent. */
  const admit = async (req: FastifyRequest, reply: FastifyReply, anthropic: boolean): Promise<string | undefined> => {
    stats.lastHeaders = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
    // Either header, on every endpoint: which one a client sends is the provider's scheme (bearer or x-api-key).
    const key = /^bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? String(req.headers['x-api-key'] ?? '');
    const b = behaviours.get(key) ?? {};
    // The account's own rate limits, as upstreams tell each answer (a gateway keeps them from its clients).
    reply.header(anthropic ? 'anthropic-ratelimit-requests-remaining' : 'x-ratelimit-remaining-requests', '4999');
    // Its own id for the request, as OpenAI (`x-request-id`) and Anthropic (`request-id`) name theirs.
    reply.header(anthropic ? 'request-id' : 'x-request-id', `req_${randomBytes(12).toString('hex')}`);
    if (!key || !(key.startsWith('sk-sandbox-') || issued(key)) || b.refuse) {
      count(key || 'none', 'unauthorized');
      // Like OpenAI's: the refused key, masked but partly shown.
      const message = `Incorrect API key provided: ${key.slice(0, 6)}****${key.slice(-4)}`;
      await reply.code(401).send(anthropic ? { type: 'error', error: { type: 'authentication_error', message } } : { error: { message, type: 'invalid_request_error', code: 'invalid_api_key' } });
      return undefined;
    }
    if (b.noCredits) {
      count(key, 'no_credits');
      await (anthropic
        ? reply.code(400).send({ type: 'error', error: { type: 'invalid_request_error', message: 'Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.' } })
        : reply.code(429).send({ error: { message: 'You exceeded your current quota, please check your plan and billing details.', type: 'insufficient_quota', code: 'insufficient_quota' } }));
      return undefined;
    }
    if (b.latencyMs) {
      await sleep(b.latencyMs);
      // Like a real upstream: a request whose client went away meanwhile is not answered (nor counted as served).
      if (req.raw.socket.destroyed) {
        count(key, 'gone');
        return undefined;
      }
    }
    if (b.rpm !== undefined) {
      const now = Date.now();
      const w = windows.get(key);
      const current = w && now - w.start < 60_000 ? w : { start: now, count: 0 };
      windows.set(key, current);
      if (current.count >= b.rpm) {
        count(key, '429');
        const retry = Math.max(1, Math.ceil((current.start + 60_000 - now) / 1000));
        await reply.code(429).header('retry-after', b.retryAfterDate ? new Date(Date.now() + retry * 1000).toUTCString() : String(retry)).send(anthropic ? { type: 'error', error: { type: 'rate_limit_error', message: 'rate limited' } } : { error: { message: 'rate limited', type: 'rate_limit_error' } });
        return undefined;
      }
      current.count++;
    }
    const streamed = () => (req.body as { stream?: unknown } | undefined)?.stream === true || (req.query as { stream?: string }).stream === 'true';
    if (b.cutBody && !streamed()) {
      count(key, 'cut');
      reply.hijack();
      reply.raw.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      reply.raw.write('{"id":"cut short');
      await sleep(20);
      reply.raw.destroy();
      return undefined;
    }
    const status = b.status ?? (b.failOn !== undefined && JSON.stringify(req.body ?? '').includes(b.failOn) ? 500 : undefined);
    if (status) {
      count(key, String(status));
      await reply.code(status).send(anthropic ? { type: 'error', error: { type: 'api_error', message: 'injected failure' } } : { error: { message: 'injected failure', type: 'server_error' } });
      return undefined;
    }
    return key;
  };

  /**
   * Writes an SSE stream chunk by chunk, as the key's behaviour says: cut after
   * `failAfterChunks` chunks, or paused `stallMs` after the first (answered false when the
   * client went away meanwhile).
   */
  const stream = async (reply: FastifyReply, chunks: string[], b: KeyBehaviour | undefined) => {
    const failAfter = b?.failAfterChunks;
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    for (let i = 0; i < chunks.length; i++) {
      if (i === 1 && b?.stallMs) {
        await new Promise((r) => setTimeout(r, b.stallMs));
        if (reply.raw.destroyed) return false;
      }
      if (failAfter !== undefined && i >= failAfter) {
        // What was written reaches the client first; then the connection is cut.
        await new Promise((r) => setTimeout(r, 20));
        reply.raw.destroy();
        return false;
      }
      reply.raw.write(chunks[i]);
      if (i % 8 === 7) await new Promise((r) => setImmediate(r));
    }
    reply.raw.end();
    return true;
  };

  /** Adds a completed answer's tokens to the stats. */
  const served = (key: string, input: number, output: number) => {
    count(key, '200');
    stats.tokens.input += input;
    stats.tokens.output += output;
  };

  app.get('/v1/models', async (req, reply) => {
    if (!(await admit(req, reply, false))) return reply;
    return { object: 'list', data: sandboxModels.map((m) => ({ id: m, object: 'model', created: 1_700_000_000, owned_by: 'sandbox' })) };
  });

  /** The vector stores, fine-tuning jobs, conversations and containers keys made (Responses read conversations). */
  const objects = new SandboxObjects();
  /** OpenAI's answer to a model the key may not use (another key's fine-tuned model). */
  const unknownModel = (reply: FastifyReply, key: string, model: string) => {
    count(key, '404');
    return reply.code(404).send({ error: { message: `The model '${model}' does not exist or you do not have access to it.`, type: 'invalid_request_error', param: null, code: 'model_not_found' } });
  };

  app.post('/v1/chat/completions', { preHandler: inject('chat') }, async (req, reply) => {
    const key = await admit(req, reply, false);
    if (!key) return reply;
    const body = req.body as { model: string; messages: Message[]; stream?: boolean; stream_options?: { include_usage?: boolean }; max_tokens?: number; max_completion_tokens?: number };
    if (!body || !isMessages(body.messages) || typeof body.model !== 'string') return reply.code(400).send({ error: { message: 'model and messages are required', type: 'invalid_request_error' } });
    if (!objects.mayUse(body.model, key)) return unknownModel(reply, key, body.model);
    const { words, usage, completion } = chatAnswer(body);
    const { id: completionId, created } = completion;
    if (!body.stream) {
      served(key, usage.prompt_tokens, usage.completion_tokens);
      return completion;
    }
    const chunk = (choices: unknown[], extra: object = {}) => `data: ${JSON.stringify({ id: completionId, object: 'chat.completion.chunk', created, model: body.model, choices, ...extra })}\n\n`;
    const chunks = [
      chunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]),
      ...words.map((w, i) => chunk([{ index: 0, delta: { content: i ? ` ${w}` : w }, finish_reason: null }])),
      chunk([{ index: 0, delta: {}, finish_reason: 'stop' }]),
      ...(body.stream_options?.include_usage ? [chunk([], { usage })] : []),
      'data: [DONE]\n\n',
    ];
    const whole = await stream(reply, chunks, behaviours.get(key));
    if (whole) served(key, usage.prompt_tokens, usage.completion_tokens);
    else count(key, 'cut');
    return reply;
  });

  /** A kept response: its key, its object and events when done, and, while queued in the background, the usage its run will show. */
  type KeptResponse = { key: string; response: object; events: string[]; queued?: { usage: { input_tokens: number; output_tokens: number } } };
  /** Responses kept (unless asked `store: false`), by id, the latest 10,000: readable and continued with the key that made them only. */
  const kept = new Map<string, KeptResponse>();
  const keep = (responseId: string, entry: KeptResponse) => {
    kept.set(responseId, entry);
    if (kept.size > 10_000) kept.delete(kept.keys().next().value!);
  };
  const unknownResponse = (reply: FastifyReply, responseId: string, param?: string) => reply.code(param ? 400 : 404).send({
    error: { message: `${param ? 'Previous response' : 'Response'} with id '${responseId}' not found.`, type: 'invalid_request_error', param: param ?? null, code: param ? 'previous_response_not_found' : null },
  });

  // The Responses API: `input` a string or messages, `instructions` counted as input.
  app.post('/v1/responses', { preHandler: inject('responses') }, async (req, reply) => {
    const key = await admit(req, reply, false);
    if (!key) return reply;
    const body = req.body as {
      model: string; input: string | Message[]; instructions?: string; max_output_tokens?: number; stream?: boolean; store?: boolean; background?: boolean;
      previous_response_id?: string; conversation?: string | { id: string };
    };
    if (!body || typeof body.model !== 'string' || (typeof body.input !== 'string' && !isMessages(body.input))) return reply.code(400).send({ error: { message: 'model and input are required', type: 'invalid_request_error' } });
    if (!objects.mayUse(body.model, key)) return unknownModel(reply, key, body.model);
    if (body.background === true && body.store === false) return reply.code(400).send({ error: { message: 'Background mode requires store=true.', type: 'invalid_request_error', param: 'background' } });
    if (body.previous_response_id !== undefined && kept.get(body.previous_response_id)?.key !== key) {
      count(key, '400');
      return unknownResponse(reply, body.previous_response_id, 'previous_response_id');
    }
    // A conversation (its id, or an object with one) must be this key's own.
    const conversation = typeof body.conversation === 'string' ? body.conversation : body.conversation?.id;
    if (conversation !== undefined && !objects.owns(conversation, key)) {
      count(key, '404');
      return reply.code(404).send({ error: { message: `Conversation with id '${conversation}' not found.`, type: 'invalid_request_error', param: 'conversation', code: null } });
    }
    const messages: Message[] = typeof body.input === 'string' ? [{ role: 'user', content: body.input }] : body.input;
    const words = replyTo(messages, body.max_output_tokens ?? 256);
    const usage = {
      input_tokens: promptTokens(messages, body.instructions), input_tokens_details: { cached_tokens: 0 },
      output_tokens: words.length, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 0,
    };
    usage.total_tokens = usage.input_tokens + usage.output_tokens;
    const itemId = id('msg_');
    const responseId = id('resp_');
    const response = (status: string, text: string | undefined, extra: object = {}) => ({
      id: responseId, object: 'response', previous_response_id: body.previous_response_id ?? null, created_at: Math.floor(Date.now() / 1000), status, model: body.model, error: null, incomplete_details: null,
      instructions: body.instructions ?? null, max_output_tokens: body.max_output_tokens ?? null, parallel_tool_calls: true, tool_choice: 'auto', tools: [], background: body.background === true,
      output: text === undefined ? [] : [{ type: 'message', id: itemId, status: 'completed', role: 'assistant', content: [{ type: 'output_text', text, annotations: [] }] }],
      ...extra,
    });
    const text = words.join(' ');
    const completed = response('completed', text, { usage });
    let sequence = 0;
    const event = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence++, ...data })}\n\n`;
    const part = { output_index: 0, content_index: 0, item_id: itemId };
    const chunks = [
      event('response.created', { response: response('in_progress', undefined) }),
      event('response.output_item.added', { output_index: 0, item: { type: 'message', id: itemId, status: 'in_progress', role: 'assistant', content: [] } }),
      event('response.content_part.added', { ...part, part: { type: 'output_text', text: '', annotations: [] } }),
      ...words.map((w, i) => event('response.output_text.delta', { ...part, delta: i ? ` ${w}` : w, logprobs: [] })),
      event('response.output_text.done', { ...part, text, logprobs: [] }),
      event('response.content_part.done', { ...part, part: { type: 'output_text', text, annotations: [] } }),
      event('response.output_item.done', { output_index: 0, item: { type: 'message', id: itemId, status: 'completed', role: 'assistant', content: [{ type: 'output_text', text, annotations: [] }] } }),
      event('response.completed', { response: completed }),
    ];
    // Kept with its events, which a read with ?stream=true replays.
    if (body.store !== false) keep(responseId, { key, response: completed, events: chunks });
    // In the background (not streamed), it runs when first read: its usage shows then.
    if (body.background === true && !body.stream) {
      kept.get(responseId)!.queued = { usage };
      count(key, '200');
      return response('queued', undefined, { usage: null });
    }
    if (!body.stream) {
      served(key, usage.input_tokens, usage.output_tokens);
      return completed;
    }
    const whole = await stream(reply, chunks, behaviours.get(key));
    if (whole) served(key, usage.input_tokens, usage.output_tokens);
    else count(key, 'cut');
    return reply;
  });

  app.get('/v1/responses/:id', async (req, reply) => {
    const key = await admit(req, reply, false);
    if (!key) return reply;
    const found = kept.get((req.params as { id: string }).id);
    if (found?.key !== key) return unknownResponse(reply, (req.params as { id: string }).id);
    const { stream: streamed, starting_after: after } = req.query as { stream?: string; starting_after?: string };
    if (found.queued) {
      // A background response runs now: its tokens are used here.
      served(key, found.queued.usage.input_tokens, found.queued.usage.output_tokens);
      delete found.queued;
    } else count(key, '200');
    if (streamed !== 'true') return found.response;
    // Its events again, those after `starting_after` (a sequence number).
    await stream(reply, found.events.slice(after === undefined ? 0 : Number(after) + 1), behaviours.get(key));
    return reply;
  });
  app.delete('/v1/responses/:id', async (req, reply) => {
    const key = await admit(req, reply, false);
    if (!key) return reply;
    const responseId = (req.params as { id: string }).id;
    if (kept.get(responseId)?.key !== key) return unknownResponse(reply, responseId);
    kept.delete(responseId);
    count(key, '200');
    return { id: responseId, object: 'response', deleted: true };
  });

  // Legacy completions: `prompt` a string or strings; a stream ends with [DONE], its usage chunk when asked.
  app.post('/v1/completions', { preHandler: inject('completions') }, async (req, reply) => {
    const key = await admit(req, reply, false);
    if (!key) return reply;
    const body = req.body as { model: string; prompt: string | string[]; max_tokens?: number; stream?: boolean; stream_options?: { include_usage?: boolean } };
    if (!body || typeof body.model !== 'string' || body.prompt === undefined) return reply.code(400).send({ error: { message: 'model and prompt are required', type: 'invalid_request_error' } });
    const prompt = Array.isArray(body.prompt) ? body.prompt.join(' ') : String(body.prompt);
    const words = replyTo([{ role: 'user', content: prompt }], body.max_tokens ?? 16);
    const usage = { prompt_tokens: tokensOf(prompt), completion_tokens: words.length, total_tokens: tokensOf(prompt) + words.length };
    const completion = (choices: unknown[], extra: object = {}) => ({ id: id('cmpl-'), object: 'text_completion', created: Math.floor(Date.now() / 1000), model: body.model, choices, ...extra });
    if (!body.stream) {
      served(key, usage.prompt_tokens, usage.completion_tokens);
      return completion([{ index: 0, text: words.join(' '), finish_reason: 'stop', logprobs: null }], { usage });
    }
    const chunk = (choices: unknown[], extra: object = {}) => `data: ${JSON.stringify(completion(choices, extra))}\n\n`;
    const chunks = [
      ...words.map((w, i) => chunk([{ index: 0, text: i ? ` ${w}` : w, finish_reason: i === words.length - 1 ? 'stop' : null, logprobs: null }])),
      ...(body.stream_options?.include_usage ? [chunk([], { usage })] : []),
      'data: [DONE]\n\n',
    ];
    const whole = await stream(reply, chunks, behaviours.get(key));
    if (whole) served(key, usage.prompt_tokens, usage.completion_tokens);
    else count(key, 'cut');
    return reply;
  });

  app.post('/v1/embeddings', { preHandler: inject('embeddings') }, async (req, reply) => {
    const key = await admit(req, reply, false);
    if (!key) return reply;
    const body = req.body as { model: string; input: unknown };
    if (!isEmbeddingInput(body?.input)) return reply.code(400).send({ error: { message: '\'$.input\' is invalid: text, texts or token ids', type: 'invalid_request_error', param: 'input', code: null } });
    const inputs = (Array.isArray(body.input) ? body.input : [body.input]).map((x) => (typeof x === 'string' ? x : 'tokens'));
    const tokens = inputs.reduce((n, s) => n + tokensOf(s), 0);
    served(key, tokens, 0);
    return {
      object: 'list', model: body.model,
      data: inputs.map((s, index) => ({ object: 'embedding', index, embedding: Array.from({ length: 8 }, (_, i) => ((s.length * (i + 1)) % 97) / 97) })),
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    };
  });

  // A route the gateway has none of its own for (it passes through): nothing is ever flagged.
  app.post('/v1/moderations', async (req, reply) => {
    const key = await admit(req, reply, false);
    if (!key) return reply;
    const body = req.body as { model?: string; input?: unknown } | undefined;
    served(key, 0, 0);
    return { id: `modr-${randomBytes(12).toString('hex')}`, model: body?.model ?? 'sandbox-moderation', results: [{ flagged: false, categories: {}, category_scores: {} }] };
  });

  app.post('/v1/messages/count_tokens', async (req, reply) => {
    if (!(await admit(req, reply, true))) return reply;
    const body = req.body as { messages?: unknown; system?: unknown } | undefined;
    if (!body || !isMessages(body.messages) || !isSystem(body.system)) return reply.code(400).send({ type: 'error', error: { type: 'invalid_request_error', message: 'messages: a list of messages; system: text or text blocks' } });
    return { input_tokens: promptTokens(body.messages, body.system) };
  });

  /** The files the scope below keeps, by id for a key (set when it registers). */
  let fileOf: ((id: string, key: string) => FileObject | undefined) | undefined;
  app.post('/v1/messages', { preHandler: inject('messages') }, async (req, reply) => {
    const key = await admit(req, reply, true);
    if (!key) return reply;
    const body = req.body as { model: string; messages: Message[]; max_tokens: number; stream?: boolean; system?: System };
    if (!body || !isMessages(body.messages) || typeof body.max_tokens !== 'number' || !isSystem(body.system)) return reply.code(400).send({ type: 'error', error: { type: 'invalid_request_error', message: 'messages and max_tokens are required; system is text or text blocks' } });
    // A document or image from the Files API must be this account's.
    const unknownFile = filesNamed(body.messages).find((fileId) => !fileOf?.(fileId, key));
    if (unknownFile) return reply.code(404).send({ type: 'error', error: { type: 'not_found_error', message: `File not found: ${unknownFile}` } });
    const { words, input, message } = messageAnswer(body);
    const messageId = message.id;
    if (!body.stream) {
      served(key, input, words.length);
      return message;
    }
    const event = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
    const chunks = [
      event('message_start', { message: { id: messageId, type: 'message', role: 'assistant', model: body.model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: input, output_tokens: 1 } } }),
      event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
      ...words.map((w, i) => event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: i ? ` ${w}` : w } })),
      event('content_block_stop', { index: 0 }),
      event('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: words.length } }),
      event('message_stop', {}),
    ];
    const whole = await stream(reply, chunks, behaviours.get(key));
    if (whole) served(key, input, words.length);
    else count(key, 'cut');
    return reply;
  });

  // Any other /v1 path (images, audio…), any method and body: an echo of what arrived,
  // so that a gateway's pass-through can be checked byte for byte; /v1/audio/speech answers audio bytes.
  void app.register(async (scope) => {
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    const files = addFileEndpoints(scope, admit, (body) => chatAnswer(body).completion, count, (key) => behaviours.get(key)?.hideBatchUsage !== true,
      (key) => Math.floor(Date.now() / 1000) - (behaviours.get(key)?.finishedSecondsAgo ?? 0));
    fileOf = files.fileOf;
    addUploadEndpoints(scope, admit, count, files);
    addStoreEndpoints(scope, admit, count, objects, fileOf);
    addAssistantEndpoints(scope, admit, count, objects, (body) => chatAnswer(body).completion);
    addMessageBatchEndpoints(scope, admit, count, (params) => messageAnswer(params).message, (key) => Date.now() - (behaviours.get(key)?.finishedSecondsAgo ?? 0) * 1000);
    scope.route({
      method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'], url: '/v1/*',
      handler: async (req, reply) => {
        const key = await admit(req, reply, false);
        if (!key) return reply;
        count(key, '200');
        const raw = Buffer.isBuffer(req.body) ? req.body : undefined;
        if (req.url.startsWith('/v1/audio/speech')) {
          const audio = Buffer.concat([Buffer.from([0xff, 0xfb, 0x90, 0x00]), Buffer.alloc(60, 0x55)]);
          const slow = behaviours.get(key)?.slowBodyMs;
          if (!slow) return reply.type('audio/mpeg').send(audio);
          const body = new PassThrough();
          body.write(audio.subarray(0, 4));
          setTimeout(() => body.end(audio.subarray(4)), slow);
          return reply.type('audio/mpeg').send(body);
        }
        const echo = { method: req.method, url: req.url, contentType: req.headers['content-type'] ?? null, json: raw ? null : req.body ?? null, text: raw?.toString('utf8') ?? null };
        // A JSON body asking for a stream gets the echo as an event, then a usage chunk; no end marker (as some APIs send none).
        if ((req.body as { stream?: unknown } | undefined)?.stream !== true) return echo;
        await stream(reply, [`data: ${JSON.stringify(echo)}\n\n`, `data: ${JSON.stringify({ choices: [], usage: { prompt_tokens: 2, completion_tokens: 5, total_tokens: 7 } })}\n\n`], undefined);
        return reply;
      },
    });
  });

  app.post('/_sandbox/llm', { schema: { body: LlmBody } }, async (req) => {
    const body = req.body as { keys: Record<string, KeyBehaviour>; reset?: boolean };
    if (body.reset) {
      behaviours = new Map();
      windows.clear();
    }
    for (const [key, b] of Object.entries(body.keys)) behaviours.set(key, b);
    return { keys: behaviours.size };
  });
  app.get('/_sandbox/llm/stats', async () => stats);
  app.post('/_sandbox/llm/reset-stats', async () => {
    stats = { requests: {}, tokens: { input: 0, output: 0 }, lastHeaders: {} };
    return { ok: true };
  });
}
