/**
 * Whether an error means the database (or event store) cannot be reached right now, as
 * opposed to a fault in the request or the code: refused or dropped connections, a server
 * shutting down or starting, too many connections, a connection timeout.
 *
 * @example
 * isUnavailable(Object.assign(new Error('x'), { code: 'ECONNREFUSED' })) // → true
 */
export function isUnavailable(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown; cause?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  const code = typeof e.code === 'string' ? e.code : '';
  if (/^08/.test(code) || ['57P01', '57P02', '57P03', '53300', '53400'].includes(code)) return true;
  if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN'].includes(code)) return true;
  const message = typeof e.message === 'string' ? e.message : '';
  if (/Connection terminated|connection error|timeout exceeded when trying to connect|Connection terminated due to connection timeout|Client was closed|the database system is (starting up|shutting down)/i.test(message)) return true;
  return e.cause !== undefined && e.cause !== error && isUnavailable(e.cause);
}
