import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { modelField, passthrough } from '../../src/http/passthrough.ts';

const form = (parts: string[], boundary = 'xyz') => Buffer.from(`${parts.map((p) => `--${boundary}\r\n${p}\r\n`).join('')}--${boundary}--\r\n`);

describe('the gateway\'s pass-through', () => {
  it('finds a multipart form\'s model field wherever it is, and not a file part named model', () => {
    const body = form([
      'Content-Disposition: form-data; name="model"; filename="model.txt"\r\nContent-Type: text/plain\r\n\r\nnot this',
      'Content-Disposition: form-data; name="file"; filename="a.wav"\r\n\r\nRIFF\r\n--xy bytes that look like a boundary',
      'Content-Disposition: form-data; name="model"\r\n\r\nwhisper-small',
    ]);
    const field = modelField(body, 'xyz')!;
    assert.equal(field.value, 'whisper-small');
    assert.equal(body.subarray(field.start, field.end).toString(), 'whisper-small');
    assert.equal(modelField(form(['Content-Disposition: form-data; name="prompt"\r\n\r\nhi']), 'xyz'), undefined);
    assert.equal(modelField(Buffer.from('--xyz\r\nbroken'), 'xyz'), undefined);
  });

  it('renames the model in a form, a JSON body or the query, and leaves every other byte', () => {
    const body = form(['Content-Disposition: form-data; name="model"\r\n\r\nsmall', 'Content-Disposition: form-data; name="file"; filename="a"\r\n\r\n\u0000\u0001']);
    const multipart = passthrough('POST', '/v1/audio/transcriptions?x=1', { 'content-type': 'multipart/form-data; boundary=xyz' }, body);
    assert.equal(multipart.asked, 'small');
    assert.deepEqual(multipart.body('upstream-small'), Buffer.from(body.toString('latin1').replace('\r\n\r\nsmall\r\n', '\r\n\r\nupstream-small\r\n'), 'latin1'));
    assert.equal(multipart.path('upstream-small'), '/v1/audio/transcriptions?x=1');

    const json = passthrough('POST', '/v1/images/generations', { 'content-type': 'application/json' }, { model: 'img', prompt: 'a cat' });
    assert.deepEqual([json.asked, JSON.parse(String(json.body('up-img'))), json.path('up-img')], ['img', { model: 'up-img', prompt: 'a cat' }, '/v1/images/generations']);

    const modelless = passthrough('POST', '/v1/batches?model=small', { 'content-type': 'application/json' }, { input_file_id: 'f1' });
    assert.deepEqual([modelless.asked, modelless.body('up'), modelless.path('up')], ['small', '{"input_file_id":"f1"}', '/v1/batches?model=up']);

    const query = passthrough('GET', '/v1/files?purpose=batch&model=small', {}, undefined);
    assert.deepEqual([query.asked, query.path('up'), query.body('up')], ['small', '/v1/files?purpose=batch&model=up', undefined]);

    const text = passthrough('POST', '/v1/moderations?model=m', { 'content-type': 'text/plain' }, 'as it came');
    assert.deepEqual([text.asked, String(text.body('up')), text.path('up')], ['m', 'as it came', '/v1/moderations?model=up']);

    assert.equal(passthrough('DELETE', '/v1/files/f1', {}, undefined).asked, undefined);
  });

  it('leaves out a model that only routes the request (files, batches): form part, JSON key or query', () => {
    const fields = ['Content-Disposition: form-data; name="purpose"\r\n\r\nbatch', 'Content-Disposition: form-data; name="file"; filename="a.jsonl"\r\n\r\n{}'];
    const body = form([fields[0]!, 'Content-Disposition: form-data; name="model"\r\n\r\nsmall', fields[1]!]);
    const upload = passthrough('POST', '/v1/files', { 'content-type': 'multipart/form-data; boundary=xyz' }, body, { routeOnly: true });
    assert.equal(upload.asked, 'small');
    assert.deepEqual(upload.body('up'), form(fields), 'the form without its model part, every other byte as sent');

    const first = passthrough('POST', '/v1/files', { 'content-type': 'multipart/form-data; boundary=xyz' }, form(['Content-Disposition: form-data; name="model"\r\n\r\nsmall', ...fields]), { routeOnly: true });
    assert.deepEqual(first.body('up'), form(fields), 'the first part too');

    const query = passthrough('POST', '/v1/files?model=small&x=1', { 'content-type': 'multipart/form-data; boundary=xyz' }, form(fields), { routeOnly: true });
    assert.deepEqual([query.asked, query.path('up'), query.body('up')], ['small', '/v1/files?x=1', form(fields)]);

    const json = passthrough('POST', '/v1/batches', { 'content-type': 'application/json' }, { model: 'small', input_file_id: 'file-1' }, { routeOnly: true });
    assert.deepEqual([json.asked, JSON.parse(String(json.body('up'))), json.path('up')], ['small', { input_file_id: 'file-1' }, '/v1/batches']);
    assert.deepEqual(json.refers, [{ field: 'input_file_id', id: 'file-1' }]);
  });

  it('takes a path\'s default route for a request naming no model: a JSON object then names the route\'s upstream model; a model named, or a kept object, goes its own way', () => {
    const json = { 'content-type': 'application/json' };
    const bare = passthrough('POST', '/v1/moderations', json, { input: 'hi' }, { defaultRoute: 'mod' });
    assert.deepEqual([bare.asked, JSON.parse(String(bare.body('omni'))), bare.path('omni')], ['mod', { input: 'hi', model: 'omni' }, '/v1/moderations']);
    const named = passthrough('POST', '/v1/moderations', json, { input: 'hi', model: 'small' }, { defaultRoute: 'mod' });
    assert.deepEqual([named.asked, JSON.parse(String(named.body('up-small')))], ['small', { input: 'hi', model: 'up-small' }]);
    assert.equal(passthrough('POST', '/v1/moderations?model=small', json, { input: 'hi' }, { defaultRoute: 'mod' }).asked, 'small');
    const pinned = passthrough('POST', '/v1/moderations', json, { input: 'hi', previous_response_id: 'resp_1' }, { defaultRoute: 'mod' });
    assert.equal(pinned.asked, undefined, 'a kept object takes the request to its own account and model');
    const bytes = passthrough('POST', '/v1/images/edits', { 'content-type': 'multipart/form-data; boundary=xyz' }, form(['Content-Disposition: form-data; name="prompt"\r\n\r\nhi']), { defaultRoute: 'img' });
    assert.deepEqual([bytes.asked, bytes.body('up-img')], ['img', form(['Content-Disposition: form-data; name="prompt"\r\n\r\nhi'])], 'a form goes on as it came');
    assert.equal(passthrough('POST', '/v1/moderations', json, { input: 'hi' }).asked, undefined, 'no default: no model');
  });
});
