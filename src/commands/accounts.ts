import {
  decideAccount, evolveAccount, initialAccountState,
  type AccountCommand, type AccountEvent, type AccountState,
} from '../domain/account.ts';
import { DomainError, type FieldError } from '../domain/errors.ts';
import type { EventStore, Position } from '../store/port.ts';
import { accountIdFor, type Credentials, type SecretVault } from '../store/secrets.ts';
import type { AccountIndex } from '../workers/account-index.ts';
import { Gate } from '../workers/limits.ts';
import type { CommandContext } from './context.ts';
import { handle, type Decider, type Handled } from './handle.ts';

const accountDecider: Decider<AccountState, AccountCommand, AccountEvent> = {
  initial: initialAccountState, decide: decideAccount, evolve: evolveAccount,
};

export interface AccountDeps {
  store: EventStore;
  vault: SecretVault;
  accounts: AccountIndex;
}

/** Distributes an Omit over a union. */
type Without<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * Runs an account command and tells this node's allocators at once, so that (for
 * example) a disabled account is not leased again by this node after the answer.
 *
 * @example
 * await changeAccount(deps, { type: 'DisableAccount', accountId, reason: 'abuse' }, ctx);
 */
export async function changeAccount(
  deps: AccountDeps, command: Without<AccountCommand, 'now'>, ctx: CommandContext,
): Promise<Handled<AccountState, AccountEvent>> {
  const result = await handle(deps.store, `account-${command.accountId}`, accountDecider, { ...command, now: Date.now() } as AccountCommand, ctx);
  if (result.events.length) deps.accounts.set(command.accountId, result.state, result.revision);
  if (command.type === 'RetireAccount' && result.events.length) await deps.vault.shred(command.accountId);
  return result;
}

export interface ImportItem {
  login: string;
  password?: string;
  accessToken?: string;
  refreshToken?: string;
  idToken?: string;
  credentialsExpiresAt?: string;
  capabilities?: string[];
  region?: string;
}

export interface ImportLine {
  line: number;
  login: string | null;
  result: 'imported' | 'duplicate' | 'invalid';
  accountId?: string;
  error?: string;
}

/** One line of an import: what it holds, or why it could not be read. */
export interface ImportSource {
  line: number;
  item?: ImportItem;
  error?: string;
}

/**
 * Parses `email:password[:refresh_token]` lines. Blank lines and `#` comments are skipped;
 * a line that does not parse is reported, not dropped.
 */
export function parseLines(text: string): ImportSource[] {
  return text.split(/\r?\n/).flatMap((raw, i): ImportSource[] => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return [];
    const [login, password, refreshToken, ...rest] = line.split(':');
    if (!login || !password || rest.length) return [{ line: i + 1, error: 'expected email:password[:refresh_token]' }];
    return [{ line: i + 1, item: { login, password, ...(refreshToken ? { refreshToken } : {}) } }];
  });
}

/** Appends an import keeps in flight at once. */
const IMPORT_CONCURRENCY = 8;

function credentialsOf(item: ImportItem): Credentials | null {
  const c: Credentials = {};
  if (item.password) c.password = item.password;
  if (item.accessToken) c.accessToken = item.accessToken;
  if (item.refreshToken) c.refreshToken = item.refreshToken;
  if (item.idToken) c.idToken = item.idToken;
  return Object.keys(c).length ? c : null;
}

function checkItem(item: ImportItem): FieldError[] {
  const bad: FieldError[] = [];
  if (!item.login?.trim()) bad.push({ field: 'login', message: 'must not be empty' });
  if (item.credentialsExpiresAt && Number.isNaN(Date.parse(item.credentialsExpiresAt))) {
    bad.push({ field: 'credentialsExpiresAt', message: 'must be a date-time' });
  }
  return bad;
}

/**
 * Imports accounts into a pool, one result per line: imported, duplicate (already in the
 * pool, or twice in this import) or invalid. Secrets go to the vault, never into events.
 */
export async function importAccounts(
  deps: AccountDeps, poolId: string, items: ImportSource[], ctx: CommandContext,
): Promise<{ lines: ImportLine[]; position?: Position }> {
  const seen = new Set<string>();
  const lines: ImportLine[] = [];
  const accepted: Array<{ result: ImportLine; item: ImportItem; login: string; accountId: string; credentials: Credentials | null }> = [];
  let position: Position | undefined;
  for (const { line, item, error } of items) {
    if (!item) {
      lines.push({ line, login: null, result: 'invalid', error });
      continue;
    }
    const bad = checkItem(item);
    if (bad.length) {
      lines.push({ line, login: item.login ?? null, result: 'invalid', error: bad.map((b) => `${b.field}: ${b.message}`).join('; ') });
      continue;
    }
    const login = item.login.trim();
    const accountId = accountIdFor(poolId, login);
    if (seen.has(accountId)) {
      lines.push({ line, login, result: 'duplicate', accountId, error: 'appears earlier in this import' });
      continue;
    }
    seen.add(accountId);
    const result: ImportLine = { line, login, result: 'imported', accountId };
    lines.push(result);
    accepted.push({ result, item, login, accountId, credentials: credentialsOf(item) });
  }
  // Secrets first, only where none exist: a duplicate never overwrites the original's.
  await deps.vault.putIfAbsent(accepted.flatMap((a) => (a.credentials ? [[a.accountId, a.credentials] as [string, Credentials]] : [])));
  // Each account is its own stream: a few appends at a time share the database's commits.
  const gate = new Gate(IMPORT_CONCURRENCY);
  let failure: unknown;
  await Promise.all(accepted.map((a) => gate.run(async () => {
    if (failure !== undefined) return;
    const { item, credentials } = a;
    try {
      const changed = await changeAccount(deps, {
        type: 'ImportAccount', accountId: a.accountId, poolId, login: a.login, capabilities: item.capabilities ?? [], region: item.region ?? null,
        credentials: credentials ? { fingerprint: deps.vault.fingerprint(credentials), expiresAt: item.credentialsExpiresAt ?? null } : null,
      }, ctx);
      if (changed.position && (!position || changed.position > position)) position = changed.position;
    } catch (e) {
      if (e instanceof DomainError && e.code === 'account_exists') Object.assign(a.result, { result: 'duplicate', error: 'already in this pool' });
      else failure ??= e;
    }
  })));
  if (failure !== undefined) throw failure;
  return { lines, position };
}
