/**
 * The mail worker: sends the outbox through SMTP. A mail is claimed for a while, sent, then
 * marked sent; a failed send is retried with exponential backoff (the attempt count and the
 * next attempt are in the outbox, so a restart keeps them). Without SMTP configured nothing
 * runs, and mail waits in the outbox for an admin to read.
 */
import type { Transporter } from 'nodemailer';
import type { MailOutbox } from '../store/mail-outbox.ts';

export interface MailerSettings {
  /** The `From` of every mail. */
  from: string;
  /** The pause after the first failed attempt; it doubles with each failure. */
  retryBaseMs: number;
  /** The longest pause between attempts. */
  retryMaxMs: number;
  /** Mails claimed per round. */
  batch: number;
}

/** Something that sends one mail: nodemailer's transport, as Roster uses it. */
export interface MailTransport {
  sendMail(mail: { from: string; to: string; subject: string; text: string }): Promise<unknown>;
  close(): void;
}

/**
 * The pause before attempt `attempts + 1`, after `attempts` failures.
 *
 * @example
 * retryDelay(3, { retryBaseMs: 1000, retryMaxMs: 60_000 }) // → 4000
 */
export const retryDelay = (attempts: number, s: Pick<MailerSettings, 'retryBaseMs' | 'retryMaxMs'>) =>
  Math.min(s.retryMaxMs, s.retryBaseMs * 2 ** Math.max(0, attempts - 1));

/**
 * A transport for an SMTP URL (`smtp://user:pass@host:587`, `smtps://…`), as nodemailer reads
 * it. nodemailer is loaded here, only when SMTP is configured, not at every start.
 *
 * @example
 * const transport = await smtpTransport('smtp://127.0.0.1:2525');
 */
export async function smtpTransport(url: string): Promise<MailTransport> {
  const { default: nodemailer } = await import('nodemailer');
  return nodemailer.createTransport({ url, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 }) as Transporter & MailTransport;
}

/** Sends due mail from the outbox; one `drain()` per round of the background loop. */
export class Mailer {
  constructor(private readonly outbox: MailOutbox, private readonly transport: MailTransport, private readonly settings: MailerSettings) {}

  /**
   * Sends every mail due now, a batch at a time; answers how many went out.
   *
   * @example
   * yield* Effect.forkScoped(every(1000, () => mailer.drain(), report));
   */
  async drain(): Promise<number> {
    let sent = 0;
    for (;;) {
      // Claimed for longer than the batch may take to send: a send times out within 50 s.
      const due = await this.outbox.claim(this.settings.batch, this.settings.batch * 60_000);
      if (due.length === 0) return sent;
      for (const mail of due) {
        try {
          await this.transport.sendMail({ from: this.settings.from, to: mail.to, subject: mail.subject, text: mail.text });
          await this.outbox.sent(mail.mailId);
          sent++;
        } catch (error) {
          await this.outbox.failed(mail.mailId, error instanceof Error ? error.message : String(error), retryDelay(mail.attempts + 1, this.settings));
        }
      }
    }
  }
}
