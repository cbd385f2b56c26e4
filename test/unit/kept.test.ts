import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countsLater, finishedAtOf, finishedUnreported, keptIn, keptReferences, lateUsage } from '../../src/domain/kept.ts';

describe('kept objects', () => {
  it('reads what an answer shows: a response, a file, a batch and the files it wrote, a deletion; nothing else', () => {
    assert.deepEqual(keptIn({ id: 'resp_1', object: 'response', output: [] }), { kept: [{ id: 'resp_1', kind: 'response' }] });
    const file = { id: 'file-1', object: 'file', purpose: 'batch' };
    assert.deepEqual(keptIn(file), { kept: [{ id: 'file-1', kind: 'file', object: file }] });
    const batch = { id: 'batch_1', object: 'batch', status: 'completed', output_file_id: 'file-2', error_file_id: 'file-3' };
    assert.deepEqual(keptIn(batch), { kept: [{ id: 'batch_1', kind: 'batch', object: batch, late: true }, { id: 'file-2', kind: 'file' }, { id: 'file-3', kind: 'file' }] });
    assert.deepEqual(keptIn({ ...batch, output_file_id: null, error_file_id: '' }).kept.length, 1);
    assert.deepEqual(keptIn({ id: 'file-1', object: 'file', deleted: true }), { kept: [], deleted: 'file-1' });
    // An upload: pending, then completed with the file it made, shown whole (to be listed among files).
    const pending = { id: 'upload_1', object: 'upload', status: 'pending', file: null };
    assert.deepEqual(keptIn(pending), { kept: [{ id: 'upload_1', kind: 'upload', object: pending }] });
    const completed = { ...pending, status: 'completed', file: { id: 'file-9', object: 'file', purpose: 'batch', bytes: 12 } };
    assert.deepEqual(keptIn(completed), { kept: [{ id: 'upload_1', kind: 'upload', object: completed }, { id: 'file-9', kind: 'file', object: completed.file }] });
    assert.deepEqual(keptIn({ id: 'part_1', object: 'upload.part', upload_id: 'upload_1' }), { kept: [] });
    // Anthropic's, by `type`: its files kept apart from OpenAI's.
    const anthropicFile = { id: 'file_1', type: 'file', filename: 'a.txt', size_bytes: 3 };
    assert.deepEqual(keptIn(anthropicFile), { kept: [{ id: 'file_1', kind: 'anthropic_file', object: anthropicFile }] });
    assert.deepEqual(keptIn({ id: 'file_1', type: 'file_deleted' }), { kept: [], deleted: 'file_1' });
    assert.deepEqual(keptIn({ id: 'msgbatch_1', type: 'message_batch_deleted' }), { kept: [], deleted: 'msgbatch_1' });
    for (const other of [{ id: 'chatcmpl-1', object: 'chat.completion' }, { object: 'file' }, { id: 7, object: 'batch' }, { object: 'list', data: [file] }, { id: 'msg_1', type: 'message' }, { id: 'x', type: 'message_deleted' }]) {
      assert.deepEqual(keptIn(other), { kept: [] }, JSON.stringify(other));
    }
  });

  it('finds the objects a request names, with the path of each field: top level and content parts of messages and input', () => {
    assert.deepEqual(keptReferences({ model: 'm', previous_response_id: 'resp_1', input: 'hi' }), [{ field: 'previous_response_id', id: 'resp_1' }]);
    assert.deepEqual(keptReferences({ training_file: 'file-t', validation_file: 'file-v' }).map((r) => r.field), ['training_file', 'validation_file']);
    const chat = {
      messages: [
        { role: 'system', content: 'plain text is not read' },
        { role: 'user', content: [{ type: 'text', text: 'file_id' }, { type: 'file', file: { file_id: 'file-a' } }, null, 'x'] },
      ],
      input: [{ role: 'user', content: [{ type: 'input_file', file_id: 'file-b' }] }],
    };
    assert.deepEqual(keptReferences(chat), [{ field: 'messages.1.content.1.file.file_id', id: 'file-a' }, { field: 'input.0.content.0.file_id', id: 'file-b' }]);
    assert.deepEqual(keptReferences({ file_id: '', previous_response_id: 3, messages: 'no', input: [null, { content: {} }] }), []);
    const document = { messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'file', file_id: 'file_d' } }, { type: 'image', source: { type: 'base64', data: 'AA' } }] }] };
    assert.deepEqual(keptReferences(document), [{ field: 'messages.0.content.0.source.file_id', id: 'file_d' }], 'Anthropic\'s documents from its Files API');
  });

  it('reads vector stores, fine-tuning jobs (and the model one made), conversations and containers, and their deletions as `<kind>.deleted`; a store\'s file deleted is not the file', () => {
    for (const [id, kind] of [['vs_1', 'vector_store'], ['ftjob-1', 'fine_tuning.job'], ['conv_1', 'conversation'], ['cntr_1', 'container']]) {
      const object = { id, object: kind, created_at: 1 };
      assert.deepEqual(keptIn(object), { kept: [{ id, kind, object }] });
      assert.deepEqual(keptIn({ id, object: `${kind}.deleted`, deleted: true }), { kept: [], deleted: id });
    }
    const succeeded = { id: 'ftjob-2', object: 'fine_tuning.job', status: 'succeeded', fine_tuned_model: 'ft:m:org::2', created_at: 5, finished_at: 9, organization_id: 'org-1' };
    const model = { id: 'ft:m:org::2', object: 'model', created: 9, owned_by: 'org-1' };
    assert.deepEqual(keptIn(succeeded), { kept: [{ id: 'ftjob-2', kind: 'fine_tuning.job', object: succeeded }, { id: 'ft:m:org::2', kind: 'fine_tuned_model', object: model }] });
    assert.deepEqual(keptIn({ id: 'ft:m:org::2', object: 'model', deleted: true }), { kept: [], deleted: 'ft:m:org::2' });
    assert.deepEqual(keptIn({ id: 'm', object: 'model' }), { kept: [] }, 'a model shown is not kept');
    assert.deepEqual(keptIn({ id: 'file-1', object: 'vector_store.file', vector_store_id: 'vs_1' }), { kept: [] });
    assert.deepEqual(keptIn({ id: 'file-1', object: 'vector_store.file.deleted', deleted: true }), { kept: [] });
    assert.deepEqual(keptIn({ id: 'vs_1', object: 'vector_store.deleted' }), { kept: [] }, 'a deletion says deleted: true');
  });

  it('finds conversations, containers, files and vector stores named in lists, tools and tool resources', () => {
    assert.deepEqual(keptReferences({ conversation: 'conv_1' }), [{ field: 'conversation', id: 'conv_1' }]);
    assert.deepEqual(keptReferences({ conversation: { id: 'conv_1' } }), [{ field: 'conversation.id', id: 'conv_1' }]);
    assert.deepEqual(keptReferences({ name: 's', file_ids: ['file-a', 7, '', 'file-b'] }), [{ field: 'file_ids.0', id: 'file-a' }, { field: 'file_ids.3', id: 'file-b' }]);
    const responses = {
      model: 'm', input: 'hi',
      tools: [
        { type: 'web_search' },
        { type: 'file_search', vector_store_ids: ['vs_1'] },
        { type: 'code_interpreter', container: 'cntr_1' },
        { type: 'code_interpreter', container: { type: 'auto', file_ids: ['file-c'] } },
      ],
    };
    assert.deepEqual(keptReferences(responses), [
      { field: 'tools.1.vector_store_ids.0', id: 'vs_1' }, { field: 'tools.2.container', id: 'cntr_1' }, { field: 'tools.3.container.file_ids.0', id: 'file-c' },
    ]);
    const resources = { tool_resources: { file_search: { vector_store_ids: ['vs_2'] }, code_interpreter: { file_ids: ['file-d'] }, other: 'x' } };
    assert.deepEqual(keptReferences(resources), [{ field: 'tool_resources.file_search.vector_store_ids.0', id: 'vs_2' }, { field: 'tool_resources.code_interpreter.file_ids.0', id: 'file-d' }]);
    assert.deepEqual(keptReferences({ items: [{ type: 'message', role: 'user', content: [{ type: 'input_file', file_id: 'file-e' }] }] }), [{ field: 'items.0.content.0.file_id', id: 'file-e' }]);
    assert.deepEqual(keptReferences({ tools: 'no', tool_resources: [], vector_store_ids: 'vs_3', conversation: { id: 4 } }), []);
  });

  it('reads the tokens a batch or background response shows once finished, and none before, after or for another answer', () => {
    const usage = { input_tokens: 20, input_tokens_details: { cached_tokens: 0 }, output_tokens: 8, total_tokens: 28 };
    const batch = { id: 'batch_1', object: 'batch', status: 'completed', usage };
    const background = { id: 'resp_1', object: 'response', background: true, status: 'completed', usage };
    assert.deepEqual([countsLater(batch), countsLater(background)], [true, true]);
    assert.deepEqual([countsLater({ ...background, background: false }), countsLater({ id: 'c', object: 'chat.completion' })], [false, false]);
    assert.deepEqual(lateUsage(batch), { id: 'batch_1', input: 20, output: 8, batch: true });
    assert.deepEqual(lateUsage(background), { id: 'resp_1', input: 20, output: 8, batch: false });
    for (const status of ['failed', 'expired', 'cancelled', 'incomplete']) assert.equal(lateUsage({ ...batch, status })?.input, 20, status);
    for (const status of ['validating', 'in_progress', 'finalizing', 'cancelling', 'queued']) assert.equal(lateUsage({ ...batch, status }), undefined, status);
    const others = [
      { ...background, background: false }, { ...batch, usage: null }, { ...batch, usage: { input_tokens: '20', output_tokens: 8 } },
      { ...batch, usage: { input_tokens: -1, output_tokens: 8 } }, { ...batch, usage: { input_tokens: Number.NaN, output_tokens: 8 } }, { ...batch, id: '' },
      { id: 'chatcmpl-1', object: 'chat.completion', status: 'completed', usage },
    ];
    for (const other of others) assert.equal(lateUsage(other), undefined, JSON.stringify(other));
    assert.deepEqual([finishedUnreported({ ...batch, usage: undefined }), finishedUnreported(batch), finishedUnreported({ ...batch, status: 'in_progress', usage: null })], [true, false, false]);
  });

  it('reads the Assistants API: assistants and threads kept with their objects, a run (not listed) and the thread it made, a run\'s tokens once finished, assistants and attachments named', () => {
    const assistant = { id: 'asst_1', object: 'assistant', model: 'm' };
    assert.deepEqual(keptIn(assistant), { kept: [{ id: 'asst_1', kind: 'assistant', object: assistant }] });
    assert.deepEqual(keptIn({ id: 'thread_1', object: 'thread.deleted', deleted: true }), { kept: [], deleted: 'thread_1' });
    const run = { id: 'run_1', object: 'thread.run', thread_id: 'thread_2', status: 'queued', usage: null };
    assert.deepEqual(keptIn(run), { kept: [{ id: 'run_1', kind: 'thread.run', object: run, late: true }, { id: 'thread_2', kind: 'thread' }] });
    assert.equal(keptIn({ id: 'resp_1', object: 'response', background: true, status: 'queued' }).kept[0]!.late, true);
    assert.equal(keptIn({ id: 'resp_2', object: 'response', status: 'completed' }).kept[0]!.late, undefined);
    assert.deepEqual([countsLater(run), lateUsage(run)], [true, undefined]);
    assert.deepEqual(lateUsage({ ...run, status: 'completed', usage: { prompt_tokens: 5, completion_tokens: 4, total_tokens: 9 } }), { id: 'run_1', input: 5, output: 4, batch: false });
    assert.deepEqual(keptReferences({ assistant_id: 'asst_1', thread: { messages: [] } }), [{ field: 'assistant_id', id: 'asst_1' }]);
    assert.deepEqual(keptReferences({ role: 'user', content: 'x', attachments: [{ file_id: 'file-1', tools: [{ type: 'file_search' }] }] }), [{ field: 'attachments.0.file_id', id: 'file-1' }]);
  });

  it('reads when a finished object says it finished', () => {
    assert.equal(finishedAtOf({ object: 'batch', status: 'completed', completed_at: 1796601600 }), 1796601600_000);
    assert.equal(finishedAtOf({ object: 'batch', status: 'failed', failed_at: 1796601601, completed_at: null }), 1796601601_000);
    assert.equal(finishedAtOf({ type: 'message_batch', ended_at: '2026-12-03T23:58:00Z' }), Date.parse('2026-12-03T23:58:00Z'));
    for (const unsaid of [{}, { completed_at: 0 }, { completed_at: '1796601600' }, { ended_at: 'soon' }]) assert.equal(finishedAtOf(unsaid), undefined, JSON.stringify(unsaid));
    const done = { id: 'batch_1', object: 'batch', status: 'completed', completed_at: 1796601600, usage: { input_tokens: 1, output_tokens: 2 } };
    assert.equal(lateUsage(done)?.finishedAt, 1796601600_000);
  });
});
