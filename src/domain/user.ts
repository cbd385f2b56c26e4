/**
 * User: Roster's own users, one stream `user-{id}` each. A user registers with an email
 * and a role, verifies the email with a single-use code, changes or resets the password,
 * may be disabled by an admin, and can end every session at once (the session epoch).
 *
 * No secret is in these events: the password hash and each code's hash are kept outside
 * the log; the events say only that a password changed or a code was issued or used.
 */
import { Type } from 'typebox';
import { DomainError, invalid } from './errors.ts';
import { defineEvent, eventSet, Instant, type Decider, type EventsIn } from './events.ts';
import { Limits } from './limits.ts';

export const roles = ['admin', 'operator', 'viewer', 'member'] as const;
export type Role = (typeof roles)[number];

/** What a code is for: verifying the email, or resetting the password. */
export const codePurposes = ['verify_email', 'reset_password'] as const;
export type CodePurpose = (typeof codePurposes)[number];

const userId = Type.String();
export const UserRegistered = defineEvent('UserRegistered', Type.Object({
  userId, email: Type.String(), role: Type.Enum(roles), verified: Type.Boolean(), at: Instant,
}));
export const UserCodeIssued = defineEvent('UserCodeIssued', Type.Object({
  userId, codeId: Type.String(), purpose: Type.Enum(codePurposes), expiresAt: Instant, at: Instant,
}));
export const UserEmailVerified = defineEvent('UserEmailVerified', Type.Object({ userId, codeId: Type.Union([Type.String(), Type.Null()]), at: Instant }));
export const UserPasswordChanged = defineEvent('UserPasswordChanged', Type.Object({
  userId, how: Type.Enum(['changed', 'reset', 'set_by_admin'] as const), codeId: Type.Union([Type.String(), Type.Null()]), at: Instant,
}));
export const UserRoleChanged = defineEvent('UserRoleChanged', Type.Object({ userId, role: Type.Enum(roles), at: Instant }));
export const UserDisabled = defineEvent('UserDisabled', Type.Object({ userId, reason: Type.String(), at: Instant }));
export const UserEnabled = defineEvent('UserEnabled', Type.Object({ userId, at: Instant }));
/** What the user may consume across its keys and sessions (set by an admin). */
export const UserLimitsChanged = defineEvent('UserLimitsChanged', Type.Object({ userId, limits: Limits, at: Instant }));
/** Every session of the user issued before `epoch` (ms) is over: logout of every device, a reset, a disable. */
export const UserSessionsEnded = defineEvent('UserSessionsEnded', Type.Object({ userId, epoch: Type.Number(), at: Instant }));

export const userEvents = eventSet(
  UserRegistered, UserCodeIssued, UserEmailVerified, UserPasswordChanged, UserRoleChanged, UserDisabled, UserEnabled, UserSessionsEnded, UserLimitsChanged,
);
export type UserEvent = EventsIn<typeof userEvents>;

export type UserCommand =
  | { type: 'RegisterUser'; userId: string; email: string; role: Role; verified: boolean; now: number }
  | { type: 'IssueCode'; userId: string; codeId: string; purpose: CodePurpose; ttlMs: number; now: number }
  | { type: 'VerifyEmail'; userId: string; codeId: string | null; now: number }
  | { type: 'ChangePassword'; userId: string; now: number }
  | { type: 'ResetPassword'; userId: string; codeId: string; now: number }
  | { type: 'SetPassword'; userId: string; now: number }
  | { type: 'ChangeRole'; userId: string; role: Role; now: number }
  | { type: 'DisableUser'; userId: string; reason: string; now: number }
  | { type: 'EnableUser'; userId: string; now: number }
  | { type: 'ChangeLimits'; userId: string; limits: Limits; now: number }
  | { type: 'EndSessions'; userId: string; now: number };

/** A code the user was sent: what for, until when, and whether it was used. */
export interface UserCode {
  purpose: CodePurpose;
  expiresAt: number;
  used: boolean;
}

export interface UserState {
  exists: boolean;
  email: string;
  role: Role;
  status: 'active' | 'disabled';
  verified: boolean;
  /** Sessions issued before this instant (ms) are over. */
  sessionEpoch: number;
  codes: Record<string, UserCode>;
  limits: Limits;
}

export const initialUserState = (): UserState => ({
  exists: false, email: '', role: 'member', status: 'active', verified: false, sessionEpoch: 0, codes: {}, limits: {},
});

/**
 * An email as Roster keeps it: trimmed and lower-cased, so that one address is one user.
 *
 * @example
 * normalizeEmail(' Ada@Example.TEST ') // → 'ada@example.test'
 */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** A plausible address: one `@`, something on each side, a dot in the domain, no spaces; at most 254 characters (RFC 5321). */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const at = (now: number) => new Date(now).toISOString();

/** The refusal of a code that is not one, not the user's, for another purpose, used or expired; all alike. */
export const codeRefused = (): DomainError =>
  new DomainError('code_invalid', 'the code is wrong, used or expired', [{ field: 'code', message: 'is wrong, used or expired' }]);

/** The code `codeId` if it is the user's, for `purpose`, unused and unexpired; else why not. */
function usableCode(state: UserState, codeId: string, purpose: CodePurpose, now: number): DomainError | undefined {
  const code = state.codes[codeId];
  return !code || code.purpose !== purpose || code.used || code.expiresAt <= now ? codeRefused() : undefined;
}

/**
 * Decides a user command against the user's state.
 *
 * @example
 * decideUser({ type: 'RegisterUser', userId: 'u1', email: 'Ada@x.test', role: 'member', verified: false, now }, initialUserState())
 * // → [{ type: 'UserRegistered', data: { userId: 'u1', email: 'ada@x.test', role: 'member', verified: false, at } }]
 */
export function decideUser(command: UserCommand, state: UserState): UserEvent[] | DomainError {
  const { userId, now } = command;
  if (command.type === 'RegisterUser') {
    if (state.exists) return new DomainError('user_exists', 'a user with this email exists');
    const email = normalizeEmail(command.email);
    if (email.length > 254 || !EMAIL.test(email)) return invalid([{ field: 'email', message: 'must be an email address' }]);
    return [{ type: 'UserRegistered', data: { userId, email, role: command.role, verified: command.verified, at: at(now) } }];
  }
  if (!state.exists) return new DomainError('user_not_found', `user ${userId} does not exist`);
  switch (command.type) {
    case 'IssueCode':
      if (command.purpose === 'verify_email' && state.verified) return new DomainError('user_verified', 'the email is verified already');
      return [{ type: 'UserCodeIssued', data: { userId, codeId: command.codeId, purpose: command.purpose, expiresAt: at(now + command.ttlMs), at: at(now) } }];
    case 'VerifyEmail': {
      // A code works once, even on an address verified meanwhile; without a code, an admin verifies.
      const refused = command.codeId === null ? undefined : usableCode(state, command.codeId, 'verify_email', now);
      if (refused) return refused;
      return state.verified ? [] : [{ type: 'UserEmailVerified', data: { userId, codeId: command.codeId, at: at(now) } }];
    }
    case 'ChangePassword':
    case 'SetPassword': {
      if (command.type === 'ChangePassword' && state.status === 'disabled') return new DomainError('user_disabled', 'the user is disabled');
      const how = command.type === 'ChangePassword' ? 'changed' : 'set_by_admin';
      // A new password ends every other session (RFC 9700 and OWASP: a credential change revokes what the old one issued).
      return [{ type: 'UserPasswordChanged', data: { userId, how, codeId: null, at: at(now) } }, { type: 'UserSessionsEnded', data: { userId, epoch: now, at: at(now) } }];
    }
    case 'ResetPassword': {
      const refused = usableCode(state, command.codeId, 'reset_password', now);
      if (refused) return refused;
      // The reset mail reached the address: it is verified too.
      const verified: UserEvent[] = state.verified ? [] : [{ type: 'UserEmailVerified', data: { userId, codeId: command.codeId, at: at(now) } }];
      return [
        { type: 'UserPasswordChanged', data: { userId, how: 'reset', codeId: command.codeId, at: at(now) } }, ...verified,
        { type: 'UserSessionsEnded', data: { userId, epoch: now, at: at(now) } },
      ];
    }
    case 'ChangeRole':
      return state.role === command.role ? [] : [{ type: 'UserRoleChanged', data: { userId, role: command.role, at: at(now) } }];
    case 'DisableUser':
      if (state.status === 'disabled') return [];
      return [{ type: 'UserDisabled', data: { userId, reason: command.reason, at: at(now) } }, { type: 'UserSessionsEnded', data: { userId, epoch: now, at: at(now) } }];
    case 'EnableUser':
      return state.status === 'active' ? [] : [{ type: 'UserEnabled', data: { userId, at: at(now) } }];
    case 'EndSessions':
      return [{ type: 'UserSessionsEnded', data: { userId, epoch: now, at: at(now) } }];
    case 'ChangeLimits':
      return [{ type: 'UserLimitsChanged', data: { userId, limits: command.limits, at: at(now) } }];
  }
}

/** Folds one event of a user's stream. */
export function evolveUser(state: UserState, event: UserEvent): UserState {
  const time = (iso: string) => Date.parse(iso);
  switch (event.type) {
    case 'UserRegistered': {
      const { email, role, verified } = event.data;
      return { ...state, exists: true, email, role, verified };
    }
    case 'UserCodeIssued': {
      const { codeId, purpose, expiresAt } = event.data;
      return { ...state, codes: { ...state.codes, [codeId]: { purpose, expiresAt: time(expiresAt), used: false } } };
    }
    case 'UserEmailVerified':
    case 'UserPasswordChanged': {
      const { codeId } = event.data;
      const verified = event.type === 'UserEmailVerified' ? true : state.verified;
      const code = codeId === null ? undefined : state.codes[codeId];
      return { ...state, verified, codes: code ? { ...state.codes, [codeId!]: { ...code, used: true } } : state.codes };
    }
    case 'UserRoleChanged':
      return { ...state, role: event.data.role };
    case 'UserDisabled':
      return { ...state, status: 'disabled' };
    case 'UserEnabled':
      return { ...state, status: 'active' };
    case 'UserSessionsEnded':
      return { ...state, sessionEpoch: Math.max(state.sessionEpoch, event.data.epoch) };
    case 'UserLimitsChanged':
      return { ...state, limits: event.data.limits };
    default:
      return state;
  }
}

/** The user stream's decider. */
export const userDecider: Decider<UserState, UserCommand, UserEvent> = {
  initial: initialUserState, decide: decideUser, evolve: evolveUser, events: userEvents,
};
