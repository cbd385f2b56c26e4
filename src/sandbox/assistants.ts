/**
 * The sandbox's Assistants API beyond its collections (`stores.ts`): a thread's messages,
 * and runs of an assistant on a thread, as OpenAI's. A run is queued when made and runs
 * when first read (or at once, asked as a stream): it answers the thread's last user
 * message (as chat would) and shows its usage then. The assistant and the thread must be
 * the key's own.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { invalid, modelless, newId, now, okFor, page, type Admit } from './files.ts';
import type { SandboxObjects } from './stores.ts';

type Body = Record<string, unknown>;
/** Answers a chat request as the chat route would: its message and usage. */
type Complete = (body: { model: string; messages: never[] }) => { choices: Array<{ message: { content: string } }>; usage: { prompt_tokens: number; completion_tokens: number } };

/**
 * @example
 * addAssistantEndpoints(scope, admit, count, objects, (body) => chatAnswer(body).completion);
 */
export function addAssistantEndpoints(scope: FastifyInstance, admit: Admit, count: (key: string, outcome: string) => void, objects: SandboxObjects, complete: Complete) {
  const admitted = modelless(admit);
  const ok = okFor(count);
  /** Runs by id, with the key that made each. */
  const runs = new Map<string, { key: string; run: Body }>();
  /** The key of a request on its own thread (the path's id); undefined when answered 404. */
  const onThread = async (req: FastifyRequest, reply: FastifyReply) => {
    const key = await admitted(req, reply);
    if (!key) return undefined;
    const { id } = req.params as { id: string };
    if (objects.owns(id, key, 'thread')) return key;
    await invalid(reply, 404, `No thread found with id '${id}'.`);
    return undefined;
  };
  /** The body's assistant, when it is the key's own; else answered 404. */
  const assistantOf = async (reply: FastifyReply, key: string, body: Body) => {
    const assistantId = typeof body.assistant_id === 'string' ? body.assistant_id : '';
    if (objects.owns(assistantId, key, 'assistant')) return assistantId;
    await invalid(reply, 404, `No assistant found with id '${assistantId}'.`, 'assistant_id');
    return undefined;
  };
  /** A queued run of an assistant on a thread, on the assistant's model unless the body names another. */
  const startRun = (key: string, threadId: string, assistantId: string, body: Body) => {
    const run = {
      id: newId('run_'), object: 'thread.run', created_at: now(), thread_id: threadId, assistant_id: assistantId, status: 'queued',
      model: typeof body.model === 'string' ? body.model : objects.kept.get(assistantId)!.object.model, instructions: null, tools: [], started_at: null, completed_at: null, usage: null, metadata: {},
    };
    runs.set(run.id, { key, run });
    return ok(key, run);
  };
  /** Runs a queued run: the assistant answers the thread, and the run shows its usage. */
  const runNow = (run: Body) => {
    if (run.status !== 'queued') return;
    const threadId = String(run.thread_id);
    const said = (objects.messages.get(threadId) ?? []).map((m) => ({ role: m.role, content: ((m.content as Array<{ text: { value: string } }>)[0]?.text.value ?? '') }));
    const answer = complete({ model: String(run.model), messages: said as never[] });
    objects.say(threadId, 'assistant', answer.choices[0]?.message.content ?? '', String(run.id), String(run.assistant_id));
    const { prompt_tokens: prompt, completion_tokens: completion } = answer.usage;
    Object.assign(run, { status: 'completed', started_at: now(), completed_at: now(), usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion } });
  };

  scope.post('/v1/threads/:id/messages', async (req, reply) => {
    const key = await onThread(req, reply);
    if (!key) return reply;
    const body = (req.body ?? {}) as Body;
    const content = typeof body.content === 'string' ? body.content : '';
    return ok(key, objects.say((req.params as { id: string }).id, String(body.role ?? 'user'), content));
  });
  scope.get('/v1/threads/:id/messages', async (req, reply) => {
    const key = await onThread(req, reply);
    if (!key) return reply;
    return ok(key, page((objects.messages.get((req.params as { id: string }).id) ?? []) as Array<Body & { id: string; created_at: number }>, req.query as object));
  });
  /**
   * A run asked as a stream (`"stream": true`): its events as it is made and run (the run
   * queued, then completed with its usage, the assistant's message between), then `[DONE]`.
   */
  const streamed = (reply: FastifyReply, run: Body) => {
    const event = (type: string, data: unknown) => `event: ${type}\ndata: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;
    const made = event('thread.run.created', { ...run });
    runNow(run);
    const said = objects.messages.get(String(run.thread_id))?.at(-1);
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    reply.raw.end(made + event('thread.message.completed', said) + event('thread.run.completed', run) + event('done', '[DONE]'));
    return reply;
  };
  scope.post('/v1/threads/:id/runs', async (req, reply) => {
    const key = await onThread(req, reply);
    const body = (req.body ?? {}) as Body;
    const assistantId = key && await assistantOf(reply, key, body);
    if (!key || !assistantId) return reply;
    const run = startRun(key, (req.params as { id: string }).id, assistantId, body);
    return body.stream === true ? streamed(reply, run) : run;
  });
  scope.get('/v1/threads/:id/runs/:run', async (req, reply) => {
    const key = await onThread(req, reply);
    if (!key) return reply;
    const { id, run: runId } = req.params as { id: string; run: string };
    const found = runs.get(runId);
    if (found?.key !== key || found.run.thread_id !== id) return invalid(reply, 404, `No run found with id '${runId}'.`);
    runNow(found.run);
    return ok(key, found.run);
  });
  // A thread made with its first run.
  scope.post('/v1/threads/runs', async (req, reply) => {
    const key = await admitted(req, reply);
    if (!key) return reply;
    const body = (req.body ?? {}) as Body;
    const assistantId = await assistantOf(reply, key, body);
    if (!assistantId) return reply;
    return startRun(key, String(objects.thread((body.thread ?? {}) as Body, key).id), assistantId, body);
  });
}
