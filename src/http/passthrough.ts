/**
 * What the gateway's pass-through route sends upstream: any method and path under `/v1`
 * that has no route of its own, its query string and body unchanged but for the model's
 * name (a JSON body's `model`, a multipart form's `model` field, or `?model=`), which
 * becomes the route's upstream model, or, where the upstream takes no model (files), is
 * left out.
 */
import type { Dispatcher } from 'undici';
import { keptReferences, type KeptReference } from '../domain/kept.ts';

/** A request as the gateway forwards it, whatever route it came by. */
export interface Outgoing {
  method: Dispatcher.HttpMethod;
  /** The upstream path, with the query string. */
  path: (upstreamModel: string) => string;
  /** The model the client named, or undefined when it named none. */
  asked: string | undefined;
  body: (upstreamModel: string) => string | Buffer | undefined;
  contentType: string | undefined;
  /** The most output tokens it may use, for a budget's reservation (its input is estimated from a text body). */
  maxOutput: number;
  /** Whether the answer may be a stream, passed on as it comes: a JSON body's `"stream": true`, or `?stream=true` (a kept response read again as one). */
  streaming: boolean;
  /** Whether a usage chunk the upstream streams goes on to the client (not when the gateway asked for it alone). */
  clientWantsUsage: boolean;
  /** Whether a whole stream ends with an end marker (`[DONE]`, `message_stop`, `response.completed`); else when the upstream ends it cleanly. */
  endMarked: boolean;
  /** Objects the upstream keeps that this request names (continues, reads, uses): the request goes to the account that made them. */
  refers?: KeptReference[];
  /** The kept object the path itself names (`GET /v1/files/{id}`): forgotten when its upstream no longer knows it. */
  names?: string;
  /** Uses no tokens (counting tokens, reading a kept object, a file): counted as a request, whatever usage its answer shows. */
  free?: boolean;
  /** Whether the answer may show objects the upstream keeps (a response unless `store: false`, a file, a batch, a vector store…): their account is remembered. */
  keeps?: boolean;
  /** A background response: its tokens are counted once, by its stream if it runs to the end, else by the first read of it finished. */
  background?: boolean;
  /** The message batch whose results (JSON lines) these are: their tokens are counted once, by the first read of them whole. */
  resultsOf?: string;
  /** A path the gateway has no route of its own for: a 401 there may be the path's (an admin route, say), not the credential's. */
  anyPath?: boolean;
}

/**
 * The pass-through form of a request: the model named in a JSON body, a multipart form or
 * the query, and a body and path that name the upstream's model instead (or none, when
 * the model only routes the request: `routeOnly`); and the kept objects a JSON body names.
 *
 * @example
 * passthrough('POST', '/v1/images/generations', { 'content-type': 'application/json' }, { model: 'img', prompt: 'a cat' }).asked // → 'img'
 * passthrough('POST', '/v1/files?model=small', {}, form, { routeOnly: true }).path('sandbox-small') // → '/v1/files'
 * passthrough('POST', '/v1/moderations', json, { input: 'hi' }, { defaultRoute: 'mod' }).body('omni-moderation-latest') // → '{"input":"hi","model":"omni-moderation-latest"}'
 */
export function passthrough(method: string, url: string, headers: { 'content-type'?: string }, given: unknown, options: { routeOnly?: boolean; defaultRoute?: string } = {}): Outgoing {
  // A text body (fastify reads text/plain as a string) goes on as the bytes it came as.
  const body = typeof given === 'string' ? Buffer.from(given) : given;
  const [pathname, search = ''] = url.split(/\?(.*)/s, 2) as [string, string?];
  const query = new URLSearchParams(search);
  const contentType = headers['content-type'];
  // The model the body names, and the body naming another; else the query names it.
  const named = namedInBody(body, contentType, options.routeOnly === true);
  // A body that names no model goes on as sent (a JSON one written once, here)...
  const unchanged = named ? undefined : body === undefined || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  const asked = named?.model ?? query.get('model') ?? undefined;
  const refers = body !== undefined && !Buffer.isBuffer(body) && typeof body === 'object' && body !== null ? keptReferences(body as Record<string, unknown>) : [];
  // ...unless its path has a default route (and it names no kept object, which takes it to its
  // own account): a JSON object then names that route's upstream model.
  const byDefault = asked === undefined && refers.length === 0 ? options.defaultRoute : undefined;
  const json = byDefault !== undefined && isJsonObject(body) ? body : undefined;
  return {
    // The gateway asks nothing of a pass-through stream: all it carries goes to the client.
    // A JSON body asking for a stream (`"stream": true`, with a model or without: a run's) is passed on as it comes.
    method: method as Dispatcher.HttpMethod, contentType, streaming: (body as { stream?: unknown } | undefined)?.stream === true || query.get('stream') === 'true', clientWantsUsage: true, endMarked: false, maxOutput: 0,
    asked: asked ?? byDefault,
    refers,
    body: (m) => (named ? named.with(m) : json ? JSON.stringify({ ...json, model: m }) : unchanged),
    path: (m) => {
      if (options.routeOnly) query.delete('model');
      else if (!named && query.has('model')) query.set('model', m);
      const q = query.toString();
      return q ? `${pathname}?${q}` : pathname;
    },
  };
}

/**
 * The model a JSON body or a multipart form names, and the body with another in its place
 * (or with none: `routeOnly`); undefined when it names none.
 */
function namedInBody(body: unknown, contentType: string | undefined, routeOnly: boolean): { model: string; with: (model: string) => string | Buffer } | undefined {
  if (Buffer.isBuffer(body)) {
    const boundary = /multipart\/form-data;.*boundary="?([^";]+)"?/i.exec(contentType ?? '')?.[1];
    const field = boundary ? modelField(body, boundary) : undefined;
    return field && {
      model: field.value,
      with: routeOnly
        ? () => Buffer.concat([body.subarray(0, field.part[0]), body.subarray(field.part[1])])
        : (model) => Buffer.concat([body.subarray(0, field.start), Buffer.from(model), body.subarray(field.end)]),
    };
  }
  const json = body as Record<string, unknown> | undefined;
  if (!json || typeof json !== 'object' || typeof json.model !== 'string' || json.model === '') return undefined;
  const { model: _asked, ...rest } = json;
  return { model: json.model, with: routeOnly ? () => JSON.stringify(rest) : (model) => JSON.stringify({ ...json, model }) };
}

/**
 * Where the value of a multipart form's `model` field lies in the body (byte offsets), what
 * it is, and where its whole part lies (from its delimiter to the next); undefined when the
 * form has none.
 *
 * @example
 * modelField(Buffer.from('--b\r\nContent-Disposition: form-data; name="model"\r\n\r\nwhisper\r\n--b--\r\n'), 'b')
 * // → { start: 53, end: 60, value: 'whisper', part: [0, 62] }
 */
export function modelField(body: Buffer, boundary: string): { start: number; end: number; value: string; part: [number, number] } | undefined {
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  // Each part begins after a delimiter (the first may open the body without its CRLF).
  let at = body.indexOf(`--${boundary}`);
  while (at !== -1) {
    const headersStart = at + (body[at] === 0x0d ? delimiter.length : delimiter.length - 2) + 2;
    const headersEnd = body.indexOf('\r\n\r\n', headersStart);
    if (headersEnd === -1) return undefined;
    const next = body.indexOf(delimiter, headersEnd);
    if (next === -1) return undefined;
    const partHeaders = body.subarray(headersStart, headersEnd).toString('latin1');
    if (/content-disposition:\s*form-data;[^\r\n]*\bname="model"/i.test(partHeaders) && !/filename=/i.test(partHeaders)) {
      const start = headersEnd + 4;
      // A first part taken out takes the next delimiter's CRLF with it: the body still opens with a delimiter.
      return { start, end: next, value: body.subarray(start, next).toString('utf8'), part: [at, body[at] === 0x0d ? next : next + 2] };
    }
    at = next;
  }
  return undefined;
}

const isJsonObject = (body: unknown): body is Record<string, unknown> => typeof body === 'object' && body !== null && !Buffer.isBuffer(body) && !Array.isArray(body);
