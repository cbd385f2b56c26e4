import * as Data from 'effect/Data';

/**
 * Every error Roster answers with, in one place: a code, an HTTP status and a title.
 * Deciders return a `DomainError`; the HTTP layer turns it into problem+json.
 */
export const catalogue = {
  invalid_input: { status: 400, title: 'Invalid input' },
  unauthorized: { status: 401, title: 'Authentication required' },
  forbidden: { status: 403, title: 'Not allowed for this role' },
  lease_secret_mismatch: { status: 403, title: 'The lease secret does not match this session' },
  pool_not_found: { status: 404, title: 'Pool not found' },
  account_not_found: { status: 404, title: 'Account not found' },
  session_not_found: { status: 404, title: 'Session not found' },
  not_found: { status: 404, title: 'Not found' },
  job_not_found: { status: 404, title: 'Registration job not found' },
  job_exists: { status: 409, title: 'Registration job already exists' },
  job_ended: { status: 409, title: 'Registration job has ended' },
  pool_exists: { status: 409, title: 'Pool already exists' },
  user_not_found: { status: 404, title: 'User not found' },
  user_exists: { status: 409, title: 'User already exists' },
  user_verified: { status: 409, title: 'The email is verified already' },
  user_disabled: { status: 403, title: 'The user is disabled' },
  code_invalid: { status: 400, title: 'The code is wrong, used or expired' },
  invalid_credentials: { status: 401, title: 'Wrong email or password' },
  email_not_verified: { status: 403, title: 'The email is not verified yet' },
  key_exists: { status: 409, title: 'API key already exists' },
  key_not_found: { status: 404, title: 'API key not found' },
  key_revoked: { status: 409, title: 'The API key is revoked' },
  route_not_found: { status: 404, title: 'Gateway route not found' },
  route_configured: { status: 409, title: 'The route is set in configuration' },
  route_conflict: { status: 409, title: 'Another route has this name or alias' },
  rate_limited: { status: 429, title: 'Too many requests' },
  budget_exhausted: { status: 429, title: 'The budget for this period is spent' },
  session_limit: { status: 429, title: 'Too many sessions held at once' },
  account_exists: { status: 409, title: 'Account already exists' },
  session_exists: { status: 409, title: 'Session already exists' },
  session_ended: { status: 409, title: 'Session has ended' },
  gateway_claim: { status: 409, title: 'The session is a gateway\'s claim' },
  account_retired: { status: 409, title: 'Account is retired' },
  conflict: { status: 409, title: 'Concurrent change, try again' },
  no_account_available: { status: 503, title: 'No account is available' },
  unavailable: { status: 503, title: 'Service unavailable, try again shortly' },
  projection_behind: { status: 503, title: 'Read models have not reached the requested position' },
} as const;

export type ErrorCode = keyof typeof catalogue;

/** A bad field: its JSON pointer-ish path and what is wrong with it. */
export interface FieldError {
  field: string;
  message: string;
}

/**
 * A refused command or request. Nothing was written. A tagged error (`_tag: 'DomainError'`):
 * an Effect program can `yield*` it to fail, and the HTTP layer maps it, by its code, to
 * problem+json in one place.
 *
 * @example
 * return new DomainError('pool_exists', `pool ${id} exists`);
 */
export class DomainError extends Data.TaggedError('DomainError')<{
  readonly code: ErrorCode;
  readonly detail: string;
  readonly fields: FieldError[];
  readonly retryAfterSeconds?: number;
  readonly message: string;
}> {
  constructor(code: ErrorCode, detail: string, fields: FieldError[] = [], retryAfterSeconds?: number) {
    super({ code, detail, fields, retryAfterSeconds, message: detail });
  }
}

/** A 400 naming each bad field. */
export function invalid(fields: FieldError[]): DomainError {
  return new DomainError('invalid_input', fields.map((f) => `${f.field}: ${f.message}`).join('; '), fields);
}
