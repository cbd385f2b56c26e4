/**
 * The sandbox's other objects an upstream keeps per account, as OpenAI's: vector stores
 * (with their files), fine-tuning jobs, conversations, containers, assistants and threads
 * (their messages and runs: `assistants.ts`). Each belongs to the key that made it, as each
 * upstream account sees its own; files they name must be that key's. Like OpenAI, none but
 * fine-tuning and assistants takes a `model`: a gateway must not forward the model it
 * routes by. A fine-tuning job succeeds when it is first read after its creation; its model
 * then answers the key that made it only (and is deleted by it).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { invalid, latest, modelless, newId, now, okFor, page, type Admit, type FileObject, type Kept } from './files.ts';

type Body = Record<string, unknown>;
type Made = { object: Body } | { refused: string; param: string };

/** A collection: its path, its objects' `object`, what its 404 calls one, how one is made from a request's body. */
interface Collection {
  path: string;
  kind: string;
  what: string;
  make(body: Body, key: string): Made;
  /** Whether one can be deleted (a fine-tuning job cannot). */
  deletable: boolean;
  /** Whether the body may name a model (fine-tuning's base model); elsewhere OpenAI refuses one. */
  takesModel?: boolean;
  /** What reading one does to it (a fine-tuning job succeeds). */
  read?(object: Body, key: string): void;
}

/** The keys' objects of every collection, by id: the Responses route reads conversations. */
export class SandboxObjects {
  readonly kept = latest<Kept<Body>>();
  /** Fine-tuned models, and the key whose job made each (the only one that may use it). */
  readonly tuned = new Map<string, string>();
  /** Each thread's messages, oldest first. */
  readonly messages = new Map<string, Body[]>();

  /** Whether a key made the object of this id (of this kind, when given). */
  owns(id: string, key: string, kind?: string): boolean {
    const found = this.kept.get(id);
    return found?.key === key && (kind === undefined || found.object.object === kind);
  }

  /**
   * A new thread and its first messages, kept for a key.
   *
   * @example
   * objects.thread({ messages: [{ role: 'user', content: 'hi' }] }, key).id // → 'thread_…'
   */
  thread(body: Body, key: string): Body {
    const id = newId('thread_');
    const thread = { id, object: 'thread', created_at: now(), metadata: metadataOf(body), tool_resources: {} };
    this.kept.set(id, { key, object: thread });
    this.messages.set(id, []);
    for (const m of Array.isArray(body.messages) ? body.messages as Body[] : []) this.say(id, String(m.role ?? 'user'), textOf(m.content));
    return thread;
  }

  /** Adds a message to a thread; answers it. */
  say(threadId: string, role: string, text: string, runId: string | null = null, assistantId: string | null = null): Body {
    const message = {
      id: newId('msg_'), object: 'thread.message', created_at: now(), thread_id: threadId, role, status: 'completed',
      content: [{ type: 'text', text: { value: text, annotations: [] } }], assistant_id: assistantId, run_id: runId, attachments: [], metadata: {},
    };
    this.messages.get(threadId)?.push(message);
    return message;
  }

  /** Whether a key may use a model: any but a fine-tuned one (`ft:…`) another key's job made. */
  mayUse(model: string, key: string): boolean {
    return !model.startsWith('ft:') || this.tuned.get(model) === key;
  }
}

const refused = (what: string, param: string): Made => ({ refused: `No such ${what}`, param });
const metadataOf = (body: Body) => (typeof body.metadata === 'object' && body.metadata !== null ? body.metadata : {});
/** A message's text: a string, or its text parts. */
const textOf = (content: unknown): string => (typeof content === 'string' ? content
  : Array.isArray(content) ? content.map((p: { text?: unknown }) => (typeof p?.text === 'string' ? p.text : '')).join(' ') : '');

/**
 * Adds the routes of vector stores, fine-tuning jobs, conversations, containers,
 * assistants and threads to a sandbox scope; `fileOf` answers a key's own file.
 *
 * @example
 * addStoreEndpoints(scope, admit, count, objects, fileOf);
 */
export function addStoreEndpoints(
  scope: FastifyInstance, admit: Admit, count: (key: string, outcome: string) => void, objects: SandboxObjects,
  fileOf: (id: string, key: string) => FileObject | undefined,
) {
  const admitted = modelless(admit);
  /** The files a body's `file_ids` names, all the key's own; undefined when one is not. */
  const filesOf = (ids: unknown, key: string): FileObject[] | undefined => {
    const list = Array.isArray(ids) ? ids : [];
    const found = list.map((id) => (typeof id === 'string' ? fileOf(id, key) : undefined));
    return found.every((f) => f !== undefined) ? found as FileObject[] : undefined;
  };
  const collections: Collection[] = [
    {
      path: '/v1/vector_stores', kind: 'vector_store', what: 'vector store', deletable: true,
      make: (body, key) => {
        const files = filesOf(body.file_ids, key);
        if (!files) return refused('File object', 'file_ids');
        return {
          object: {
            id: newId('vs_'), object: 'vector_store', created_at: now(), name: typeof body.name === 'string' ? body.name : null, usage_bytes: files.reduce((n, f) => n + f.bytes, 0),
            file_counts: { in_progress: 0, completed: files.length, failed: 0, cancelled: 0, total: files.length }, status: 'completed',
            expires_after: null, expires_at: null, last_active_at: now(), metadata: metadataOf(body),
          },
        };
      },
    },
    {
      path: '/v1/fine_tuning/jobs', kind: 'fine_tuning.job', what: 'fine-tuning job', deletable: false, takesModel: true,
      make: (body, key) => {
        if (typeof body.model !== 'string') return { refused: 'model is required', param: 'model' };
        if (typeof body.training_file !== 'string' || !fileOf(body.training_file, key)) return refused('File object', 'training_file');
        return {
          object: {
            id: newId('ftjob-'), object: 'fine_tuning.job', model: body.model, created_at: now(), finished_at: null, fine_tuned_model: null, organization_id: 'org-sandbox',
            result_files: [], status: 'validating_files', validation_file: body.validation_file ?? null, training_file: body.training_file,
            hyperparameters: { n_epochs: 'auto', batch_size: 'auto', learning_rate_multiplier: 'auto' }, trained_tokens: null, error: null, seed: 0, metadata: metadataOf(body),
          },
        };
      },
      // It succeeds on its first read; its model then answers the key that made it.
      read: (job, key) => {
        if (job.status !== 'validating_files') return;
        Object.assign(job, { status: 'succeeded', finished_at: now(), trained_tokens: 42, fine_tuned_model: `ft:${String(job.model)}:sandbox::${String(job.id).slice(-8)}` });
        objects.tuned.set(job.fine_tuned_model as string, key);
      },
    },
    { path: '/v1/conversations', kind: 'conversation', what: 'conversation', deletable: true, make: (body) => ({ object: { id: newId('conv_'), object: 'conversation', created_at: now(), metadata: metadataOf(body) } }) },
    {
      path: '/v1/assistants', kind: 'assistant', what: 'assistant', deletable: true, takesModel: true,
      make: (body) => (typeof body.model === 'string'
        ? {
          object: {
            id: newId('asst_'), object: 'assistant', created_at: now(), model: body.model, name: body.name ?? null, description: null,
            instructions: body.instructions ?? null, tools: [], tool_resources: {}, metadata: metadataOf(body), temperature: 1, top_p: 1, response_format: 'auto',
          },
        }
        : { refused: 'model is required', param: 'model' }),
    },
    { path: '/v1/threads', kind: 'thread', what: 'thread', deletable: true, make: (body, key) => ({ object: objects.thread(body, key) }) },
    {
      path: '/v1/containers', kind: 'container', what: 'container', deletable: true,
      make: (body, key) => (filesOf(body.file_ids, key)
        ? { object: { id: newId('cntr_'), object: 'container', created_at: now(), name: body.name ?? null, status: 'running' } }
        : refused('File object', 'file_ids')),
    },
  ];
  /** A key's own object of a path's id; undefined (answered 404) when there is none. */
  const own = async (req: FastifyRequest, reply: FastifyReply, what: string) => {
    const key = await admitted(req, reply);
    if (!key) return undefined;
    const { id } = req.params as { id: string };
    const found = objects.kept.get(id);
    if (found?.key === key) return { key, found };
    await invalid(reply, 404, `No such ${what}: ${id}`);
    return undefined;
  };
  const ok = okFor(count);

  for (const c of collections) {
    scope.post(c.path, async (req, reply) => {
      const key = await admitted(req, reply);
      if (!key) return reply;
      const body = (req.body ?? {}) as Body;
      if (!c.takesModel && body.model !== undefined) return invalid(reply, 400, 'Unrecognized request argument supplied: model', 'model');
      const made = c.make(body, key);
      if ('refused' in made) return invalid(reply, 400, made.refused, made.param);
      objects.kept.set(made.object.id as string, { key, object: made.object });
      return ok(key, made.object);
    });
    scope.get(c.path, async (req, reply) => {
      const key = await admitted(req, reply);
      if (!key) return reply;
      return ok(key, page(objects.kept.values().filter((o) => o.key === key && o.object.object === c.kind).map((o) => o.object as Body & { id: string; created_at: number }), req.query as object));
    });
    scope.get(`${c.path}/:id`, async (req, reply) => {
      const mine = await own(req, reply, c.what);
      if (!mine) return reply;
      c.read?.(mine.found.object, mine.key);
      return ok(mine.key, mine.found.object);
    });
    scope.post(`${c.path}/:id`, async (req, reply) => {
      const mine = await own(req, reply, c.what);
      if (!mine) return reply;
      const body = (req.body ?? {}) as Body;
      if (body.model !== undefined && !c.takesModel) return invalid(reply, 400, 'Unrecognized request argument supplied: model', 'model');
      if (body.model !== undefined) mine.found.object.model = body.model;
      if (body.name !== undefined) mine.found.object.name = body.name;
      if (body.metadata !== undefined) mine.found.object.metadata = body.metadata;
      return ok(mine.key, mine.found.object);
    });
    if (c.deletable) {
      scope.delete(`${c.path}/:id`, async (req, reply) => {
        const mine = await own(req, reply, c.what);
        if (!mine) return reply;
        objects.kept.delete(mine.found.object.id as string);
        return ok(mine.key, { id: mine.found.object.id, object: `${String(mine.found.object.object)}.deleted`, deleted: true });
      });
    }
  }
  scope.post('/v1/fine_tuning/jobs/:id/cancel', async (req, reply) => {
    const mine = await own(req, reply, 'fine-tuning job');
    if (!mine) return reply;
    if (mine.found.object.status === 'validating_files') Object.assign(mine.found.object, { status: 'cancelled', finished_at: now() });
    return ok(mine.key, mine.found.object);
  });
  // A fine-tuned model is deleted by the key whose job made it.
  scope.delete('/v1/models/:id', async (req, reply) => {
    const key = await admitted(req, reply);
    if (!key) return reply;
    const { id } = req.params as { id: string };
    if (objects.tuned.get(id) !== key) return invalid(reply, 404, `The model '${id}' does not exist`, 'model');
    objects.tuned.delete(id);
    return ok(key, { id, object: 'model', deleted: true });
  });
  // A vector store's files: each the key's own.
  scope.post('/v1/vector_stores/:id/files', async (req, reply) => {
    const mine = await own(req, reply, 'vector store');
    if (!mine) return reply;
    const fileId = ((req.body ?? {}) as Body).file_id;
    const file = typeof fileId === 'string' ? fileOf(fileId, mine.key) : undefined;
    if (!file) return invalid(reply, 400, `No such File object: ${String(fileId)}`, 'file_id');
    const store = mine.found.object as { id: string; usage_bytes: number; file_counts: { completed: number; total: number } };
    store.usage_bytes += file.bytes;
    store.file_counts.completed++;
    store.file_counts.total++;
    return ok(mine.key, { id: file.id, object: 'vector_store.file', created_at: now(), vector_store_id: store.id, status: 'completed', usage_bytes: file.bytes, last_error: null });
  });
}
