import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { registerUser } from '../../src/commands/users.ts';
import { BACKLOG_CLOSE_CODE } from '../../src/http/feed.ts';
import { START } from '../../src/store/port.ts';
import { startTestRoster, type TestRoster } from '../support/roster.ts';
import { until } from '../support/sandbox.ts';

interface Message { topic: string; position: string; event?: { id: string; stream: string; type: string; data: Record<string, unknown> }; pool?: string; counts?: Record<string, number>; health?: string }

/** Debian's python3, else the one on PATH. */
const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

/** A feed client that keeps every message it gets. */
function connect(t: TestRoster, query: string, options: { token?: string | null } = {}) {
  const token = options.token === undefined ? t.token : options.token;
  const ws = new WebSocket(`${t.roster.url.replace('http', 'ws')}/ws?${query}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const messages: Message[] = [];
  ws.on('message', (data) => messages.push(JSON.parse(String(data))));
  const opened = new Promise<void>((ok, fail) => {
    ws.once('open', () => ok());
    ws.once('unexpected-response', (req, res) => {
      req.destroy();
      fail(new Error(`HTTP ${res.statusCode}`));
    });
    ws.once('error', fail);
  });
  const closed = new Promise<{ code: number; reason: string }>((ok) => ws.once('close', (code, reason) => ok({ code, reason: String(reason) })));
  return { ws, messages, opened, closed };
}

describe('the live feed at /ws', () => {
  let t: TestRoster;
  before(async () => {
    t = await startTestRoster({ ROSTER_FEED_MAX_BACKLOG_BYTES: '65536', ROSTER_FEED_MAX_PER_CALLER: '2' });
    await t.call('POST', '/v1/pools', { poolId: 'feed', name: 'Feed', minSize: 10 });
    const lines = Array.from({ length: 40 }, (_, i) => `feed${i}@example.test:password-${i}`).join('\n');
    assert.equal((await t.call('POST', '/v1/pools/feed/accounts', { lines })).status, 200);
  });
  after(async () => t?.stop());

  const pair = async () => {
    const { status, body } = await t.call('POST', '/v1/pools/feed/sessions', { holder: 'feed-test' });
    assert.equal(status, 201, `allocation: ${JSON.stringify(body)}`);
    const released = await t.call('POST', `/v1/pools/feed/sessions/${body.sessionId}/release`, { leaseSecret: body.leaseSecret });
    assert.ok(released.status === 200 && released.body.released, `release: ${released.status} ${JSON.stringify(released.body)}`);
    return released.body.position as string;
  };

  /**
   * The pool's events after `from` up to `head`, an event known to be written. A committed
   * event stays unreadable while an older transaction is open (the projection runner's, say),
   * so the store is read until it hands out `head`.
   */
  const poolEventsUpTo = async (from: string, head: string) => {
    let events: Awaited<ReturnType<typeof t.roster.services.store.readAll>> = [];
    await until(`the store to hand out ${head}`, async () =>
      (events = await t.roster.services.store.readAll({ from, limit: 10_000, filter: { streamPrefixes: ['pool-feed'] } })).some((e) => e.position === head));
    return events.filter((e) => e.position <= head);
  };

  it('needs a token and a sound query', async () => {
    await assert.rejects(connect(t, 'topics=events', { token: null }).opened, /HTTP 401/);
    await assert.rejects(connect(t, 'topics=gossip').opened, /HTTP 400/);
    // A position past the log's end would wait for events that never come: refused.
    await assert.rejects(connect(t, `topics=events&from=${'9'.repeat(20)}.${'0'.repeat(20)}`).opened, /HTTP 400/);
  });

  it('holds one caller (not an admin) to its number of connections at once; another caller, or a closed socket, makes room', async () => {
    const viewer = async (email: string) => {
      await registerUser(t.roster.services.users, { email, password: `pw of ${email}`, role: 'viewer', verified: true }, { actor: 'test', correlationId: 'c' });
      return (await t.call('POST', '/v1/auth/login', { email, password: `pw of ${email}` }, { token: null })).body.accessToken as string;
    };
    const [vera, walt] = [await viewer('vera@example.test'), await viewer('walt@example.test')];
    const gauge = async () => Number(/^roster_feed_connections(?:\{[^}]*\})? (\d+)$/m.exec(String((await t.call('GET', '/metrics')).body))?.[1]);
    const openBefore = await gauge();
    const first = connect(t, 'topics=health', { token: vera });
    const second = connect(t, 'topics=health', { token: vera });
    await Promise.all([first.opened, second.opened]);
    await assert.rejects(connect(t, 'topics=health', { token: vera }).opened, /HTTP 429/);
    const other = connect(t, 'topics=health', { token: walt });
    await other.opened;
    const admins = Array.from({ length: 3 }, () => connect(t, 'topics=health'));
    await Promise.all(admins.map((a) => a.opened));
    assert.equal(await gauge(), openBefore + 6, 'the gauge counts the six open (the refused one not)');
    first.ws.close();
    await first.closed;
    let again: ReturnType<typeof connect> | undefined;
    await until('a place freed', async () => {
      again = connect(t, 'topics=health', { token: vera });
      return again.opened.then(() => true, () => false);
    });
    for (const c of [second, other, again!, ...admins]) c.ws.close();
  });

  it('a client cut in the middle of a burst resumes from its last position with no gap and no duplicate', async () => {
    const start = await t.roster.services.store.headPosition();
    const first = connect(t, `topics=events&pool=feed&from=${encodeURIComponent(start)}`);
    await first.opened;
    let bursting = true;
    const released: string[] = [];
    const burst = (async () => {
      for (let i = 0; i < 150; i++) released.push(...await Promise.all([pair(), pair()]));
      bursting = false;
    })();
    await until('messages before the cut', async () => first.messages.length >= 60);
    first.ws.terminate();
    const seen = [...first.messages];
    assert.ok(bursting, 'the cut came in the middle of the burst');
    const last = seen.at(-1)!.position;
    const second = connect(t, `topics=events&pool=feed&from=${encodeURIComponent(last)}`);
    await second.opened;
    await burst;
    // The later release of the last two pairs is the pool's last event.
    const head = released.sort().at(-1)!;
    const expected = await poolEventsUpTo(start, head);
    await until('the resumed client to reach the head', async () => second.messages.at(-1)?.position === expected.at(-1)!.position);
    const received = [...seen, ...second.messages];
    assert.equal(new Set(received.map((m) => m.event!.id)).size, received.length, 'no duplicate');
    assert.deepEqual(received.map((m) => m.event!.id), expected.map((e) => e.id), 'no gap: exactly the store\'s events, in order');
    assert.deepEqual(received.map((m) => m.position), expected.map((e) => e.position));
    second.ws.close();
  });

  it('serves many clients from one store subscription, each resuming from its own position', async () => {
    await until('earlier clients to leave', async () => t.roster.services.feed.open === 0);
    const subscriptions = t.roster.services.feed.hub.subscriptions;
    const from = await t.roster.services.store.headPosition();
    await pair();
    const middle = await t.roster.services.store.headPosition();
    const live = Array.from({ length: 20 }, () => connect(t, 'topics=events&pool=feed'));
    const resumed = Array.from({ length: 10 }, (_, i) => connect(t, `topics=events&pool=feed&from=${encodeURIComponent(i % 2 ? from : middle)}`));
    await Promise.all([...live, ...resumed].map((c) => c.opened));
    // The release is the pool's last event so far.
    const head = await pair();
    const all = await poolEventsUpTo(from, head);
    const after = (p: string) => all.filter((e) => e.position > p).map((e) => e.id);
    // Up to the head read above (a later event of the pool, e.g. an expiry, may follow it).
    const upToHead = (c: { messages: Message[] }) => c.messages.filter((m) => m.position <= head);
    const last = all.at(-1)!.position;
    await until('every client to reach the head', async () => [...live, ...resumed].every((c) => upToHead(c).at(-1)?.position === last)).catch((e: Error) => {
      const seen = (c: { messages: Message[] }) => c.messages.map((m) => `${m.event?.type}@${m.position}`);
      throw new Error(`${e.message}: a live client ${JSON.stringify(seen(live[0]!))}, one resumed from the start ${JSON.stringify(seen(resumed[1]!))}; `
        + `the store up to the head ${head}: ${JSON.stringify(all.map((e) => `${e.type}@${e.position}`))}`);
    });
    for (const c of live) assert.deepEqual(upToHead(c).map((m) => m.event!.id), after(middle).slice(-2), 'a live client gets the pair after it connected');
    resumed.forEach((c, i) => assert.deepEqual(upToHead(c).map((m) => m.event!.id), after(i % 2 ? from : middle)));
    assert.equal(t.roster.services.feed.hub.subscriptions - subscriptions, 1, 'one subscription for all 30 clients');
    for (const c of [...live, ...resumed]) c.ws.close();
  });

  it('with hello, first names the position it starts after: a read at it and the feed together miss nothing', async () => {
    const before = await t.roster.services.store.headPosition();
    // A change the client's first read may not have seen: the hello's position is past it.
    const { body: early } = await t.call('POST', '/v1/pools/feed/sessions', { holder: 'before-hello' });
    const c = connect(t, 'topics=events&pool=feed&hello=true');
    await until('the hello', async () => c.messages.length >= 1);
    const hello = c.messages[0]!;
    assert.equal(hello.topic, 'hello');
    assert.ok(hello.position! > before && hello.position! >= early.position, 'the feed starts after what was written before it opened');
    const read = await t.call('GET', `/v1/pools/feed/sessions/${early.sessionId}?position=${hello.position}`);
    assert.equal(read.body.holder, 'before-hello', 'a read at the hello position holds what came before');
    const { body: late } = await t.call('POST', '/v1/pools/feed/sessions', { holder: 'after-hello' });
    await until('the later allocation', async () => c.messages.some((m) => m.event?.type === 'SessionAllocated'));
    const allocations = c.messages.filter((m) => m.event?.type === 'SessionAllocated');
    assert.deepEqual(allocations.map((m) => m.event!.data.sessionId), [late.sessionId], 'only what came after, once');
    for (const b of [early, late]) await t.call('POST', `/v1/pools/feed/sessions/${b.sessionId}/release`, { leaseSecret: b.leaseSecret });
    c.ws.close();
  });

  it('filters events by account and type', async () => {
    const from = await t.roster.services.store.headPosition();
    const { body } = await t.call('POST', '/v1/pools/feed/sessions', { holder: 'filter' });
    const accountId = body.leases[0].accountId;
    await t.call('POST', `/v1/pools/feed/sessions/${body.sessionId}/release`, { leaseSecret: body.leaseSecret });
    await pair();
    const c = connect(t, `topics=events&account=${accountId}&types=SessionReleased&from=${encodeURIComponent(from)}`);
    await until('the release', async () => c.messages.length >= 1);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(c.messages.length, 1, JSON.stringify(c.messages));
    assert.equal(c.messages[0]!.event!.type, 'SessionReleased');
    c.ws.close();
  });

  it('pool health comes at once, then on change and at most every interval', async () => {
    const c = connect(t, 'topics=health&pool=feed&healthIntervalMs=500');
    await until('the first health message', async () => c.messages.length >= 1);
    assert.equal(c.messages[0]!.pool, 'feed');
    assert.equal(c.messages[0]!.counts!.total, 40);
    const held = (await t.call('POST', '/v1/pools/feed/sessions', { holder: 'health', count: 3 })).body;
    await until('health with 3 leased', async () => c.messages.find((m) => m.counts?.leased === 3));
    const startedAt = Date.now();
    const before = c.messages.length;
    while (Date.now() - startedAt < 2000) await pair();
    const sent = c.messages.length - before;
    assert.ok(sent <= Math.ceil((Date.now() - startedAt) / 500) + 1, `coalesced: ${sent} health messages in ${Date.now() - startedAt} ms`);
    assert.ok(c.messages.every((m) => m.topic === 'health' && typeof m.position === 'string'));
    await t.call('POST', `/v1/pools/feed/sessions/${held.sessionId}/release`, { leaseSecret: held.leaseSecret });
    c.ws.close();
  });

  it('a client that never reads is closed at the backlog limit, and the server\'s buffer stays bounded', async (ctx) => {
    // 20,000 events (some 10 MB) against a client whose receive buffer is 4 KB (test/support/slow_ws_client.py).
    // The server's own send buffer still grows (to tcp_wmem's 4 MB at most): while it absorbs all, more events follow.
    await t.call('POST', '/v1/pools', { poolId: 'bulk', name: 'Bulk' });
    const importBatch = async (batch: number) => {
      const lines = Array.from({ length: 5_000 }, (_, i) => `bulk-account-with-a-long-name-${batch * 5_000 + i}@example.test:password-${i}`).join('\n');
      // On a loaded machine a batch may wait past the pool's 5 s for a connection: 503, try again, as a client would.
      let answer = await t.call('POST', '/v1/pools/bulk/accounts', { lines });
      for (let tries = 1; answer.status === 503 && tries < 5; tries++) answer = await t.call('POST', '/v1/pools/bulk/accounts', { lines });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
    };
    for (let batch = 0; batch < 4; batch++) await importBatch(batch);
    const stats = t.roster.services.feed;
    const closedBefore = stats.closedForBacklog;
    const { port } = new URL(t.roster.url);
    const client = spawn(python, [fileURLToPath(new URL('../support/slow_ws_client.py', import.meta.url)), '127.0.0.1', port, `/ws?topics=events&from=${START}`, t.token]);
    const lines = createInterface({ input: client.stdout });
    const line = async () => (await once(lines, 'line'))[0] as string;
    try {
      assert.match(await line(), /^HTTP\/1\.1 101/);
      const closed = async () => stats.closedForBacklog > closedBefore;
      for (let batch = 4; batch < 10 && !(await until('a close', closed, 5000).catch(() => false)); batch++) await importBatch(batch);
      await until('the server to close the slow client', closed).catch((e: Error) => {
        throw new Error(`${e.message}: ${JSON.stringify({ open: stats.open, maxBacklog: stats.maxBacklog, closed: stats.closedForBacklog - closedBefore })}`);
      });
      assert.ok(stats.maxBacklog <= 65536 + 64 * 1024, `backlog stayed bounded: ${stats.maxBacklog} bytes`);
      // Now it reads: what the kernel held, then the close frame (the server ends the socket a second after it).
      client.stdin.write('read\n');
      const [messages, code, ...reason] = (await line()).split(' ');
      assert.deepEqual([Number(code), reason.join(' ')], [BACKLOG_CLOSE_CODE, 'backlog limit']);
      const metrics = String((await t.call('GET', '/metrics')).body);
      assert.equal(Number(/^roster_feed_closed_total\{reason="backlog"[^}]*\} (\d+)$/m.exec(metrics)?.[1]), stats.closedForBacklog, 'each close counted in the metrics');
      const logged = Number((await t.db.pool.query('SELECT count(*) AS n FROM events')).rows[0].n);
      ctx.diagnostic(`the slow client got ${messages} of ${logged} events before the close; the server's backlog peaked at ${stats.maxBacklog} bytes`);
      assert.ok(Number(messages) > 0 && Number(messages) < logged, `the client got ${messages} messages, not the whole log (${logged})`);
    } finally {
      client.kill();
    }
  });

  it('a second server process on the same store feeds what the first one writes, from the moment the socket opened', async () => {
    const other = await startTestRoster({ ROSTER_DB_POOL_SIZE: '2' }, t.db);
    try {
      // The other server's connections are all busy, so it is slow to learn where "now" is;
      // the client must still get what is appended once its socket is open.
      assert.equal((await other.call('GET', '/v1/pools')).status, 200); // its token is known now
      const busy = [1, 2].map(() => other.roster.services.db.query('SELECT pg_sleep(1)'));
      const c = connect(other, 'topics=events&pool=feed&types=SessionAllocated');
      await c.opened;
      await pair();
      await Promise.all(busy);
      await until('the allocation through the other server', async () => c.messages.length >= 1);
      assert.equal(c.messages[0]!.event!.type, 'SessionAllocated');
      c.ws.close();
    } finally {
      await other.stop();
    }
  });
});
