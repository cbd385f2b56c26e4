/**
 * The gateway's OpenAPI document (`/docs`, `/docs/json` on the gateway's port): its routes,
 * their keys and the answers they can give, described loosely, since bodies and answers are
 * OpenAI's and Anthropic's own (their API references say the rest). Only the document is
 * described: nothing here checks a request (`transform` never touches a route's schema).
 */
import type { SwaggerOptions } from '@fastify/swagger';

/** The header that carries the gateway's id of a request on every answer: the `reqId` of its log line. */
export const REQUEST_ID_HEADER = 'x-roster-request-id';

/** A route as the document shows it: its group, what it does, and the JSON body it takes. */
interface RouteDoc {
  tag: 'OpenAI' | 'Anthropic' | 'Kept objects' | 'Pass-through' | 'Health';
  summary: string;
  /** Required fields, then the fields worth naming; every other field passes upstream too. */
  body?: [string[], string[]];
}

/** The routes with a page of their own in OpenAI's or Anthropic's reference, by method(s) and URL. */
const ROUTES: Record<string, RouteDoc> = {
  'POST /v1/chat/completions': { tag: 'OpenAI', summary: 'A chat completion (an SSE stream with `stream: true`)', body: [['model', 'messages'], ['stream', 'stream_options', 'max_tokens']] },
  'POST /v1/responses': { tag: 'OpenAI', summary: 'A response (the Responses API; kept at the account that made it unless `store: false`)', body: [['model', 'input'], ['stream', 'store', 'background', 'previous_response_id']] },
  'POST /v1/completions': { tag: 'OpenAI', summary: 'A completion (the legacy API)', body: [['model', 'prompt'], ['stream', 'max_tokens']] },
  'POST /v1/embeddings': { tag: 'OpenAI', summary: 'Embeddings of the input', body: [['model', 'input'], []] },
  'GET /v1/models': { tag: 'OpenAI', summary: 'The models this key may use (with `anthropic-version`, in Anthropic\'s shape)' },
  'GET /v1/models/:id': { tag: 'OpenAI', summary: 'One model this key may use, a fine-tuned one of its user\'s among them' },
  'POST /v1/messages': { tag: 'Anthropic', summary: 'A message (an SSE stream with `stream: true`)', body: [['model', 'messages', 'max_tokens'], ['stream', 'system']] },
  'POST /v1/messages/count_tokens': { tag: 'Anthropic', summary: 'The tokens a message would take (counts no usage)', body: [['model', 'messages'], ['system']] },
  'POST /v1/messages/batches': { tag: 'Anthropic', summary: 'A message batch (its requests of one model), kept at the account that made it', body: [['requests'], []] },
  'GET /v1/messages/batches': { tag: 'Anthropic', summary: 'The caller\'s message batches' },
  'GET,DELETE /v1/messages/batches/:id': { tag: 'Anthropic', summary: 'Read or delete a message batch, through the account that made it' },
  'POST /v1/messages/batches/:id/cancel': { tag: 'Anthropic', summary: 'Cancel a message batch' },
  'GET /v1/messages/batches/:id/results': { tag: 'Anthropic', summary: 'A message batch\'s results (JSON Lines; their tokens counted once)' },
  'POST /v1/files': { tag: 'Kept objects', summary: 'Upload a file (multipart; OpenAI\'s and Anthropic\'s Files APIs), kept at the account that made it' },
  'GET /v1/files': { tag: 'Kept objects', summary: 'The caller\'s files' },
  'POST /v1/batches': { tag: 'OpenAI', summary: 'A batch over an uploaded file, run at the account that holds the file', body: [['input_file_id', 'endpoint', 'completion_window'], []] },
  'GET /v1/batches': { tag: 'OpenAI', summary: 'The caller\'s batches' },
  'POST /v1/batches/:id/cancel': { tag: 'Kept objects', summary: 'Cancel one of the caller\'s batches, through the account that runs it' },
  'DELETE /v1/models/:id': { tag: 'Kept objects', summary: 'Delete a fine-tuned model of the caller\'s, through the account that made it' },
  'GET /v1/files/:id/content': { tag: 'Kept objects', summary: 'A file\'s content (bytes), through the account that holds it (another user\'s is 404)' },
  'POST /v1/uploads/:id/parts': { tag: 'Kept objects', summary: 'Add a part to an upload (multipart), at the account that holds it' },
  'POST /v1/threads/runs': { tag: 'Kept objects', summary: 'Make a thread and run it, kept at the account that made them', body: [['assistant_id'], ['thread', 'stream']] },
  'GET /health': { tag: 'Health', summary: 'The gateway answers (no key needed)' },
};

const ERROR = {
  type: 'object',
  description: 'OpenAI\'s `{error: {message, type, code}}`, or on Anthropic\'s routes and with `anthropic-version` Anthropic\'s `{type: "error", error: {type, message}}`',
  additionalProperties: true,
} as const;
/** The answers every route can give, once in the document's components (each operation names them). */
const ANSWERS = {
  Upstream: {
    description: 'The upstream\'s answer as it gave it (JSON; an SSE stream when the request asks for one; bytes for file contents)',
    content: { 'application/json': { schema: { type: 'object', additionalProperties: true } }, 'text/event-stream': { schema: { type: 'string' } } },
  },
  Refused: {
    description: '401 without a valid key; 403 a model or pool outside the key\'s scopes; 404 a model not served or an object not the caller\'s; '
      + '429 a limit of the key or its user, or every account cooling (`Retry-After`); else the upstream\'s own refusal',
    content: { 'application/json': { schema: ERROR } },
  },
  Failed: {
    description: '502 a pool without an upstream; 503 no account could answer (`Retry-After`); else the last upstream error',
    content: { 'application/json': { schema: ERROR } },
  },
} as const;
const ref = (name: keyof typeof ANSWERS) => ({ $ref: `#/components/responses/${name}` });
/** What each operation answers: references to `ANSWERS`, which every route shares. */
const RESPONSES = { 200: ref('Upstream'), '4XX': ref('Refused'), '5XX': ref('Failed') };
/** The keys of a path item that are operations. */
const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);
/** The answer's request id, on every answer. */
const REQUEST_ID = { $ref: '#/components/headers/RequestId' };

/** Collections whose path does not read as their name. */
const NAMES: Record<string, string> = { 'fine_tuning/jobs': 'fine-tuning jobs', responses: 'responses (the Responses API)' };
const VERBS: Record<string, string> = { GET: 'read', POST: 'change', DELETE: 'delete' };

/** What a route the table does not name does, by its shape: kept collections and the pass-through. */
function docOf(methods: string, url: string): RouteDoc {
  const named = ROUTES[`${methods} ${url}`];
  if (named) return named;
  if (url === '/v1/*') return { tag: 'Pass-through', summary: 'Any other `/v1` path, passed to the upstream of the pool the request\'s model (body, form field or `?model=`) routes to' };
  const collection = /^\/v1\/([a-z_/]+?)(?:\/:id.*)?$/.exec(url)?.[1] ?? url;
  const what = NAMES[collection] ?? collection.replace(/_/g, ' ');
  const verbs = methods.split(',').map((m) => VERBS[m] ?? m.toLowerCase());
  const doing = verbs.length > 1 ? `${verbs.slice(0, -1).join(', ')} or ${verbs.at(-1)}` : verbs[0]!;
  const through = 'through the account that made it (another user\'s is 404)';
  if (url.endsWith('/:id/*')) return { tag: 'Kept objects', summary: `What one of the caller's ${what} holds, at its sub-paths (${doing}), ${through}` };
  if (url.endsWith('/:id')) return { tag: 'Kept objects', summary: `${doing[0]!.toUpperCase()}${doing.slice(1)} one of the caller's ${what}, ${through}` };
  return { tag: 'Kept objects', summary: methods === 'GET' ? `The caller's ${what}` : `Make one of ${what}, kept at the account that made it` };
}

/** A JSON body with its required and named fields, every other field allowed. */
const bodyOf = ([required, named]: [string[], string[]]) => ({
  type: 'object', required, additionalProperties: true, properties: Object.fromEntries([...required, ...named].map((f) => [f, {}])),
});

/**
 * The options of `@fastify/swagger` for the gateway: Roster API keys as `Authorization:
 * Bearer` or `x-api-key`, and each route described by `docOf`.
 *
 * @example
 * await app.register(swagger, gatewayDocs());
 */
export function gatewayDocs(): SwaggerOptions {
  return {
    openapi: {
      info: {
        title: 'Roster gateway', version: '0.1.0',
        description: 'OpenAI- and Anthropic-compatible requests forwarded through pooled upstream accounts. Bodies and answers are the upstream APIs\' own.',
      },
      components: {
        headers: { RequestId: { schema: { type: 'string', format: 'uuid' }, description: 'The gateway\'s id of the request: the `reqId` of its log line' } },
        responses: Object.fromEntries(Object.entries(ANSWERS).map(([name, answer]) => [name, { ...answer, headers: { [REQUEST_ID_HEADER]: REQUEST_ID } }])),
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'A Roster API key (`rk_…`), as OpenAI\'s SDKs send it' },
          apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key', description: 'A Roster API key (`rk_…`), as Anthropic\'s SDKs send it' },
        },
      },
      security: [{ bearer: [] }, { apiKey: [] }],
    },
    transform({ schema, url, route }) {
      const methods = [route.method].flat().join(',');
      const doc = docOf(methods, url);
      const open = url === '/health' ? { security: [] } : {};
      const body = doc.body && !methods.includes('GET') ? { body: bodyOf(doc.body) } : {};
      // A wildcard becomes a named path parameter, as OpenAPI wants.
      const path = url.replace(/\*$/, '{path}');
      return { url: path, schema: { ...schema, ...body, ...open, tags: [doc.tag], summary: doc.summary } };
    },
    // Each operation names the shared answers (written out per operation, they were most of the document).
    transformObject(document) {
      if (!('openapiObject' in document)) return document.swaggerObject;
      for (const item of Object.values(document.openapiObject.paths ?? {})) {
        for (const [method, operation] of Object.entries(item as Record<string, { responses?: unknown }>)) if (METHODS.has(method)) operation.responses = RESPONSES;
      }
      return document.openapiObject;
    },
  };
}
