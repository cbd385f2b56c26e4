import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keptIn, onGateway, ResultsUsage } from '../../src/domain/kept.ts';
import { messageBatchOutgoing } from '../../src/http/message-batches.ts';

describe('message batches', () => {
  const request = (id: string, model: unknown) => ({ custom_id: id, params: { model, max_tokens: 9, messages: [{ role: 'user', content: 'hi' }] } });

  it('routes a batch by its one model and sends each request the upstream\'s; refuses none, mixed or missing models, naming the field', () => {
    const out = messageBatchOutgoing({ requests: [request('a', 'small'), request('b', 'small')] });
    assert.ok(!('refused' in out));
    assert.deepEqual([out.asked, out.free, out.keeps, out.path('x')], ['small', true, true, '/v1/messages/batches']);
    const sent = JSON.parse(out.body('sandbox-small') as string) as { requests: Array<{ custom_id: string; params: { model: string; max_tokens: number } }> };
    assert.deepEqual(sent.requests.map((r) => [r.custom_id, r.params.model, r.params.max_tokens]), [['a', 'sandbox-small', 9], ['b', 'sandbox-small', 9]]);
    const refused = (body: unknown) => ('refused' in messageBatchOutgoing(body) ? (messageBatchOutgoing(body) as { refused: string }).refused.split(':')[0] : 'sent');
    assert.equal(refused({ requests: [request('a', 'small'), request('b', 'lean')] }), 'requests.1.params.model');
    assert.equal(refused({ requests: [request('a', 'small'), request('b', 7)] }), 'requests.1.params.model');
    assert.equal(refused({ requests: [{ custom_id: 'a' }] }), 'requests.0.params.model');
    for (const body of [{ requests: [] }, {}, null, 'x', { requests: 'a' }]) assert.equal(refused(body), 'requests', JSON.stringify(body));
  });

  it('takes a batch to the account of the files its requests name', () => {
    const withFile = { custom_id: 'f', params: { model: 'small', max_tokens: 9, messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'file', file_id: 'file_x' } }] }] } };
    const out = messageBatchOutgoing({ requests: [request('a', 'small'), withFile] });
    assert.ok(!('refused' in out));
    assert.deepEqual(out.refers, [{ field: 'requests.1.params.messages.0.content.0.source.file_id', id: 'file_x' }]);
  });

  it('points a batch\'s results at the gateway; leaves other answers and a batch without results alone', () => {
    const batch = { id: 'msgbatch_1', type: 'message_batch', processing_status: 'ended', results_url: 'https://api.anthropic.com/v1/messages/batches/msgbatch_1/results' };
    assert.deepEqual(onGateway(batch), { ...batch, results_url: '/v1/messages/batches/msgbatch_1/results' });
    assert.equal(onGateway({ ...batch, results_url: null }), undefined);
    assert.equal(onGateway({ ...batch, type: 'message' }), undefined);
    assert.deepEqual(keptIn(batch), { kept: [{ id: 'msgbatch_1', kind: 'message_batch', object: batch, late: true }] });
    assert.deepEqual(keptIn({ id: 'msgbatch_1', type: 'message_batch_deleted' }), { kept: [], deleted: 'msgbatch_1' });
    assert.deepEqual(keptIn({ id: 'msg_1', type: 'message' }), { kept: [] });
  });

  it('sums the tokens of succeeded results, lines split anywhere across chunks; skips other results and bad lines', () => {
    const lines = [
      { custom_id: 'a', result: { type: 'succeeded', message: { usage: { input_tokens: 3, output_tokens: 4 } } } },
      { custom_id: 'b', result: { type: 'errored', error: { type: 'invalid_request_error' } } },
      { custom_id: 'c', result: { type: 'succeeded', message: { usage: { input_tokens: 10, output_tokens: 20 } } } },
      { custom_id: 'd', result: { type: 'succeeded', message: { usage: { input_tokens: -5, output_tokens: '7' } } } },
    ].map((l) => JSON.stringify(l)).join('\n') + '\nnot json\n{"custom_id":"e","result":{"type":"succeeded","message":{"usage":{"input_tokens":1,"output_tokens":1}}}}';
    for (const size of [1, 7, 64, lines.length]) {
      const tokens = new ResultsUsage();
      for (let i = 0; i < lines.length; i += size) tokens.push(lines.slice(i, i + size));
      tokens.end();
      assert.deepEqual([tokens.input, tokens.output], [14, 25], `chunks of ${size}`);
    }
  });

  it('sums an OpenAI batch\'s output file too: chat\'s prompt and completion tokens, the Responses API\'s input and output tokens', () => {
    const tokens = new ResultsUsage();
    tokens.push(`${JSON.stringify({ custom_id: 'a', response: { status_code: 200, body: { usage: { prompt_tokens: 5, completion_tokens: 7 } } }, error: null })}\n`);
    tokens.push(`${JSON.stringify({ custom_id: 'b', response: { status_code: 200, body: { usage: { input_tokens: 1, output_tokens: 2 } } }, error: null })}\n`);
    tokens.push(JSON.stringify({ custom_id: 'c', response: null, error: { code: 'x' } }));
    tokens.end();
    assert.deepEqual([tokens.input, tokens.output], [6, 9]);
  });
});
