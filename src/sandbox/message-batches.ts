/**
 * The sandbox's Message Batches, as Anthropic's: a batch of message requests, made with
 * `x-api-key`, ends when it is first read after its creation; then its `results_url` (an
 * absolute URL at this sandbox, as Anthropic's points at its own host) serves one JSON line
 * a request, each message with its usage. Each batch belongs to the key that made it.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { latest, newId, okFor, type Admit, type Kept } from './files.ts';

type Body = Record<string, unknown>;
/** Answers one request's params as the messages route would: the message, with its usage. */
type Answer = (params: { model: string; messages: never[]; max_tokens: number }) => Body;
interface Batch { object: Body; requests: Array<{ custom_id: string; params: Body }>; results?: string }

const iso = (ms = Date.now()) => new Date(ms).toISOString();
const notFound = (reply: FastifyReply, id: string) => reply.code(404).send({ type: 'error', error: { type: 'not_found_error', message: `message batch ${id} not found` } });
const invalid = (reply: FastifyReply, message: string) => reply.code(400).send({ type: 'error', error: { type: 'invalid_request_error', message } });

/**
 * `endedAt`: when a key's batch says it ended (ms; now unless a test says otherwise).
 *
 * @example
 * addMessageBatchEndpoints(scope, admit, count, (params) => messageAnswer(params));
 */
export function addMessageBatchEndpoints(scope: FastifyInstance, admit: Admit, count: (key: string, outcome: string) => void, answer: Answer, endedAt: (key: string) => number = Date.now) {
  const batches = latest<Kept<Batch>>();
  const ok = okFor(count);
  /** The key's own batch of the path's id; undefined when answered. */
  const own = async (req: FastifyRequest, reply: FastifyReply) => {
    const key = await admit(req, reply, true);
    if (!key) return undefined;
    const { id } = req.params as { id: string };
    const found = batches.get(id);
    if (found?.key === key) return { key, batch: found.object };
    await notFound(reply, id);
    return undefined;
  };
  /** Ends a batch: every request answered (or, `canceled`, none), its results written. */
  const end = (key: string, batch: Batch, url: string, canceled = false) => {
    if (batch.results !== undefined) return;
    const lines = batch.requests.map((r) => ({ custom_id: r.custom_id, result: canceled ? { type: 'canceled' } : { type: 'succeeded', message: answer(r.params as never) } }));
    batch.results = lines.map((l) => `${JSON.stringify(l)}\n`).join('');
    const n = lines.length;
    Object.assign(batch.object, {
      processing_status: 'ended', ended_at: iso(endedAt(key)), results_url: `${url}/v1/messages/batches/${String(batch.object.id)}/results`,
      request_counts: { processing: 0, succeeded: canceled ? 0 : n, errored: 0, canceled: canceled ? n : 0, expired: 0 }, ...(canceled ? { cancel_initiated_at: iso() } : {}),
    });
  };
  const here = (req: FastifyRequest) => `${req.protocol}://${req.host}`;

  scope.post('/v1/messages/batches', async (req, reply) => {
    const key = await admit(req, reply, true);
    if (!key) return reply;
    const requests = ((req.body ?? {}) as Body).requests;
    if (!Array.isArray(requests) || requests.length === 0) return invalid(reply, 'requests: at least one request');
    for (const [i, r] of (requests as Body[]).entries()) {
      const params = (r?.params ?? {}) as Body;
      if (typeof r?.custom_id !== 'string' || typeof params.model !== 'string' || !Array.isArray(params.messages) || typeof params.max_tokens !== 'number') {
        return invalid(reply, `requests.${i}: custom_id and params (model, messages, max_tokens) are required`);
      }
    }
    const object = {
      id: newId('msgbatch_'), type: 'message_batch', processing_status: 'in_progress', created_at: iso(), expires_at: iso(Date.now() + 86_400_000), ended_at: null,
      archived_at: null, cancel_initiated_at: null, results_url: null, request_counts: { processing: requests.length, succeeded: 0, errored: 0, canceled: 0, expired: 0 },
    };
    batches.set(object.id, { key, object: { object, requests: requests as Batch['requests'] } });
    return ok(key, object);
  });
  scope.get('/v1/messages/batches', async (req, reply) => {
    const key = await admit(req, reply, true);
    if (!key) return reply;
    const data = batches.values().filter((b) => b.key === key).map((b) => b.object.object).reverse();
    return ok(key, { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null });
  });
  scope.get('/v1/messages/batches/:id', async (req, reply) => {
    const mine = await own(req, reply);
    if (!mine) return reply;
    end(mine.key, mine.batch, here(req));
    return ok(mine.key, mine.batch.object);
  });
  scope.post('/v1/messages/batches/:id/cancel', async (req, reply) => {
    const mine = await own(req, reply);
    if (!mine) return reply;
    end(mine.key, mine.batch, here(req), true);
    return ok(mine.key, mine.batch.object);
  });
  scope.get('/v1/messages/batches/:id/results', async (req, reply) => {
    const mine = await own(req, reply);
    if (!mine) return reply;
    if (mine.batch.results === undefined) return invalid(reply, 'the batch has not ended');
    count(mine.key, '200');
    return reply.type('application/binary').send(Buffer.from(mine.batch.results));
  });
  scope.delete('/v1/messages/batches/:id', async (req, reply) => {
    const mine = await own(req, reply);
    if (!mine) return reply;
    if (mine.batch.results === undefined) return invalid(reply, 'a batch is deleted once it has ended');
    batches.delete(String(mine.batch.object.id));
    return ok(mine.key, { id: mine.batch.object.id, type: 'message_batch_deleted' });
  });
}
