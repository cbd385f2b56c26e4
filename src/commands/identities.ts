import { identitiesDecider, type IdentityEntry } from '../domain/identities.ts';
import type { EventStore, Position } from '../store/port.ts';
import { accountIdFor, type Credentials, type SecretVault } from '../store/secrets.ts';
import type { CommandContext } from './context.ts';
import { readLines } from './lines.ts';
import { runCommand } from './runner.ts';

export interface IdentityItem {
  email: string;
  password?: string;
  extra?: Record<string, string>;
}

export interface IdentityLine {
  line: number;
  email: string | null;
  result: 'imported' | 'duplicate' | 'invalid';
  identityId?: string;
  error?: string;
}

const EMAIL = /^[^\s@:]+@[^\s@:]+\.[^\s@:]+$/;

/** Parses `email:password` lines; blank lines and `#` comments are skipped. */
export function parseIdentityLines(text: string): Array<{ line: number; item?: IdentityItem; error?: string }> {
  return readLines(text, (line, n) => {
    const at = line.indexOf(':');
    const [email, password] = at < 0 ? [line, undefined] : [line.slice(0, at), line.slice(at + 1)];
    return { line: n, item: { email, ...(password ? { password } : {}) } };
  });
}

/**
 * Imports identities into a pool: one result per line (imported, duplicate, invalid).
 * Passwords and extra fields go to the vault under the identity's id, which is the id its
 * account will have; events carry the email and the names of the extra fields only.
 *
 * @example
 * await importIdentities({ store, vault }, 'default', [{ line: 1, item: { email: 'a@example.test', password: 'pw' } }], ctx);
 */
export async function importIdentities(
  deps: { store: EventStore; vault: SecretVault }, poolId: string,
  sources: Array<{ line: number; item?: IdentityItem; error?: string }>, ctx: CommandContext,
): Promise<{ lines: IdentityLine[]; position?: Position }> {
  const lines: IdentityLine[] = [];
  const entries: IdentityEntry[] = [];
  const byId = new Map<string, IdentityLine>();
  const secrets: Array<[string, Credentials]> = [];
  for (const { line, item, error } of sources) {
    const email = item?.email.trim();
    if (!item || !email || !EMAIL.test(email)) {
      lines.push({ line, email: email ?? null, result: 'invalid', error: error ?? 'email: must be an email address' });
      continue;
    }
    const identityId = accountIdFor(poolId, email);
    if (byId.has(identityId)) {
      lines.push({ line, email, result: 'duplicate', identityId, error: 'appears earlier in this import' });
      continue;
    }
    const result: IdentityLine = { line, email, result: 'imported', identityId };
    byId.set(identityId, result);
    lines.push(result);
    entries.push({ identityId, email, fields: Object.keys(item.extra ?? {}) });
    if (item.password || item.extra) secrets.push([identityId, { ...(item.password ? { password: item.password } : {}), ...(item.extra ? { extra: item.extra } : {}) }]);
  }
  if (!entries.length) return { lines };
  await deps.vault.putIfAbsent(secrets);
  const handled = await runCommand(deps.store, `identities-${poolId}`, identitiesDecider, { type: 'ImportIdentities', poolId, identities: entries, now: Date.now() }, ctx);
  const imported = new Set(handled.events.flatMap((e) => e.data.identities.map((i) => i.identityId)));
  for (const [id, line] of byId) {
    if (!imported.has(id)) Object.assign(line, { result: 'duplicate', error: 'already an identity of this pool' });
  }
  return { lines, position: handled.position };
}
