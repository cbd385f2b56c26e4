/**
 * Failures as the caller should see them. Deciders and commands fail with `DomainError`;
 * the store fails with its own tagged errors or with the driver's; this turns each into the
 * `DomainError` it means to a client, so the HTTP layer maps one kind of error to
 * problem+json. A failure it does not know is a fault (a bug) and stays as it is.
 */
import { DomainError } from '../domain/errors.ts';
import { InvalidEvent } from '../store/codec.ts';
import { DuplicateEventIds, WrongExpectedRevision } from '../store/port.ts';
import { isUnavailable } from '../store/unavailable.ts';

/** Seconds a client is asked to wait when the database cannot be reached. */
const UNAVAILABLE_RETRY_SECONDS = 2;

/**
 * The client-facing error for `error`, or undefined when it is a fault.
 *
 * @example
 * refusal(new WrongExpectedRevision('pool-a', 3, 4))?.code // → 'conflict'
 */
export function refusal(error: unknown): DomainError | undefined {
  if (error instanceof DomainError) return error;
  if (error instanceof WrongExpectedRevision || error instanceof DuplicateEventIds) return new DomainError('conflict', error.message);
  if (error instanceof InvalidEvent) return undefined;
  if (isUnavailable(error)) return new DomainError('unavailable', 'the database cannot be reached; try again shortly', [], UNAVAILABLE_RETRY_SECONDS);
  return undefined;
}
