import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideUser, evolveUser, initialUserState, normalizeEmail, type UserCommand, type UserEvent, type UserState } from '../../src/domain/user.ts';
import { decider } from '../support/gwt.ts';

const now = Date.parse('2026-12-03T12:00:00Z');
const at = (t = now) => new Date(t).toISOString();
const spec = decider<UserState, UserCommand, UserEvent>(decideUser, evolveUser, initialUserState);
const userId = 'u1';
const registered: UserEvent = { type: 'UserRegistered', data: { userId, email: 'ada@example.test', role: 'member', verified: false, at: at() } };
const verifyCode: UserEvent = { type: 'UserCodeIssued', data: { userId, codeId: 'c1', purpose: 'verify_email', expiresAt: at(now + 900_000), at: at() } };
const resetCode: UserEvent = { type: 'UserCodeIssued', data: { userId, codeId: 'r1', purpose: 'reset_password', expiresAt: at(now + 900_000), at: at() } };
const ended = (t = now): UserEvent => ({ type: 'UserSessionsEnded', data: { userId, epoch: t, at: at(t) } });

describe('user', () => {
  it('registers with a normalized email', () => {
    spec.given([]).when({ type: 'RegisterUser', userId, email: ' Ada@Example.TEST ', role: 'member', verified: false, now }).then([registered]);
  });
  it('refuses a second registration, and an address that is not one, naming the field', () => {
    spec.given([registered]).when({ type: 'RegisterUser', userId, email: 'ada@example.test', role: 'member', verified: false, now }).thenError('user_exists');
    for (const email of ['ada', 'ada@', '@example.test', 'a b@example.test', 'ada@example', `${'a'.repeat(250)}@example.test`]) {
      spec.given([]).when({ type: 'RegisterUser', userId, email, role: 'member', verified: false, now }).thenError('invalid_input', 'email');
    }
  });
  it('refuses every command to a user that does not exist', () => {
    spec.given([]).when({ type: 'DisableUser', userId, reason: 'x', now }).thenError('user_not_found');
    spec.given([]).when({ type: 'IssueCode', userId, codeId: 'c1', purpose: 'verify_email', ttlMs: 1000, now }).thenError('user_not_found');
  });

  describe('email verification', () => {
    it('issues a code that expires', () => {
      spec.given([registered]).when({ type: 'IssueCode', userId, codeId: 'c1', purpose: 'verify_email', ttlMs: 900_000, now }).then([verifyCode]);
    });
    it('verifies with an issued code, once', () => {
      const verified: UserEvent = { type: 'UserEmailVerified', data: { userId, codeId: 'c1', at: at() } };
      const { state } = spec.given([registered, verifyCode, verified]);
      assert.equal(state.verified, true);
      assert.equal(state.codes.c1!.used, true);
      spec.given([registered, verifyCode]).when({ type: 'VerifyEmail', userId, codeId: 'c1', now }).then([verified]);
      // The code works once; an admin's verification of a verified address records nothing.
      spec.given([registered, verifyCode, verified]).when({ type: 'VerifyEmail', userId, codeId: 'c1', now }).thenError('code_invalid');
      spec.given([registered, verifyCode, verified]).when({ type: 'VerifyEmail', userId, codeId: null, now }).then([]);
    });
    it('refuses a code that is unknown, expired, for another purpose or used', () => {
      spec.given([registered, verifyCode]).when({ type: 'VerifyEmail', userId, codeId: 'nope', now }).thenError('code_invalid', 'code');
      spec.given([registered, verifyCode]).when({ type: 'VerifyEmail', userId, codeId: 'c1', now: now + 900_000 }).thenError('code_invalid');
      spec.given([registered, resetCode]).when({ type: 'VerifyEmail', userId, codeId: 'r1', now }).thenError('code_invalid');
      const reset: UserEvent[] = [
        { type: 'UserPasswordChanged', data: { userId, how: 'reset', codeId: 'r1', at: at() } },
        { type: 'UserEmailVerified', data: { userId, codeId: 'r1', at: at() } }, ended(),
      ];
      spec.given([registered, resetCode, ...reset]).when({ type: 'ResetPassword', userId, codeId: 'r1', now }).thenError('code_invalid');
    });
    it('is verified by an admin without a code', () => {
      spec.given([registered]).when({ type: 'VerifyEmail', userId, codeId: null, now })
        .then([{ type: 'UserEmailVerified', data: { userId, codeId: null, at: at() } }]);
    });
    it('issues no verification code once verified', () => {
      const verified: UserEvent = { ...registered, data: { ...registered.data, verified: true } } as UserEvent;
      spec.given([verified]).when({ type: 'IssueCode', userId, codeId: 'c2', purpose: 'verify_email', ttlMs: 1000, now }).thenError('user_verified');
    });
  });

  describe('passwords and sessions', () => {
    it('a reset with its code changes the password, verifies the email and ends every session', () => {
      spec.given([registered, resetCode]).when({ type: 'ResetPassword', userId, codeId: 'r1', now }).then([
        { type: 'UserPasswordChanged', data: { userId, how: 'reset', codeId: 'r1', at: at() } },
        { type: 'UserEmailVerified', data: { userId, codeId: 'r1', at: at() } }, ended(),
      ]);
    });
    it('a change of password ends every session; a disabled user cannot change it, an admin can set it', () => {
      spec.given([registered]).when({ type: 'ChangePassword', userId, now })
        .then([{ type: 'UserPasswordChanged', data: { userId, how: 'changed', codeId: null, at: at() } }, ended()]);
      const disabled: UserEvent = { type: 'UserDisabled', data: { userId, reason: 'left', at: at() } };
      spec.given([registered, disabled]).when({ type: 'ChangePassword', userId, now }).thenError('user_disabled');
      spec.given([registered, disabled]).when({ type: 'SetPassword', userId, now })
        .then([{ type: 'UserPasswordChanged', data: { userId, how: 'set_by_admin', codeId: null, at: at() } }, ended()]);
    });
    it('the session epoch only moves forward', () => {
      const { state } = spec.given([registered, ended(now + 5000), ended(now)]);
      assert.equal(state.sessionEpoch, now + 5000);
    });
  });

  describe('admin', () => {
    it('disables (ending every session) and enables, each once', () => {
      const disabled: UserEvent = { type: 'UserDisabled', data: { userId, reason: 'left', at: at() } };
      spec.given([registered]).when({ type: 'DisableUser', userId, reason: 'left', now }).then([disabled, ended()]);
      spec.given([registered, disabled]).when({ type: 'DisableUser', userId, reason: 'again', now }).then([]);
      spec.given([registered, disabled]).when({ type: 'EnableUser', userId, now }).then([{ type: 'UserEnabled', data: { userId, at: at() } }]);
      spec.given([registered]).when({ type: 'EnableUser', userId, now }).then([]);
    });
    it('changes the role, recording nothing when it is the same', () => {
      spec.given([registered]).when({ type: 'ChangeRole', userId, role: 'operator', now }).then([{ type: 'UserRoleChanged', data: { userId, role: 'operator', at: at() } }]);
      spec.given([registered]).when({ type: 'ChangeRole', userId, role: 'member', now }).then([]);
    });
  });

  it('normalizes emails', () => {
    assert.equal(normalizeEmail('  Ada.Lovelace@Example.TEST\t'), 'ada.lovelace@example.test');
  });
});
