/**
 * The user flows that send mail: sign-up (a verification code, or a notice to the owner
 * when the address is taken) and a forgotten password (a reset code). Each answers the
 * same whether or not the email belongs to a user; the mail says the rest.
 */
import type { MailOutbox } from '../store/mail-outbox.ts';
import type { CommandContext } from './context.ts';
import type { OpenLimits } from './open-limits.ts';
import { defaultUserSettings, registerUser, requestPasswordReset, type UserDeps, type UserSettings } from './users.ts';
import { normalizeEmail } from '../domain/user.ts';

export interface MailDeps extends UserDeps {
  outbox: MailOutbox;
  /** Counts each request per client IP and per address before any work; 429 past either limit. */
  openLimits?: OpenLimits;
}

const minutes = (ms: number) => Math.round(ms / 60_000);

/**
 * Signs a new user up and mails the verification code; a taken address gets a notice
 * instead, and the caller cannot tell the two apart.
 *
 * @example
 * await signUp(deps, 'ada@example.test', 'correct horse', ctx);
 */
export async function signUp(
  deps: MailDeps, email: string, password: string, ctx: CommandContext, settings: UserSettings = defaultUserSettings, ip = 'local',
): Promise<void> {
  await deps.openLimits?.mail(ip, email);
  const to = normalizeEmail(email);
  const { created, verification } = await registerUser(deps, { email, password }, ctx, settings);
  if (created && verification) {
    await deps.outbox.enqueue(to, 'Verify your email for Roster',
      `Your verification code: ${verification.code}\n\nIt works once, for ${minutes(settings.codeTtlMs)} minutes.`);
  } else if (!created) {
    await deps.outbox.enqueue(to, 'Someone tried to sign up to Roster with your email',
      'An account with this email exists already. If it was you, sign in or reset your password; otherwise ignore this mail.');
  }
}

/** Mails a reset code when the email belongs to an active user; answers the same either way. */
export async function forgotPassword(
  deps: MailDeps, email: string, ctx: CommandContext, settings: UserSettings = defaultUserSettings, ip = 'local',
): Promise<void> {
  await deps.openLimits?.mail(ip, email);
  const reset = await requestPasswordReset(deps, email, ctx, settings);
  if (reset) {
    await deps.outbox.enqueue(reset.email, 'Reset your Roster password',
      `Your password reset code: ${reset.code}\n\nIt works once, for ${minutes(settings.codeTtlMs)} minutes. Resetting signs you out everywhere.`);
  }
}
