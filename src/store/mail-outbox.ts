import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { normalizeEmail } from '../domain/user.ts';
import { deriveKey, open, seal } from './secrets.ts';

/** Mail waiting to be sent (or, with no SMTP server, to be read by an admin); bodies sealed, as they carry codes. */
export const mailOutboxSchema = /* sql */ `
CREATE TABLE IF NOT EXISTS mail_outbox (
  mail_id uuid PRIMARY KEY,
  recipient text NOT NULL,
  subject text NOT NULL,
  body bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz,
  attempts integer NOT NULL DEFAULT 0,
  last_error text
);
ALTER TABLE mail_outbox ADD COLUMN IF NOT EXISTS next_attempt_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE mail_outbox ADD COLUMN IF NOT EXISTS claimed_until timestamptz;
DROP INDEX IF EXISTS mail_outbox_unsent;
CREATE INDEX IF NOT EXISTS mail_outbox_due ON mail_outbox (next_attempt_at) WHERE sent_at IS NULL;
`;

export interface Mail {
  mailId: string;
  to: string;
  subject: string;
  text: string;
  createdAt: string;
  sentAt: string | null;
  attempts: number;
  /** Why the last attempt to send it failed (the SMTP server's answer). */
  lastError: string | null;
}

/** Mail claimed for sending. */
export interface DueMail {
  mailId: string;
  to: string;
  subject: string;
  text: string;
  attempts: number;
}

/**
 * The mail outbox on PostgreSQL: a mail is written before the request that makes it
 * answers, so no restart loses it. Its body is sealed with a key derived from the master
 * key (it carries a code that works once).
 *
 * @example
 * await outbox.enqueue('ada@example.test', 'Verify your email', `Your code: ${code}`);
 */
export class MailOutbox {
  private readonly key: Buffer;

  constructor(private readonly pool: pg.Pool, masterKey: Buffer) {
    this.key = deriveKey(masterKey, 'mail-outbox');
  }

  async enqueue(to: string, subject: string, text: string): Promise<string> {
    const mailId = randomUUID();
    await this.pool.query('INSERT INTO mail_outbox (mail_id, recipient, subject, body) VALUES ($1, $2, $3, $4)', [mailId, to, subject, seal(this.key, Buffer.from(text), mailId)]);
    return mailId;
  }

  /** The newest mail first, `to` one recipient (as normalized) only when given. */
  async list(options: { to?: string; limit?: number } = {}): Promise<Mail[]> {
    const { rows } = await this.pool.query<{ mail_id: string; recipient: string; subject: string; body: Buffer; created_at: Date; sent_at: Date | null; attempts: number; last_error: string | null }>(
      `SELECT mail_id, recipient, subject, body, created_at, sent_at, attempts, last_error FROM mail_outbox
       WHERE $1::text IS NULL OR recipient = $1 ORDER BY created_at DESC, mail_id LIMIT $2`,
      [options.to === undefined ? null : normalizeEmail(options.to), options.limit ?? 100],
    );
    return rows.map((r) => ({
      mailId: r.mail_id, to: r.recipient, subject: r.subject, text: open(this.key, r.body, r.mail_id).toString(),
      createdAt: r.created_at.toISOString(), sentAt: r.sent_at?.toISOString() ?? null, attempts: r.attempts, lastError: r.last_error,
    }));
  }

  /**
   * Claims up to `limit` unsent mails that are due, for `leaseMs`: another node skips them
   * until then. A node that dies while sending leaves them to be claimed again when the
   * lease ends (so a mail may go out twice, never not at all).
   */
  async claim(limit: number, leaseMs: number): Promise<DueMail[]> {
    const { rows } = await this.pool.query<{ mail_id: string; recipient: string; subject: string; body: Buffer; attempts: number }>(
      `UPDATE mail_outbox SET claimed_until = now() + make_interval(secs => $2::double precision / 1000)
       WHERE mail_id IN (
         SELECT mail_id FROM mail_outbox
         WHERE sent_at IS NULL AND next_attempt_at <= now() AND (claimed_until IS NULL OR claimed_until < now())
         ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
       RETURNING mail_id, recipient, subject, body, attempts`,
      [limit, leaseMs],
    );
    return rows.map((r) => ({ mailId: r.mail_id, to: r.recipient, subject: r.subject, text: open(this.key, r.body, r.mail_id).toString(), attempts: r.attempts }));
  }

  async sent(mailId: string): Promise<void> {
    await this.pool.query('UPDATE mail_outbox SET sent_at = now(), attempts = attempts + 1, claimed_until = NULL, last_error = NULL WHERE mail_id = $1', [mailId]);
  }

  /** Records a failed attempt; the mail is due again after `retryInMs`. */
  async failed(mailId: string, error: string, retryInMs: number): Promise<void> {
    await this.pool.query(
      `UPDATE mail_outbox SET attempts = attempts + 1, last_error = $2, claimed_until = NULL,
         next_attempt_at = now() + make_interval(secs => $3::double precision / 1000) WHERE mail_id = $1`,
      [mailId, error.slice(0, 500), retryInMs],
    );
  }
}
