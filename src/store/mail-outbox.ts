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
CREATE INDEX IF NOT EXISTS mail_outbox_unsent ON mail_outbox (created_at) WHERE sent_at IS NULL;
`;

export interface Mail {
  mailId: string;
  to: string;
  subject: string;
  text: string;
  createdAt: string;
  sentAt: string | null;
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
    const { rows } = await this.pool.query<{ mail_id: string; recipient: string; subject: string; body: Buffer; created_at: Date; sent_at: Date | null; attempts: number }>(
      `SELECT mail_id, recipient, subject, body, created_at, sent_at, attempts FROM mail_outbox
       WHERE $1::text IS NULL OR recipient = $1 ORDER BY created_at DESC, mail_id LIMIT $2`,
      [options.to === undefined ? null : normalizeEmail(options.to), options.limit ?? 100],
    );
    return rows.map((r) => ({
      mailId: r.mail_id, to: r.recipient, subject: r.subject, text: open(this.key, r.body, r.mail_id).toString(),
      createdAt: r.created_at.toISOString(), sentAt: r.sent_at?.toISOString() ?? null, attempts: r.attempts,
    }));
  }
}
