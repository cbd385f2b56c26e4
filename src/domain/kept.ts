/**
 * Objects an upstream keeps at the account that made them: responses (OpenAI's Responses
 * API), files and batches. A request that names one must reach that account; these rules
 * read which objects an answer shows and which a request names.
 */

/** What an upstream keeps: a response, a file or a batch (its answers' `object`). */
const kinds = ['response', 'file', 'batch'] as const;
export type KeptKind = typeof kinds[number];

/** An object an answer shows: its id, kind, and for files and batches the object itself (to list them). */
export interface KeptObject {
  id: string;
  kind: KeptKind;
  object?: Record<string, unknown>;
}

/** What an answer tells of kept objects: those it shows (a batch also shows its output and error files), and one deleted. */
export interface KeptAnswer {
  kept: KeptObject[];
  deleted?: string;
}

const textOf = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/**
 * The kept objects an upstream's JSON answer shows: a response, a file, a batch (and the
 * files a batch wrote), or the deletion of one.
 *
 * @example
 * keptIn({ id: 'batch_1', object: 'batch', status: 'completed', output_file_id: 'file-2', error_file_id: null })
 * // → { kept: [{ id: 'batch_1', kind: 'batch', object: {…} }, { id: 'file-2', kind: 'file' }] }
 * keptIn({ id: 'file-1', object: 'file', deleted: true }) // → { kept: [], deleted: 'file-1' }
 */
export function keptIn(answer: Record<string, unknown>): KeptAnswer {
  const id = textOf(answer.id);
  const kind = kinds.find((k) => k === answer.object);
  if (!id || !kind) return { kept: [] };
  if (answer.deleted === true) return { kept: [], deleted: id };
  if (kind === 'response') return { kept: [{ id, kind }] };
  const written = kind === 'batch' ? [textOf(answer.output_file_id), textOf(answer.error_file_id)].filter((f) => f !== undefined) : [];
  return { kept: [{ id, kind, object: answer }, ...written.map((f) => ({ id: f, kind: 'file' as const }))] };
}

/** A kept object a request names, and where (a field's path, for the error that names it). */
export interface KeptReference {
  field: string;
  id: string;
}

/** Fields that name a kept object wherever they appear in the parts read. */
const naming = ['previous_response_id', 'input_file_id', 'file_id', 'training_file', 'validation_file'];

/**
 * The kept objects a JSON request names: `previous_response_id`, a batch's
 * `input_file_id`, fine-tuning's files, and files in a message's or an input's content
 * parts (`file_id`, or `file.file_id` in chat). Reads the top level and the content parts
 * of `messages` and `input` only, so a long conversation of plain text costs one look a
 * message.
 *
 * @example
 * keptReferences({ model: 'm', input: [{ role: 'user', content: [{ type: 'input_file', file_id: 'file-1' }] }] })
 * // → [{ field: 'input.0.content.0.file_id', id: 'file-1' }]
 */
export function keptReferences(body: Record<string, unknown>): KeptReference[] {
  const found: KeptReference[] = [];
  const read = (part: Record<string, unknown>, at: string) => {
    for (const field of naming) {
      const id = textOf(part[field]);
      if (id) found.push({ field: `${at}${field}`, id });
    }
  };
  read(body, '');
  for (const list of ['messages', 'input'] as const) {
    const items = body[list];
    if (!Array.isArray(items)) continue;
    items.forEach((item: unknown, i) => {
      const content = (item as { content?: unknown } | null)?.content;
      if (!Array.isArray(content)) return;
      content.forEach((part: unknown, j) => {
        if (typeof part !== 'object' || part === null) return;
        const at = `${list}.${i}.content.${j}.`;
        read(part as Record<string, unknown>, at);
        const file = (part as { file?: unknown }).file;
        if (typeof file === 'object' && file !== null) read(file as Record<string, unknown>, `${at}file.`);
      });
    });
  }
  return found;
}
