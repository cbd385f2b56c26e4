/**
 * Roster's users: registration, email verification, sign-in checks, password change and
 * reset. Each user is a stream `user-{id}` (domain/user.ts); password and code hashes are
 * kept by `Passwords`, outside the log. Every event is written before the hash it
 * concerns, so a writer that loses a race never leaves its password behind.
 */
import type { Limits } from '../domain/limits.ts';
import { DomainError, invalid } from '../domain/errors.ts';
import { codeRefused, normalizeEmail, userDecider, type Role, type UserState } from '../domain/user.ts';
import type { Passwords } from '../store/passwords.ts';
import { idOf } from '../store/secrets.ts';
import type { EventStore } from '../store/port.ts';
import type { CommandContext } from './context.ts';
import { catchUp, positioned, runCommand } from './runner.ts';

export interface UserDeps {
  store: EventStore;
  passwords: Passwords;
}

export interface UserSettings {
  /** Refuse sign-in until the email is verified. */
  requireVerified: boolean;
  /** How long a mailed code works. */
  codeTtlMs: number;
}

export const defaultUserSettings: UserSettings = { requireVerified: true, codeTtlMs: 30 * 60_000 };

/** NIST SP 800-63B: at least 8 characters; at most 128, checked before any hash is computed. */
const PASSWORD = { min: 8, max: 128 };

function checkPassword(password: string, field = 'password'): void {
  if (password.length < PASSWORD.min) throw invalid([{ field, message: `must be at least ${PASSWORD.min} characters` }]);
  if (password.length > PASSWORD.max) throw invalid([{ field, message: `must be at most ${PASSWORD.max} characters` }]);
}

/**
 * A user's id: one per normalized email, so that two registrations of one address meet
 * on one stream.
 *
 * @example
 * userIdFor('Ada@Example.test') === userIdFor('ada@example.test') // → true
 */
export function userIdFor(email: string): string {
  return idOf(`user\n${normalizeEmail(email)}`);
}

const stream = (userId: string) => `user-${userId}`;

/** Whether a user has this email. */
export async function emailTaken(store: EventStore, email: string): Promise<boolean> {
  return (await catchUp(store, stream(userIdFor(email)), userDecider)).state.exists;
}

/** A code to mail: the code itself (shown once) and until when it works. */
export interface MailedCode {
  code: string;
  expiresAt: Date;
}

async function issueCode(deps: UserDeps, userId: string, purpose: 'verify_email' | 'reset_password', ctx: CommandContext, settings: UserSettings): Promise<MailedCode> {
  const { code, codeId, expiresAt } = await deps.passwords.issueCode(userId, settings.codeTtlMs);
  await runCommand(deps.store, stream(userId), userDecider, { type: 'IssueCode', userId, codeId, purpose, ttlMs: settings.codeTtlMs, now: Date.now() }, ctx);
  return { code, expiresAt };
}

/**
 * Registers a user, or finds the email taken (`created: false`; the caller answers the
 * same either way). An unverified user gets a verification code to mail.
 *
 * @example
 * const { verification } = await registerUser(deps, { email: 'ada@example.test', password: 'long enough' }, ctx);
 */
export async function registerUser(
  deps: UserDeps, input: { email: string; password: string; role?: Role; verified?: boolean }, ctx: CommandContext,
  settings: UserSettings = defaultUserSettings,
): Promise<{ userId: string; created: boolean; verification?: MailedCode }> {
  checkPassword(input.password);
  const userId = userIdFor(input.email);
  const verified = input.verified ?? false;
  try {
    await runCommand(deps.store, stream(userId), userDecider, {
      type: 'RegisterUser', userId, email: input.email, role: input.role ?? 'member', verified, now: Date.now(),
    }, ctx);
  } catch (error) {
    if (error instanceof DomainError && error.code === 'user_exists') return { userId, created: false };
    throw error;
  }
  await deps.passwords.set(userId, input.password);
  return { userId, created: true, ...(verified ? {} : { verification: await issueCode(deps, userId, 'verify_email', ctx, settings) }) };
}

/** Verifies the email a code was mailed to; `code_invalid` when it is not a usable code. */
export async function verifyEmail(deps: UserDeps, code: string, ctx: CommandContext): Promise<{ userId: string }> {
  const found = await deps.passwords.findCode(code);
  if (!found) throw codeRefused();
  await runCommand(deps.store, stream(found.userId), userDecider, { type: 'VerifyEmail', userId: found.userId, codeId: found.codeId, now: Date.now() }, ctx);
  return { userId: found.userId };
}

/** A signed-in user as sessions need it. */
export interface SignedIn {
  userId: string;
  email: string;
  role: Role;
  /** Sessions issued before this instant (ms) are over. */
  sessionEpoch: number;
  verified: boolean;
  /** The user's own limits (each key's are its own). */
  limits: Limits;
}

/**
 * Checks an email and password. An unknown email and a wrong password get the same
 * answer (`invalid_credentials`) after the same work (one argon2 check); only with the
 * right password does a user learn that it is disabled or not verified.
 *
 * @example
 * const user = await authenticate(deps, 'ada@example.test', 'long enough');
 */
export async function authenticate(deps: UserDeps, email: string, password: string, settings: UserSettings = defaultUserSettings): Promise<SignedIn> {
  if (password.length > PASSWORD.max) throw new DomainError('invalid_credentials', 'wrong email or password');
  const userId = userIdFor(email);
  const { state } = await catchUp(deps.store, stream(userId), userDecider);
  const ok = await deps.passwords.verify(state.exists ? userId : undefined, password);
  if (!ok) throw new DomainError('invalid_credentials', 'wrong email or password');
  if (state.status === 'disabled') throw new DomainError('user_disabled', 'the user is disabled');
  if (settings.requireVerified && !state.verified) throw new DomainError('email_not_verified', 'verify the email first');
  return signedIn(userId, state);
}

/** The user as sessions need it, from its state. */
export const signedIn = (userId: string, state: UserState): SignedIn => ({
  userId, email: state.email, role: state.role, sessionEpoch: state.sessionEpoch, verified: state.verified, limits: state.limits,
});

/**
 * The user's state when the user exists and is not disabled: what every credential it
 * holds (refresh token, access token, API key) needs to keep working.
 *
 * @example
 * const state = await activeUser(deps.store, userId); // undefined → refuse the credential
 */
export async function activeUser(store: EventStore, userId: string): Promise<UserState | undefined> {
  const state = await knownUser(store, userId);
  return state && state.status !== 'disabled' ? state : undefined;
}

/** The user's state when the user exists, disabled or not. */
export async function knownUser(store: EventStore, userId: string): Promise<UserState | undefined> {
  const { state } = await catchUp(store, stream(userId), userDecider);
  return state.exists ? state : undefined;
}

/** Changes a user's password, given the current one; ends every session of the user. */
export async function changePassword(deps: UserDeps, userId: string, current: string, next: string, ctx: CommandContext): Promise<void> {
  checkPassword(next, 'newPassword');
  if (!(await deps.passwords.verify(userId, current))) throw new DomainError('invalid_credentials', 'the current password is wrong', [{ field: 'currentPassword', message: 'is wrong' }]);
  await runCommand(deps.store, stream(userId), userDecider, { type: 'ChangePassword', userId, now: Date.now() }, ctx);
  await deps.passwords.set(userId, next);
}

/**
 * A reset code to mail when the email belongs to an active user; nothing otherwise (the
 * caller answers the same either way).
 */
export async function requestPasswordReset(deps: UserDeps, email: string, ctx: CommandContext, settings: UserSettings = defaultUserSettings): Promise<(MailedCode & { email: string }) | undefined> {
  const userId = userIdFor(email);
  const { state } = await catchUp(deps.store, stream(userId), userDecider);
  if (!state.exists || state.status === 'disabled') return undefined;
  return { ...await issueCode(deps, userId, 'reset_password', ctx, settings), email: state.email };
}

/** Sets a new password with a mailed reset code (once); ends every session of the user. */
export async function resetPassword(deps: UserDeps, code: string, password: string, ctx: CommandContext): Promise<{ userId: string }> {
  checkPassword(password);
  const found = await deps.passwords.findCode(code);
  if (!found) throw codeRefused();
  await runCommand(deps.store, stream(found.userId), userDecider, { type: 'ResetPassword', userId: found.userId, codeId: found.codeId, now: Date.now() }, ctx);
  await deps.passwords.set(found.userId, password);
  return { userId: found.userId };
}

/**
 * What an admin does to a user: disable (ending every sign-in), enable, change the role.
 *
 * @example
 * await administerUser(deps, userId, { type: 'DisableUser', reason: 'left the team' }, ctx);
 */
export async function administerUser(
  deps: UserDeps & { refresh: { revokeUser(userId: string, reason?: string): Promise<number> } }, userId: string,
  change: { type: 'DisableUser'; reason: string } | { type: 'EnableUser' } | { type: 'ChangeRole'; role: Role } | { type: 'ChangeLimits'; limits: Limits },
  ctx: CommandContext,
): Promise<{ userId: string; status: 'active' | 'disabled'; role: Role; limits: Limits; position?: string }> {
  const { state, position } = await runCommand(deps.store, stream(userId), userDecider, { ...change, userId, now: Date.now() }, ctx);
  if (change.type === 'DisableUser') await deps.refresh.revokeUser(userId, 'disabled');
  return { userId, status: state.status, role: state.role, limits: state.limits, ...positioned(position) };
}
