/**
 * Objects an upstream keeps at the account that made them: responses (OpenAI's Responses
 * API), files, batches, vector stores, fine-tuning jobs, conversations, containers, the
 * Assistants API's assistants, threads and runs, and Anthropic's message batches. A request
 * that names one must reach that account; these rules read which objects an answer shows
 * and which a request names, and the tokens of those whose tokens come after they are made.
 */

/** What an upstream keeps (its answers' `object`; Anthropic's message batches, `type`). */
const kinds = ['response', 'file', 'upload', 'batch', 'vector_store', 'fine_tuning.job', 'conversation', 'container', 'assistant', 'thread', 'thread.run', 'message_batch', 'anthropic_file'] as const;
/** Anthropic's objects say what they are in `type` (`…_deleted` once deleted); its files are kept apart from OpenAI's, whose lists differ. */
const anthropicKinds: Record<string, typeof kinds[number]> = { message_batch: 'message_batch', file: 'anthropic_file' };
/** Those, and a fine-tuned model (which a succeeded job shows, at its account). */
export type KeptKind = typeof kinds[number] | 'fine_tuned_model';

/** An object an answer shows: its id, kind, but for responses the object itself (to list it), and whether its tokens come later. */
export interface KeptObject {
  id: string;
  kind: KeptKind;
  object?: Record<string, unknown>;
  /** A batch, message batch, run or background response: its tokens are counted once it has finished. */
  late?: boolean;
}

/** What an answer tells of kept objects: those it shows (a batch also shows its output and error files), and one deleted. */
export interface KeptAnswer {
  kept: KeptObject[];
  deleted?: string;
}

/**
 * What an object of a kind shows it made: a batch its output and error files (unseen until
 * read), a completed upload its file (shown whole), a fine-tuning job its model (shown as a
 * model, to list it).
 */
const madeBy: Partial<Record<KeptKind, { fields: string[]; kind: KeptKind; shown?: (id: string, maker: Record<string, unknown>) => Record<string, unknown> }>> = {
  batch: { fields: ['output_file_id', 'error_file_id'], kind: 'file' },
  upload: { fields: ['file'], kind: 'file' },
  // A run made with its thread (`POST /v1/threads/runs`) shows the thread.
  'thread.run': { fields: ['thread_id'], kind: 'thread' },
  'fine_tuning.job': {
    fields: ['fine_tuned_model'],
    kind: 'fine_tuned_model',
    shown: (id, job) => ({ id, object: 'model', created: job.finished_at ?? job.created_at ?? 0, owned_by: job.organization_id ?? 'user' }),
  },
};

/** Whether a JSON value is an object (not an array, not null). */
export const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const textOf = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/**
 * The kept objects an upstream's JSON answer shows: one of the kinds above (a batch also
 * shows the files it wrote, a succeeded fine-tuning job its model), or the deletion of one
 * (`object` its kind, or its kind and `.deleted`, as a vector store's deletion answers; a
 * fine-tuned model's, `model`; an Anthropic message batch's, `type: message_batch_deleted`).
 *
 * @example
 * keptIn({ id: 'batch_1', object: 'batch', status: 'completed', output_file_id: 'file-2', error_file_id: null })
 * // → { kept: [{ id: 'batch_1', kind: 'batch', object: {…} }, { id: 'file-2', kind: 'file' }] }
 * keptIn({ id: 'vs_1', object: 'vector_store.deleted', deleted: true }) // → { kept: [], deleted: 'vs_1' }
 */
export function keptIn(answer: Record<string, unknown>): KeptAnswer {
  const id = textOf(answer.id);
  const type = answer.object === undefined ? textOf(answer.type) : undefined;
  const typeDeleted = type?.endsWith('_deleted') === true;
  const shown = textOf(answer.object) ?? (type === undefined ? undefined : anthropicKinds[typeDeleted ? type.slice(0, -'_deleted'.length) : type]);
  // Anthropic's deletions show `message_batch_deleted`, `file_deleted`.
  const deleted = answer.deleted === true || typeDeleted;
  // A fine-tuned model's deletion shows a model.
  const kind = kinds.find((k) => k === (deleted ? shown?.replace(/[._]deleted$/, '') : shown)) ?? (deleted && shown === 'model' ? 'fine_tuned_model' : undefined);
  if (!id || !kind) return { kept: [] };
  if (deleted) return { kept: [], deleted: id };
  const made = madeBy[kind];
  // A field names what was made by its id, or shows it whole.
  const written = (made?.fields ?? []).map((f) => answer[f]).flatMap((m) => {
    const madeId = textOf(m) ?? (isRecord(m) ? textOf(m.id) : undefined);
    if (madeId === undefined) return [];
    const object = made!.shown ? made!.shown(madeId, answer) : isRecord(m) ? m : undefined;
    return [{ id: madeId, kind: made!.kind, ...(object ? { object } : {}) }];
  });
  // Responses are not listed from Roster's table, nor kept whole (a run is, for its thread's id).
  return { kept: [{ id, kind, ...(kind === 'response' ? {} : { object: answer }), ...(countsLater(answer) ? { late: true } : {}) }, ...written] };
}

/**
 * Tokens counted after the request that made their object; `batch`: a batch's, priced as
 * batch tokens; `finishedAt`: when the object finished (ms), the usage day they go to.
 */
export interface LateTokens {
  input: number;
  output: number;
  batch?: boolean;
  finishedAt?: number;
}

/** Tokens an upstream reports for an object after the request that made it (whether they are a batch's, always said). */
export interface LateUsage extends LateTokens {
  id: string;
  batch: boolean;
}

/**
 * When an object that finished says it did (ms): OpenAI's `completed_at`, `failed_at`,
 * `cancelled_at`, `expired_at` or `incomplete_at` (seconds), Anthropic's `ended_at` (a date).
 *
 * @example
 * finishedAtOf({ object: 'batch', status: 'completed', completed_at: 1796601600 }) // → 1796601600000
 */
export function finishedAtOf(answer: Record<string, unknown>): number | undefined {
  for (const field of ['completed_at', 'failed_at', 'cancelled_at', 'expired_at', 'incomplete_at']) {
    const at = answer[field];
    if (typeof at === 'number' && at > 0) return at * 1000;
  }
  const ended = typeof answer.ended_at === 'string' ? Date.parse(answer.ended_at) : NaN;
  return Number.isFinite(ended) ? ended : undefined;
}

/** Statuses after which an object's usage grows no more. */
const finished = ['completed', 'failed', 'expired', 'cancelled', 'incomplete'];

/**
 * Whether an answer's tokens are reported later, not with it: a batch's (its requests',
 * once it has finished; an Anthropic message batch's, in its results), a background
 * response's and an assistant's run's (once it has run). The request that makes one counts
 * none.
 *
 * @example
 * countsLater({ id: 'resp_1', object: 'response', background: true, status: 'queued', usage: null }) // → true
 * countsLater({ id: 'resp_2', object: 'response', status: 'completed', usage: { input_tokens: 3, output_tokens: 5 } }) // → false
 */
export function countsLater(answer: Record<string, unknown>): boolean {
  return answer.object === 'batch' || answer.object === 'thread.run' || answer.type === 'message_batch' || (answer.object === 'response' && answer.background === true);
}

/**
 * The tokens a finished batch, background response or run reports (OpenAI shows a batch's
 * `usage` once it has finished), to be counted once, when first read finished; none while
 * it runs, or for an object whose tokens came with it.
 *
 * @example
 * lateUsage({ id: 'batch_1', object: 'batch', status: 'completed', usage: { input_tokens: 20, output_tokens: 8, total_tokens: 28 } })
 * // → { id: 'batch_1', input: 20, output: 8 }
 * lateUsage({ id: 'batch_1', object: 'batch', status: 'in_progress', usage: { input_tokens: 5, output_tokens: 0 } }) // → undefined
 */
export function lateUsage(answer: Record<string, unknown>): LateUsage | undefined {
  const id = textOf(answer.id);
  if (!id || !countsLater(answer) || !finished.includes(String(answer.status)) || !isRecord(answer.usage)) return undefined;
  // A run says prompt and completion tokens, as chat does.
  const input = answer.usage.input_tokens ?? answer.usage.prompt_tokens;
  const output = answer.usage.output_tokens ?? answer.usage.completion_tokens;
  if (typeof input !== 'number' || typeof output !== 'number' || !(input >= 0) || !(output >= 0)) return undefined;
  const finishedAt = finishedAtOf(answer);
  return { id, input, output, batch: answer.object === 'batch', ...(finishedAt !== undefined ? { finishedAt } : {}) };
}

/**
 * Whether an object whose tokens come later has finished without showing them (a batch
 * made before OpenAI showed a batch's `usage`, or at an upstream that shows none): its
 * tokens are in its output file, if anywhere.
 *
 * @example
 * finishedUnreported({ id: 'batch_1', object: 'batch', status: 'completed', output_file_id: 'file-2' }) // → true
 */
export function finishedUnreported(answer: Record<string, unknown>): boolean {
  return countsLater(answer) && finished.includes(String(answer.status)) && !isRecord(answer.usage);
}

/** A kept object a request names, and where (a field's path, for the error that names it). */
export interface KeptReference {
  field: string;
  id: string;
}

/** Fields that name a kept object wherever they appear in the parts read. */
const naming = ['previous_response_id', 'input_file_id', 'file_id', 'training_file', 'validation_file', 'conversation', 'container', 'assistant_id'];
/** Fields that name a list of them. */
const namingLists = ['file_ids', 'vector_store_ids'];

/**
 * The kept objects a JSON request names: `previous_response_id`, a Responses request's
 * `conversation` (an id, or an object with one), a batch's `input_file_id`, fine-tuning's
 * files, `file_ids` (a vector store's or a container's), and in its tools and tool resources
 * `vector_store_ids`, `file_ids` and a code interpreter's `container`; a run's
 * `assistant_id`, a thread message's `attachments`; and files in the content parts of
 * `messages`, `input` and a conversation's `items` (`file_id`, or `file.file_id` in chat). Reads those parts only, so a long conversation of plain text
 * costs one look a message.
 *
 * @example
 * keptReferences({ model: 'm', input: [{ role: 'user', content: [{ type: 'input_file', file_id: 'file-1' }] }] })
 * // → [{ field: 'input.0.content.0.file_id', id: 'file-1' }]
 * keptReferences({ model: 'm', input: 'hi', tools: [{ type: 'file_search', vector_store_ids: ['vs_1'] }] })
 * // → [{ field: 'tools.0.vector_store_ids.0', id: 'vs_1' }]
 */
export function keptReferences(body: Record<string, unknown>): KeptReference[] {
  const found: KeptReference[] = [];
  const read = (part: Record<string, unknown>, at: string) => {
    for (const field of naming) {
      const value = part[field];
      const id = textOf(value) ?? (isRecord(value) ? textOf(value.id) : undefined);
      if (id) found.push({ field: `${at}${field}${typeof value === 'string' ? '' : '.id'}`, id });
      if (isRecord(value)) readLists(value, `${at}${field}.`);
    }
    readLists(part, at);
  };
  const readLists = (part: Record<string, unknown>, at: string) => {
    for (const field of namingLists) {
      const ids = part[field];
      if (Array.isArray(ids)) ids.forEach((id: unknown, k) => typeof id === 'string' && id !== '' && found.push({ field: `${at}${field}.${k}`, id }));
    }
  };
  const each = (items: unknown, at: string, visit: (item: Record<string, unknown>, at: string) => void) => {
    if (Array.isArray(items)) items.forEach((item: unknown, i) => isRecord(item) && visit(item, `${at}${i}.`));
  };
  read(body, '');
  each(body.tools, 'tools.', read);
  each(body.attachments, 'attachments.', read);
  if (isRecord(body.tool_resources)) for (const [tool, resources] of Object.entries(body.tool_resources)) if (isRecord(resources)) read(resources, `tool_resources.${tool}.`);
  for (const list of ['messages', 'input', 'items'] as const) {
    each(body[list], `${list}.`, (item, at) => each(item.content, `${at}content.`, (part, partAt) => {
      read(part, partAt);
      if (isRecord(part.file)) read(part.file, `${partAt}file.`);
      // Anthropic's documents and images from its Files API: `source: {type: 'file', file_id}`.
      if (isRecord(part.source)) read(part.source, `${partAt}source.`);
    }));
  }
  return found;
}

/**
 * Sums the tokens of a batch's results as they pass: JSON lines, an Anthropic message
 * batch's (the `result.message.usage` of each request that succeeded) or an OpenAI batch's
 * output file (the `response.body.usage` of each: prompt and completion tokens, or input
 * and output tokens).
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
      const result = JSON.parse(line) as { result?: { message?: { usage?: unknown } }; response?: { body?: { usage?: unknown } } };
      usage = result.result?.message?.usage ?? result.response?.body?.usage;
    } catch {
      return;
    }
    if (!isRecord(usage)) return;
    const input = usage.input_tokens ?? usage.prompt_tokens;
    const output = usage.output_tokens ?? usage.completion_tokens;
    if (typeof input === 'number' && input >= 0) this.input += input;
    if (typeof output === 'number' && output >= 0) this.output += output;
  }
}

/**
 * A message batch's answer with its `results_url` on the gateway (a path, which the SDK
 * reads against its base URL); undefined for any other answer.
 *
 * @example
 * onGateway({ id: 'msgbatch_1', type: 'message_batch', results_url: 'https://api.anthropic.com/v1/messages/batches/msgbatch_1/results' })
 * // → { id: 'msgbatch_1', type: 'message_batch', results_url: '/v1/messages/batches/msgbatch_1/results' }
 */
export function onGateway(answer: Record<string, unknown>): Record<string, unknown> | undefined {
  if (answer.type !== 'message_batch' || typeof answer.results_url !== 'string' || typeof answer.id !== 'string') return undefined;
  return { ...answer, results_url: `/v1/messages/batches/${encodeURIComponent(answer.id)}/results` };
}
