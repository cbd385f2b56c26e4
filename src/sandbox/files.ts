/**
 * The sandbox's files and batches, as OpenAI's: files uploaded as a multipart form (`file`,
 * `purpose`), listed, read and deleted; batches of chat completions run from an uploaded
 * file of JSON lines, writing an output file. Each belongs to the key that made it (as
 * each upstream account sees its own), and the latest 10,000 of each are kept.
 *
 * A batch runs when it is first read after its creation (status `validating` until then),
 * so a client sees it change as it polls. Like OpenAI, the form takes no other fields and
 * the routes no `model`: a gateway must not forward the model it routes by.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { randomBytes } from 'node:crypto';

export type Admit = (req: FastifyRequest, reply: FastifyReply, anthropic: boolean) => Promise<string | undefined>;
/** Answers one chat completion request of a batch (its body), as the chat route would. */
type Complete = (body: { model: string; messages: never[] }) => { usage: { prompt_tokens: number; completion_tokens: number } };

export interface Kept<T> {
  key: string;
  object: T;
}
export interface FileObject { id: string; object: 'file'; bytes: number; created_at: number; filename: string; purpose: string; status: 'processed'; expires_at: null; status_details: null }
interface BatchObject {
  id: string; object: 'batch'; endpoint: string; input_file_id: string; completion_window: string; status: string; errors: null;
  output_file_id: string | null; error_file_id: string | null; created_at: number; in_progress_at: number | null; completed_at: number | null;
  cancelled_at: number | null; expires_at: number; request_counts: { total: number; completed: number; failed: number }; metadata: Record<string, string> | null;
  /** Its requests' tokens, as OpenAI shows them (from September 2025), once it has run. */
  usage?: { input_tokens: number; input_tokens_details: { cached_tokens: number }; output_tokens: number; output_tokens_details: { reasoning_tokens: number }; total_tokens: number };
}

const LATEST = 10_000;
export const now = () => Math.floor(Date.now() / 1000);
export const newId = (prefix: string) => `${prefix}${randomBytes(12).toString('hex')}`;
export const invalid = (reply: FastifyReply, status: number, message: string, param: string | null = null) =>
  reply.code(status).send({ error: { message, type: 'invalid_request_error', param, code: null } });

/** A map keeping its latest entries only. */
export function latest<T>() {
  const map = new Map<string, T>();
  return {
    get: (id: string) => map.get(id),
    set: (id: string, value: T) => {
      map.set(id, value);
      if (map.size > LATEST) map.delete(map.keys().next().value!);
    },
    delete: (id: string) => map.delete(id),
    values: () => [...map.values()],
  };
}

/** Admits a request as OpenAI's routes without a model do: one whose query names a model is refused (a gateway must not forward the model it routes by). */
export function modelless(admit: Admit) {
  /** The key of an admitted request whose query names no model; undefined when answered. */
  return async (req: FastifyRequest, reply: FastifyReply): Promise<string | undefined> => {
    const key = await admit(req, reply, false);
    if (!key) return undefined;
    if ((req.query as { model?: string }).model !== undefined) {
      await invalid(reply, 400, 'Unrecognized query parameter: model', 'model');
      return undefined;
    }
    return key;
  };
}

/** Answers an answer served, counted for its key. */
export function okFor(count: (key: string, outcome: string) => void) {
  return <T>(key: string, answer: T): T => {
    count(key, '200');
    return answer;
  };
}

/** A page of a key's objects, OpenAI's list: newest first unless `order=asc`, after an id, `limit` of them. */
export function page<T extends { id: string; created_at: number }>(all: T[], query: { limit?: string; after?: string; order?: string }) {
  const sorted = query.order === 'asc' ? all : [...all].reverse();
  const from = query.after ? sorted.findIndex((o) => o.id === query.after) + 1 : 0;
  const limit = Math.min(Math.max(Number(query.limit ?? 20) || 20, 1), 10_000);
  const data = sorted.slice(from, from + limit);
  return { object: 'list', data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: from + limit < sorted.length };
}

/**
 * Adds the files and batches routes to a sandbox scope that reads any other body as bytes;
 * answers a key's own file by its id (for other routes that name files).
 *
 * @example
 * const fileOf = addFileEndpoints(scope, admit, (body) => chatAnswer(body).completion, count);
 */
export function addFileEndpoints(
  scope: FastifyInstance, admit: Admit, complete: Complete, count: (key: string, outcome: string) => void, showsUsage: (key: string) => boolean = () => true,
): (id: string, key: string) => FileObject | undefined {
  const files = latest<Kept<FileObject> & { content: Buffer }>();
  const batches = latest<Kept<BatchObject>>();
  const admitted = modelless(admit);
  const ok = okFor(count);
  const own = <E extends Kept<unknown>>(store: { get: (id: string) => E | undefined }, req: FastifyRequest, key: string) => {
    const found = store.get((req.params as { id: string }).id);
    return found?.key === key ? found : undefined;
  };
  const missing = (reply: FastifyReply, what: string, req: FastifyRequest) => invalid(reply, 404, `No such ${what}: ${(req.params as { id: string }).id}`);

  scope.post('/v1/files', async (req, reply) => {
    const key = await admitted(req, reply);
    if (!key) return reply;
    let form: FormData;
    try {
      form = await new Response(req.body as Buffer, { headers: { 'content-type': String(req.headers['content-type']) } }).formData();
    } catch {
      return invalid(reply, 400, 'send a multipart form: file and purpose');
    }
    const unknown = [...form.keys()].find((k) => !['file', 'purpose', 'expires_after'].includes(k));
    if (unknown) return invalid(reply, 400, `Unrecognized request argument supplied: ${unknown}`, unknown);
    const file = form.get('file');
    const purpose = form.get('purpose');
    if (typeof file === 'string' || file === null || typeof purpose !== 'string') return invalid(reply, 400, 'file and purpose are required', file ? 'purpose' : 'file');
    const content = Buffer.from(await file.arrayBuffer());
    const object: FileObject = { id: newId('file-'), object: 'file', bytes: content.length, created_at: now(), filename: file.name, purpose, status: 'processed', expires_at: null, status_details: null };
    files.set(object.id, { key, object, content });
    return ok(key, object);
  });
  scope.get('/v1/files', async (req, reply) => {
    const key = await admitted(req, reply);
    if (!key) return reply;
    const { purpose } = req.query as { purpose?: string };
    return ok(key, page(files.values().filter((f) => f.key === key && (purpose === undefined || f.object.purpose === purpose)).map((f) => f.object), req.query as object));
  });
  scope.get('/v1/files/:id', async (req, reply) => {
    const key = await admitted(req, reply);
    if (!key) return reply;
    const found = own(files, req, key);
    return found ? ok(key, found.object) : missing(reply, 'File', req);
  });
  scope.get('/v1/files/:id/content', async (req, reply) => {
    const key = await admitted(req, reply);
    if (!key) return reply;
    const found = own(files, req, key);
    return found ? ok(key, reply.type('application/octet-stream').send(found.content)) : missing(reply, 'File', req);
  });
  scope.delete('/v1/files/:id', async (req, reply) => {
    const key = await admitted(req, reply);
    if (!key) return reply;
    const found = own(files, req, key);
    if (!found) return missing(reply, 'File', req);
    files.delete(found.object.id);
    return ok(key, { id: found.object.id, object: 'file', deleted: true });
  });

  scope.post('/v1/batches', async (req, reply) => {
    const key = await admitted(req, reply);
    if (!key) return reply;
    const body = (req.body ?? {}) as { input_file_id?: string; endpoint?: string; completion_window?: string; metadata?: Record<string, string>; model?: unknown };
    if (body.model !== undefined) return invalid(reply, 400, 'Unrecognized request argument supplied: model', 'model');
    const input = typeof body.input_file_id === 'string' ? files.get(body.input_file_id) : undefined;
    if (input?.key !== key) return invalid(reply, 400, `No such File object: ${String(body.input_file_id)}`, 'input_file_id');
    if (body.endpoint !== '/v1/chat/completions') return invalid(reply, 400, 'the sandbox batches /v1/chat/completions only', 'endpoint');
    const lines = input.content.toString('utf8').split('\n').filter((l) => l.trim() !== '');
    const object: BatchObject = {
      id: newId('batch_'), object: 'batch', endpoint: body.endpoint, input_file_id: input.object.id, completion_window: body.completion_window ?? '24h',
      status: 'validating', errors: null, output_file_id: null, error_file_id: null, created_at: now(), in_progress_at: null, completed_at: null,
      cancelled_at: null, expires_at: now() + 86_400, request_counts: { total: lines.length, completed: 0, failed: 0 }, metadata: body.metadata ?? null,
    };
    batches.set(object.id, { key, object });
    return ok(key, object);
  });
  /** Runs a batch's lines, writing its output file: once, when it is first read. */
  const run = (batch: Kept<BatchObject>) => {
    const b = batch.object;
    if (b.status !== 'validating') return;
    const input = files.get(b.input_file_id)?.content.toString('utf8') ?? '';
    const tokens = { input: 0, output: 0 };
    const out = input.split('\n').filter((l) => l.trim() !== '').map((line) => {
      const request = JSON.parse(line) as { custom_id: string; body: { model: string; messages: never[] } };
      const body = complete(request.body);
      tokens.input += body.usage.prompt_tokens;
      tokens.output += body.usage.completion_tokens;
      return JSON.stringify({ id: newId('batch_req_'), custom_id: request.custom_id, response: { status_code: 200, request_id: newId('req_'), body }, error: null });
    });
    const content = Buffer.from(out.map((l) => `${l}\n`).join(''));
    const output: FileObject = { id: newId('file-'), object: 'file', bytes: content.length, created_at: now(), filename: `${b.id}_output.jsonl`, purpose: 'batch_output', status: 'processed', expires_at: null, status_details: null };
    files.set(output.id, { key: batch.key, object: output, content });
    const usage = { input_tokens: tokens.input, input_tokens_details: { cached_tokens: 0 }, output_tokens: tokens.output, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: tokens.input + tokens.output };
    Object.assign(b, { status: 'completed', in_progress_at: now(), completed_at: now(), output_file_id: output.id, request_counts: { total: out.length, completed: out.length, failed: 0 } });
    if (showsUsage(batch.key)) b.usage = usage;
  };
  scope.get('/v1/batches/:id', async (req, reply) => {
    const key = await admitted(req, reply);
    if (!key) return reply;
    const found = own(batches, req, key);
    if (!found) return missing(reply, 'Batch', req);
    run(found);
    return ok(key, found.object);
  });
  scope.post('/v1/batches/:id/cancel', async (req, reply) => {
    const key = await admitted(req, reply);
    if (!key) return reply;
    const found = own(batches, req, key);
    if (!found) return missing(reply, 'Batch', req);
    if (found.object.status === 'validating') Object.assign(found.object, { status: 'cancelled', cancelled_at: now() });
    return ok(key, found.object);
  });
  scope.get('/v1/batches', async (req, reply) => {
    const key = await admitted(req, reply);
    if (!key) return reply;
    return ok(key, page(batches.values().filter((b) => b.key === key).map((b) => b.object), req.query as object));
  });
  return (id, key) => {
    const found = files.get(id);
    return found?.key === key ? found.object : undefined;
  };
}
