/**
 * Usage read from streams on their way to the client (src/http/sse-usage.ts): each API's
 * events, what passes to the client, when a stream is whole, and estimates when an
 * upstream gives no figures.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SseUsage } from '../../src/http/sse-usage.ts';

const data = (json: object) => `data: ${JSON.stringify(json)}\n\n`;
const event = (type: string, json: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...json })}\n\n`;

/** Pushes the stream in pieces of `size` characters; answers what reached the client. */
function feed(sse: SseUsage, stream: string, size = 7): string {
  let out = '';
  for (let i = 0; i < stream.length; i += size) out += sse.push(stream.slice(i, i + size));
  return out + sse.end();
}

describe('stream usage', () => {
  const chat = [
    data({ choices: [{ index: 0, delta: { content: 'echo: hi' } }] }),
    data({ choices: [], usage: { prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 } }),
    'data: [DONE]\n\n',
  ].join('');

  it('reads an OpenAI chat stream\'s usage chunk, passed on only when the client asked for it', () => {
    const quiet = new SseUsage('openai', false);
    assert.equal(feed(quiet, chat), chat.replace(data({ choices: [], usage: { prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 } }), ''));
    assert.deepEqual([quiet.usage(), quiet.complete], [{ input: 2, output: 3, estimated: false }, true]);
    const asked = new SseUsage('openai', true);
    assert.equal(feed(asked, chat), chat);
    assert.deepEqual(asked.usage(), { input: 2, output: 3, estimated: false });
  });

  it('reads the Responses API\'s usage from response.completed, which ends the stream', () => {
    const stream = [
      event('response.created', { response: { status: 'in_progress' } }),
      event('response.output_text.delta', { delta: 'echo: one' }),
      event('response.output_text.delta', { delta: ' two' }),
      event('response.completed', { response: { status: 'completed', usage: { input_tokens: 2, output_tokens: 3 } } }),
    ].join('');
    const sse = new SseUsage('openai', false);
    assert.equal(feed(sse, stream), stream, 'every event goes to the client');
    assert.deepEqual([sse.usage(), sse.complete], [{ input: 2, output: 3, estimated: false }, true]);
    // Cut before it completes: not whole, and the output estimated from the text (four characters a token).
    const cut = new SseUsage('openai', false);
    feed(cut, stream.slice(0, stream.indexOf('event: response.completed')));
    assert.deepEqual([cut.usage(), cut.complete], [{ input: 0, output: Math.ceil('echo: one two'.length / 4), estimated: true }, false]);
  });

  it('estimates a legacy completions stream without usage from its text', () => {
    const sse = new SseUsage('openai', false);
    feed(sse, data({ choices: [{ index: 0, text: 'abcdefgh' }] }) + 'data: [DONE]\n\n');
    assert.deepEqual([sse.usage(), sse.complete], [{ input: 0, output: 2, estimated: true }, true]);
  });

  it('reads Anthropic\'s message_start and cumulative message_delta', () => {
    const sse = new SseUsage('anthropic', false);
    feed(sse, [
      event('message_start', { message: { usage: { input_tokens: 5, output_tokens: 1 } } }),
      event('content_block_delta', { delta: { type: 'text_delta', text: 'hi' } }),
      event('message_delta', { usage: { output_tokens: 4 } }),
      event('message_stop', {}),
    ].join(''));
    assert.deepEqual([sse.usage(), sse.complete], [{ input: 5, output: 4, estimated: false }, true]);
  });

  it('takes a stream without an end marker as whole only where none is expected (a pass-through of another API)', () => {
    const unmarked = data({ echo: true }) + data({ choices: [], usage: { prompt_tokens: 1, completion_tokens: 1 } });
    const ours = new SseUsage('openai', true);
    feed(ours, unmarked);
    assert.equal(ours.complete, false);
    const passed = new SseUsage('openai', true, false);
    assert.equal(feed(passed, unmarked), unmarked);
    assert.deepEqual([passed.usage(), passed.complete], [{ input: 1, output: 1, estimated: false }, true]);
  });
});
