import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { RequestLogger } from '../../src/http/request-logger.ts';

/** A real pino logger (fastify's) at `level`, writing its lines into `lines`. */
function pinoAt(level: string) {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({ write(chunk, _enc, done) { lines.push(JSON.parse(String(chunk))); done(); } });
  const app = Fastify({ logger: { level, stream } });
  return { log: app.log, lines };
}

describe('a request\'s logger', () => {
  it('makes no child for a line below the level, and writes one with the request\'s bindings at or above it', () => {
    const { log, lines } = pinoAt('warn');
    let made = 0;
    const logger = new RequestLogger(log, () => { made++; return { reqId: 'r1', trace_id: 't1' }; });
    logger.info('quiet');
    logger.debug({ a: 1 }, 'quieter');
    assert.equal(made, 0);
    assert.equal(lines.length, 0);
    logger.warn({ code: 'x' }, 'loud');
    logger.error('louder');
    assert.equal(made, 1, 'the child is made once');
    assert.deepEqual(lines.map((l) => [l.msg, l.reqId, l.trace_id, l.level]), [['loud', 'r1', 't1', 40], ['louder', 'r1', 't1', 50]]);
    assert.equal(lines[0]!.code, 'x');
  });

  it('follows a route\'s own level, and a level set on it', () => {
    const { log, lines } = pinoAt('warn');
    const logger = new RequestLogger(log, () => ({ reqId: 'r2' }), { level: 'debug' });
    assert.equal(logger.level, 'debug');
    logger.debug('seen');
    logger.trace('unseen');
    logger.level = 'error';
    logger.warn('unseen too');
    assert.deepEqual(lines.map((l) => l.msg), ['seen']);
    assert.deepEqual(logger.child({ sub: 1 }).level, 'error');
  });

  it('writes nothing, and does not throw, over a logger without levels (fastify\'s logger: false)', () => {
    const logger = new RequestLogger(Fastify({ logger: false }).log, () => ({ reqId: 'r3' }));
    assert.doesNotThrow(() => logger.error('nowhere'));
  });
});
