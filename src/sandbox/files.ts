/**
 * The sandbox's files and batches, as OpenAI's: files uploaded as a multipart form (`file`,
 * `purpose`), listed, read and deleted (and, asked with `anthropic-version`, as Anthropic's
 * Files API: a form of `file` alone, its own object, list and errors); batches of chat completions run from an uploaded
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

/** What a request with `anthropic-version` sees of a file: Anthropic's file object. */
export interface AnthropicFile { id: string; type: 'file'; filename: string; mime_type: string; size_bytes: number; created_at: string; downloadable: boolean }
const anthropicAsks = (req: FastifyRequest) => typeof req.headers['anthropic-version'] === 'string';
const anthropicError = (reply: FastifyReply, status: number, type: string, message: string) => reply.code(status).send({ type: 'error', error: { type, message } });

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

/** A sandbox's files, for other routes: a key's own file by its id (those that name files), and a new file kept (uploads). */
export interface SandboxFiles {
  fileOf: (id: string, key: string) => FileObject | undefined;
  keep: (key: string, filename: string, purpose: string, content: Buffer) => FileObject;
}

/**
 * Adds the files and batches routes to a sandbox scope that reads any other body as bytes;
 * answers a key's own file by its id (for other routes that name files), and keeps new ones.
 *
 * @example
 * const { fileOf } = addFileEndpoints(scope, admit, (body) => chatAnswer(body).completion, count);
 */
export function addFileEndpoints(
  scope: FastifyInstance, admit: Admit, complete: Complete, count: (key: string, outcome: string) => void, showsUsage: (key: string) => boolean = () => true,
  finishedAt: (key: string) => number = now,
): SandboxFiles {
  /** Files; those uploaded through Anthropic's API carry their view of them. */
  const files = latest<Kept<FileObject> & { content: Buffer; anthropic?: AnthropicFile }>();
  const batches = latest<Kept<BatchObject>>();
  const admitted = modelless(admit);
  const ok = okFor(count);
  const own = <E extends Kept<unknown>>(store: { get: (id: string) => E | undefined }, req: FastifyRequest, key: string) => {
    const found = store.get((req.params as { id: string }).id);
    return found?.key === key ? found : undefined;
  };
  const missing = (reply: FastifyReply, what: string, req: FastifyRequest) => invalid(reply, 404, `No such ${what}: ${(req.params as { id: string }).id}`);
  /** Keeps a new file of a key's. */
  const keep = (key: string, filename: string, purpose: string, content: Buffer): FileObject => {
    const object: FileObject = { id: newId('file-'), object: 'file', bytes: content.length, created_at: now(), filename, purpose, status: 'processed', expires_at: null, status_details: null };
    files.set(object.id, { key, object, content });
    return object;
  };

  /** Anthropic's Files API: the key of an admitted request (none with a `model` in its query). */
  const anthropicAdmitted = async (req: FastifyRequest, reply: FastifyReply) => {
    const key = await admit(req, reply, true);
    if (key && (req.query as { model?: string }).model !== undefined) return void await anthropicError(reply, 400, 'invalid_request_error', 'model: Extra inputs are not permitted');
    return key;
  };
  const anthropicOwn = (req: FastifyRequest, key: string) => {
    const found = own(files, req, key);
    return found?.anthropic ? found : undefined;
  };
  const anthropicMissing = (reply: FastifyReply, req: FastifyRequest) => anthropicError(reply, 404, 'not_found_error', `File not found: ${(req.params as { id: string }).id}`);
  const anthropic = {
    async upload(req: FastifyRequest, reply: FastifyReply) {
      const key = await anthropicAdmitted(req, reply);
      if (!key) return reply;
      const form = await new Response(req.body as Buffer, { headers: { 'content-type': String(req.headers['content-type']) } }).formData().catch(() => undefined);
      const file = form?.get('file');
      if (!form || typeof file === 'string' || !file) return anthropicError(reply, 400, 'invalid_request_error', 'file: Field required');
      const unknown = [...form.keys()].find((k) => k !== 'file');
      if (unknown) return anthropicError(reply, 400, 'invalid_request_error', `${unknown}: Extra inputs are not permitted`);
      const content = Buffer.from(await file.arrayBuffer());
      const at = now();
      const view: AnthropicFile = {
        id: newId('file_'), type: 'file', filename: file.name, mime_type: file.type || 'application/octet-stream', size_bytes: content.length, created_at: new Date(at * 1000).toISOString(), downloadable: true,
      };
      const object: FileObject = { id: view.id, object: 'file', bytes: content.length, created_at: at, filename: file.name, purpose: 'anthropic', status: 'processed', expires_at: null, status_details: null };
      files.set(view.id, { key, object, content, anthropic: view });
      return ok(key, view);
    },
    /** Newest first; `after_id` (or the cursor `page`, the last id of a page) pages to older ones, `before_id` to newer. */
    async list(req: FastifyRequest, reply: FastifyReply) {
      const key = await anthropicAdmitted(req, reply);
      if (!key) return reply;
      const q = req.query as { limit?: string; after_id?: string; before_id?: string; page?: string };
      q.after_id ??= q.page;
      const mine = files.values().filter((f) => f.key === key && f.anthropic).map((f) => f.anthropic!).reverse();
      const limit = Math.min(Math.max(Number(q.limit ?? 20) || 20, 1), 1000);
      const at = (id: string) => mine.findIndex((f) => f.id === id);
      const [from, to] = q.before_id !== undefined ? [Math.max(0, at(q.before_id) - limit), Math.max(0, at(q.before_id))] : [q.after_id !== undefined ? at(q.after_id) + 1 : 0, Infinity];
      const data = mine.slice(from, Math.min(to, from + limit));
      const more = q.before_id !== undefined ? from > 0 : from + limit < mine.length;
      const last = data.at(-1)?.id ?? null;
      return ok(key, { data, has_more: more, first_id: data[0]?.id ?? null, last_id: last, next_page: more && q.before_id === undefined ? last : null });
    },
    async read(req: FastifyRequest, reply: FastifyReply, content: boolean) {
      const key = await anthropicAdmitted(req, reply);
      if (!key) return reply;
      const found = anthropicOwn(req, key);
      if (!found) return anthropicMissing(reply, req);
      return ok(key, content ? reply.type(found.anthropic!.mime_type).send(found.content) : found.anthropic);
    },
    async delete(req: FastifyRequest, reply: FastifyReply) {
      const key = await anthropicAdmitted(req, reply);
      if (!key) return reply;
      const found = anthropicOwn(req, key);
      if (!found) return anthropicMissing(reply, req);
      files.delete(found.object.id);
      return ok(key, { id: found.object.id, type: 'file_deleted' });
    },
  };

  // OpenAI's largest file.
  scope.post('/v1/files', { bodyLimit: 512 * 1024 * 1024 }, async (req, reply) => {
    if (anthropicAsks(req)) return anthropic.upload(req, reply);
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
    return ok(key, keep(key, file.name, purpose, Buffer.from(await file.arrayBuffer())));
  });
  scope.get('/v1/files', async (req, reply) => {
    if (anthropicAsks(req)) return anthropic.list(req, reply);
    const key = await admitted(req, reply);
    if (!key) return reply;
    const { purpose } = req.query as { purpose?: string };
    return ok(key, page(files.values().filter((f) => f.key === key && !f.anthropic && (purpose === undefined || f.object.purpose === purpose)).map((f) => f.object), req.query as object));
  });
  scope.get('/v1/files/:id', async (req, reply) => {
    if (anthropicAsks(req)) return anthropic.read(req, reply, false);
    const key = await admitted(req, reply);
    if (!key) return reply;
    const found = own(files, req, key);
    return found ? ok(key, found.object) : missing(reply, 'File', req);
  });
  scope.get('/v1/files/:id/content', async (req, reply) => {
    if (anthropicAsks(req)) return anthropic.read(req, reply, true);
    const key = await admitted(req, reply);
    if (!key) return reply;
    const found = own(files, req, key);
    return found ? ok(key, reply.type('application/octet-stream').send(found.content)) : missing(reply, 'File', req);
  });
  scope.delete('/v1/files/:id', async (req, reply) => {
    if (anthropicAsks(req)) return anthropic.delete(req, reply);
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
    Object.assign(b, { status: 'completed', in_progress_at: now(), completed_at: finishedAt(batch.key), output_file_id: output.id, request_counts: { total: out.length, completed: out.length, failed: 0 } });
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
  return {
    fileOf: (id, key) => {
      const found = files.get(id);
      return found?.key === key ? found.object : undefined;
    },
    keep,
  };
}
