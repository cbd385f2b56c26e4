/**
 * Anthropic's Message Batches through the gateway: a batch is made through an account of the
 * route its requests' model names (one model a batch; each request's model sent as the
 * pool's upstream model), then kept at that account (`domain/kept.ts` reads its answers,
 * its results' tokens, and points its `results_url` at the gateway).
 */
import { isRecord, keptReferences } from '../domain/kept.ts';
import type { Outgoing } from './passthrough.ts';

type Body = Record<string, unknown>;

/**
 * What `POST /v1/messages/batches` sends upstream, or why it is refused (the field named):
 * every request must name the same model. Files its requests' messages name (Anthropic's
 * Files API) take the batch to their account.
 *
 * @example
 * const out = messageBatchOutgoing({ requests: [{ custom_id: 'a', params: { model: 'small', max_tokens: 9, messages } }] });
 * 'refused' in out ? out.refused : out.body('sandbox-small') // → '{"requests":[{"custom_id":"a","params":{"model":"sandbox-small",…}}]}'
 */
export function messageBatchOutgoing(body: unknown): Outgoing | { refused: string } {
  const requests = isRecord(body) ? body.requests : undefined;
  if (!Array.isArray(requests) || requests.length === 0) return { refused: 'requests: a list of one request or more' };
  let model: string | undefined;
  for (const [i, request] of requests.entries()) {
    const asked = isRecord(request) && isRecord(request.params) ? request.params.model : undefined;
    if (typeof asked !== 'string' || asked === '') return { refused: `requests.${i}.params.model: required` };
    if (model !== undefined && asked !== model) return { refused: `requests.${i}.params.model: ${asked.slice(0, 200)} is not ${model.slice(0, 200)}; one batch asks one model` };
    model = asked;
  }
  return {
    method: 'POST', path: () => '/v1/messages/batches', contentType: 'application/json', asked: model, maxOutput: 0, streaming: false, clientWantsUsage: false, endMarked: false,
    free: true, keeps: true,
    refers: (requests as Body[]).flatMap((r, i) => keptReferences(r.params as Body).map((ref) => ({ field: `requests.${i}.params.${ref.field}`, id: ref.id }))),
    body: (upstreamModel) => JSON.stringify({ ...(body as Body), requests: (requests as Body[]).map((r) => ({ ...r, params: { ...(r.params as Body), model: upstreamModel } })) }),
  };
}
