/**
 * What the gateway's pass-through route sends upstream: any method and path under `/v1`
 * that has no route of its own, its query string and body unchanged but for the model's
 * name (a JSON body's `model`, a multipart form's `model` field, or `?model=`), which
 * becomes the route's upstream model.
 */
import type { Dispatcher } from 'undici';

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
  streaming: boolean;
  /** Whether a usage chunk the upstream streams goes on to the client (not when the gateway asked for it alone). */
  clientWantsUsage: boolean;
  /** Whether a whole stream ends with an end marker (`[DONE]`, `message_stop`, `response.completed`); else when the upstream ends it cleanly. */
  endMarked: boolean;
  /** A response the upstream keeps that this request continues or reads: the request goes to the account that made it. */
  follows?: string;
  /** Uses no tokens (counting tokens, reading a kept response): counted as a request, whatever usage its answer shows. */
  free?: boolean;
  /** Whether the upstream keeps the response it answers (the Responses API unless `store: false`): its account is remembered. */
  keeps?: boolean;
}

/**
 * The pass-through form of a request: the model named in a JSON body, a multipart form or
 * the query, and a body and path that name the upstream's model instead.
 *
 * @example
 * passthrough('POST', '/v1/images/generations', { 'content-type': 'application/json' }, { model: 'img', prompt: 'a cat' }).asked // → 'img'
 */
export function passthrough(method: string, url: string, headers: { 'content-type'?: string }, given: unknown): Outgoing {
  // A text body (fastify reads text/plain as a string) goes on as the bytes it came as.
  const body = typeof given === 'string' ? Buffer.from(given) : given;
  const [pathname, search = ''] = url.split(/\?(.*)/s, 2) as [string, string?];
  const query = new URLSearchParams(search);
  const contentType = headers['content-type'];
  // The model the body names, and the body naming another; else the query names it.
  const named = namedInBody(body, contentType);
  // A body that names no model goes on as sent (a JSON one written once, here).
  const unchanged = named ? undefined : body === undefined || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  return {
    // The gateway asks nothing of a pass-through stream: all it carries goes to the client.
    method: method as Dispatcher.HttpMethod, contentType, streaming: named?.streaming ?? false, clientWantsUsage: true, endMarked: false, maxOutput: 0,
    asked: named?.model ?? query.get('model') ?? undefined,
    body: (m) => (named ? named.with(m) : unchanged),
    path: (m) => {
      if (!named && query.has('model')) query.set('model', m);
      const q = query.toString();
      return q ? `${pathname}?${q}` : pathname;
    },
  };
}

/** The model a JSON body or a multipart form names, and the body with another in its place; undefined when it names none. */
function namedInBody(body: unknown, contentType: string | undefined): { model: string; with: (model: string) => string | Buffer; streaming: boolean } | undefined {
  if (Buffer.isBuffer(body)) {
    const boundary = /multipart\/form-data;.*boundary="?([^";]+)"?/i.exec(contentType ?? '')?.[1];
    const field = boundary ? modelField(body, boundary) : undefined;
    return field && {
      model: field.value, streaming: false,
      with: (model) => Buffer.concat([body.subarray(0, field.start), Buffer.from(model), body.subarray(field.end)]),
    };
  }
  const json = body as Record<string, unknown> | undefined;
  if (!json || typeof json !== 'object' || typeof json.model !== 'string' || json.model === '') return undefined;
  return { model: json.model, streaming: json.stream === true, with: (model) => JSON.stringify({ ...json, model }) };
}

/**
 * Where the value of a multipart form's `model` field lies in the body (byte offsets), and
 * what it is; undefined when the form has none.
 *
 * @example
 * modelField(Buffer.from('--b\r\nContent-Disposition: form-data; name="model"\r\n\r\nwhisper\r\n--b--\r\n'), 'b')
 * // → { start: 53, end: 60, value: 'whisper' }
 */
export function modelField(body: Buffer, boundary: string): { start: number; end: number; value: string } | undefined {
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
      return { start, end: next, value: body.subarray(start, next).toString('utf8') };
    }
    at = next;
  }
  return undefined;
}
