/**
 * Anthropic's Message Batches through the gateway: a batch is made through an account of the
 * route its requests' model names (one model a batch; each request's model sent as the
 * pool's upstream model), kept at that account, and its results' tokens are read from their
 * JSON lines on the way to the client. Its `results_url` points at the gateway, not at the
 * upstream (Anthropic's SDK follows it with the client's own key).
 */
import type { Outgoing } from './passthrough.ts';

type Body = Record<string, unknown>;

const isRecord = (value: unknown): value is Body => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * What `POST /v1/messages/batches` sends upstream, or why it is refused (the field named):
 * every request must name the same model.
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
    free: true, keeps: true, refers: [],
    body: (upstreamModel) => JSON.stringify({ ...(body as Body), requests: (requests as Body[]).map((r) => ({ ...r, params: { ...(r.params as Body), model: upstreamModel } })) }),
  };
}

/**
 * A message batch's answer with its `results_url` on the gateway (a path, which the SDK
 * reads against its base URL); undefined for any other answer.
 *
 * @example
 * onGateway({ id: 'msgbatch_1', type: 'message_batch', results_url: 'https://api.anthropic.com/v1/messages/batches/msgbatch_1/results' })
 * // → { id: 'msgbatch_1', type: 'message_batch', results_url: '/v1/messages/batches/msgbatch_1/results' }
 */
export function onGateway(answer: Body): Body | undefined {
  if (answer.type !== 'message_batch' || typeof answer.results_url !== 'string' || typeof answer.id !== 'string') return undefined;
  return { ...answer, results_url: `/v1/messages/batches/${encodeURIComponent(answer.id)}/results` };
}

/**
 * Sums the tokens of a batch's results (JSON lines: `result.message.usage` of each request
 * that succeeded) as they pass.
 *
 * @example
 * const tokens = new ResultsUsage();
 * tokens.push('{"custom_id":"a","result":{"type":"succeeded","message":{"usage":{"input_tokens":3,"output_tokens":4}}}}\n');
 * tokens.end(); [tokens.input, tokens.output] // → [3, 4]
 */
export class ResultsUsage {
  input = 0;
  output = 0;
  private rest = '';

  push(chunk: string): void {
    const lines = (this.rest + chunk).split('\n');
    this.rest = lines.pop()!;
    for (const line of lines) this.read(line);
  }

  end(): void {
    this.read(this.rest);
    this.rest = '';
  }

  private read(line: string): void {
    if (line.trim() === '') return;
    let usage: unknown;
    try {
      usage = (JSON.parse(line) as { result?: { message?: { usage?: unknown } } }).result?.message?.usage;
    } catch {
      return;
    }
    if (!isRecord(usage)) return;
    if (typeof usage.input_tokens === 'number' && usage.input_tokens >= 0) this.input += usage.input_tokens;
    if (typeof usage.output_tokens === 'number' && usage.output_tokens >= 0) this.output += usage.output_tokens;
  }
}
