import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keptIn, keptReferences } from '../../src/domain/kept.ts';

describe('kept objects', () => {
  it('reads what an answer shows: a response, a file, a batch and the files it wrote, a deletion; nothing else', () => {
    assert.deepEqual(keptIn({ id: 'resp_1', object: 'response', output: [] }), { kept: [{ id: 'resp_1', kind: 'response' }] });
    const file = { id: 'file-1', object: 'file', purpose: 'batch' };
    assert.deepEqual(keptIn(file), { kept: [{ id: 'file-1', kind: 'file', object: file }] });
    const batch = { id: 'batch_1', object: 'batch', status: 'completed', output_file_id: 'file-2', error_file_id: 'file-3' };
    assert.deepEqual(keptIn(batch), { kept: [{ id: 'batch_1', kind: 'batch', object: batch }, { id: 'file-2', kind: 'file' }, { id: 'file-3', kind: 'file' }] });
    assert.deepEqual(keptIn({ ...batch, output_file_id: null, error_file_id: '' }).kept.length, 1);
    assert.deepEqual(keptIn({ id: 'file-1', object: 'file', deleted: true }), { kept: [], deleted: 'file-1' });
    for (const other of [{ id: 'chatcmpl-1', object: 'chat.completion' }, { object: 'file' }, { id: 7, object: 'batch' }, { object: 'list', data: [file] }]) {
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
  });
});
