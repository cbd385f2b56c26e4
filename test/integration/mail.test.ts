/** The mail worker against a real SMTP server in this process: delivery, retries with backoff, nothing lost over a restart. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { SMTPServer } from 'smtp-server';
import { testDatabase, type TestDatabase } from '../support/db.ts';
import { startTestRoster, type TestRoster } from '../support/roster.ts';
import { until } from '../support/sandbox.ts';

interface Received { to: string; subject: string; body: string }

/** An SMTP server on loopback that keeps what it receives and refuses the first `refusals` recipients with a 451. */
class Inbox {
  readonly received: Received[] = [];
  refusals = 0;
  rcptAttempts = 0;
  private server: SMTPServer | undefined;
  port = 0;

  async listen(port = 0): Promise<void> {
    this.server = new SMTPServer({
      authOptional: true, disabledCommands: ['STARTTLS'], logger: false,
      onRcptTo: (_address, _session, done) => {
        this.rcptAttempts++;
        if (this.refusals > 0) {
          this.refusals--;
          return done(Object.assign(new Error('mailbox busy, try later'), { responseCode: 451 }));
        }
        return done();
      },
      onData: (stream, session, done) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString();
          const [head, ...rest] = raw.split('\r\n\r\n');
          this.received.push({ to: session.envelope.rcptTo[0]!.address, subject: /^Subject: (.*)$/m.exec(head!)?.[1] ?? '', body: rest.join('\r\n\r\n') });
          done();
        });
      },
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  /** Waits for the mail to `to`, up to a deadline. */
  async mailTo(to: string, timeoutMs = 10_000): Promise<Received> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const found = this.received.find((m) => m.to === to);
      if (found) return found;
      if (Date.now() > end) throw new Error(`no mail to ${to} within ${timeoutMs} ms`);
      await sleep(20);
    }
  }
}

const codeIn = (text: string) => /code: (\S+)/.exec(text.replace(/=\r\n/g, ''))![1]!;

describe('mail through SMTP', () => {
  const inbox = new Inbox();
  let t: TestRoster;
  const env = () => ({ ROSTER_SMTP_URL: `smtp://127.0.0.1:${inbox.port}`, ROSTER_MAIL_INTERVAL_MS: '50', ROSTER_MAIL_RETRY_MS: '100', ROSTER_MAIL_FROM: 'Roster <roster@example.test>' });
  const outbox = async (to: string) => (await t.call('GET', `/v1/mail?to=${to}`)).body.items as Array<{ sentAt: string | null; attempts: number; lastError: string | null }>;
  /** A received mail's outbox row: the worker marks it sent just after the server takes it, so it is awaited (bounded). */
  const sentTo = (to: string) => until(`the outbox to mark the mail to ${to} sent`, async () => (await outbox(to)).find((m) => m.sentAt), 5000);
  before(async () => {
    await inbox.listen();
    t = await startTestRoster(env());
  });
  after(async () => {
    await t.stop();
    await inbox.close();
  });

  it('sends the verification mail; its code verifies the address; the outbox marks it sent', async () => {
    const signUp = await t.call('POST', '/v1/auth/register', { email: 'grace@example.test', password: 'grace hopper 1906' }, { token: null });
    assert.equal(signUp.status, 202);
    const mail = await inbox.mailTo('grace@example.test');
    assert.match(mail.subject, /Verify/);
    assert.equal((await t.call('POST', '/v1/auth/verify', { code: codeIn(mail.body) }, { token: null })).status, 200);
    assert.equal((await t.call('POST', '/v1/auth/login', { email: 'grace@example.test', password: 'grace hopper 1906' }, { token: null })).status, 200);
    const sent = await sentTo('grace@example.test');
    assert.ok(sent.sentAt);
    assert.equal(sent.attempts, 1);
  });

  it('retries a refused mail with backoff until the server takes it, and sends it once', async () => {
    inbox.refusals = 2;
    const before = inbox.rcptAttempts;
    await t.call('POST', '/v1/auth/register', { email: 'retry@example.test', password: 'retry password' }, { token: null });
    await inbox.mailTo('retry@example.test');
    assert.equal(inbox.rcptAttempts - before, 3);
    assert.equal(inbox.received.filter((m) => m.to === 'retry@example.test').length, 1);
    const sent = await sentTo('retry@example.test');
    assert.deepEqual([sent.attempts, sent.lastError, Boolean(sent.sentAt)], [3, null, true]);
  });
});

describe('mail over a restart', () => {
  let db: TestDatabase;
  after(async () => db?.drop());

  it('keeps mail the server could not take while Roster stops, and sends it after the restart', async () => {
    db = await testDatabase({ migrate: false });
    const key = { ROSTER_MASTER_KEY: randomBytes(32).toString('hex') };
    // A port nothing listens on yet: every attempt fails to connect.
    const inbox = new Inbox();
    await inbox.listen();
    const port = inbox.port;
    await inbox.close();
    const settings = { ROSTER_SMTP_URL: `smtp://127.0.0.1:${port}`, ROSTER_MAIL_INTERVAL_MS: '50', ROSTER_MAIL_RETRY_MS: '100', ...key };
    const first = await startTestRoster(settings, db);
    await first.call('POST', '/v1/auth/register', { email: 'later@example.test', password: 'password later' }, { token: null });
    let failed: { attempts: number; lastError: string | null } | undefined;
    for (let i = 0; i < 200 && !failed?.attempts; i++) {
      failed = (await first.call('GET', '/v1/mail?to=later@example.test')).body.items[0];
      await sleep(25);
    }
    assert.ok(failed!.attempts >= 1 && failed!.lastError, 'an attempt failed and says why');
    await first.stop();

    await inbox.listen(port);
    const second = await startTestRoster(settings, db);
    try {
      const mail = await inbox.mailTo('later@example.test');
      assert.match(mail.subject, /Verify/);
      assert.equal((await second.call('POST', '/v1/auth/verify', { code: codeIn(mail.body) }, { token: null })).status, 200);
    } finally {
      await second.stop();
      await inbox.close();
    }
  });
});
