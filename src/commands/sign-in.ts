/**
 * Users' sign-in sessions: a short-lived JWT access token and an opaque refresh token that
 * rotates on every use (RFC 9700 §4.14.2). Logout revokes the sign-in's token family;
 * logout everywhere revokes every family of the user and moves the user's session epoch,
 * which ends the access tokens issued before it.
 */
import { DomainError } from '../domain/errors.ts';
import { normalizeEmail, userDecider } from '../domain/user.ts';
import type { AccessTokens } from '../store/access-tokens.ts';
import type { RefreshTokens } from '../store/refresh-tokens.ts';
import type { CommandContext } from './context.ts';
import type { AuthGuard } from './guard.ts';
import { runCommand } from './runner.ts';
import { activeUser, authenticate, defaultUserSettings, signedIn, type SignedIn, type UserDeps, type UserSettings } from './users.ts';

export interface SignInDeps extends UserDeps {
  access: AccessTokens;
  refresh: RefreshTokens;
  /** Counts failed sign-ins per IP and per email, and refuses before the hash once either passes its limit. */
  guard?: AuthGuard;
}

/** What a sign-in or a refresh answers. */
export interface Tokens {
  accessToken: string;
  refreshToken: string;
  /** Seconds the access token lasts. */
  expiresIn: number;
  user: SignedIn;
}

/** Access tokens last 15 minutes unless set otherwise. */
export const ACCESS_TTL_SECONDS = 900;

const rejected = () => new DomainError('unauthorized', 'the refresh token is not valid');

async function issue(deps: SignInDeps, user: SignedIn, refreshToken: string, familyId: string, ttlSeconds: number): Promise<Tokens> {
  const accessToken = await deps.access.sign({ sub: user.userId, role: user.role, sid: familyId, ses: Date.now() }, ttlSeconds);
  return { accessToken, refreshToken, expiresIn: ttlSeconds, user };
}

/**
 * Signs a user in with email and password.
 *
 * @example
 * const { accessToken, refreshToken } = await signIn(deps, 'ada@example.test', 'correct horse');
 */
export async function signIn(
  deps: SignInDeps, email: string, password: string, settings: UserSettings = defaultUserSettings, ttlSeconds = ACCESS_TTL_SECONDS, ip = 'local',
): Promise<Tokens> {
  const account = `email:${normalizeEmail(email)}`;
  await deps.guard?.before(ip, account);
  const user = await authenticate(deps, email, password, settings).catch((e: unknown) =>
    (deps.guard && e instanceof DomainError && e.code === 'invalid_credentials' ? deps.guard.failed(ip, account, e) : Promise.reject(e)));
  await deps.guard?.succeeded(account);
  const { token, familyId } = await deps.refresh.start(user.userId);
  return issue(deps, user, token, familyId, ttlSeconds);
}

/** Exchanges a refresh token for new tokens; a reused one revokes its family. A disabled user's tokens stop here. */
export async function refreshSession(deps: SignInDeps, refreshToken: string, ttlSeconds = ACCESS_TTL_SECONDS): Promise<Tokens> {
  const rotation = await deps.refresh.rotate(refreshToken);
  if (rotation.outcome !== 'rotated') throw rejected();
  const state = await activeUser(deps.store, rotation.userId);
  if (!state) {
    await deps.refresh.revokeFamilyOf(rotation.token, 'disabled');
    throw rejected();
  }
  return issue(deps, signedIn(rotation.userId, state), rotation.token, rotation.familyId, ttlSeconds);
}

/** Ends the sign-in a refresh token belongs to. Unknown tokens are ignored (logout is idempotent). */
export async function signOut(deps: SignInDeps, refreshToken: string): Promise<void> {
  await deps.refresh.revokeFamilyOf(refreshToken);
}

/** Ends every sign-in of the user, and every access token issued before now. */
export async function signOutEverywhere(deps: SignInDeps, userId: string, ctx: CommandContext): Promise<void> {
  await runCommand(deps.store, `user-${userId}`, userDecider, { type: 'EndSessions', userId, now: Date.now() }, ctx);
  await deps.refresh.revokeUser(userId);
}

/**
 * The user an access token speaks for: a valid signature by a live key, not expired,
 * issued after the user's session epoch, the user neither gone nor disabled.
 */
export async function checkAccess(deps: SignInDeps, accessToken: string): Promise<SignedIn & { familyId: string }> {
  const claims = await deps.access.verify(accessToken);
  if (!claims) throw new DomainError('unauthorized', 'the access token is not valid');
  const state = await activeUser(deps.store, claims.sub);
  if (!state || claims.ses <= state.sessionEpoch) throw new DomainError('unauthorized', 'the access token is not valid');
  return { ...signedIn(claims.sub, state), familyId: claims.sid };
}
