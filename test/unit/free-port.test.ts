import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { it } from 'node:test';
import { ephemeralPortsStart, freePort } from '../../src/store/embedded.ts';

it('gives free loopback ports below the range of outgoing connections\' ports, which any connection may take', async (t) => {
  const start = ephemeralPortsStart();
  if (start <= 4096) return t.skip(`outgoing connections start at port ${start}: the kernel chooses`);
  for (let i = 0; i < 20; i++) {
    const port = await freePort();
    assert.ok(port > 1024 && port < start, `port ${port} below ${start}`);
    const server = createServer();
    await new Promise<void>((ok, fail) => server.once('error', fail).listen(port, '127.0.0.1', ok));
    await new Promise((ok) => server.close(ok));
  }
});
