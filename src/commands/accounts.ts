import { setImmediate as turn } from 'node:timers/promises';
import { Type, type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import { accountDecider, type AccountCommand, type AccountEvent, type AccountState } from '../domain/account.ts';
import { DomainError, type FieldError } from '../domain/errors.ts';
import { WrongExpectedRevision, type EventStore, type Position } from '../store/port.ts';
import { accountIdFor, pickSealed, type Credentials, type SealedSecrets, type SecretVault } from '../store/secrets.ts';
import type { AccountIndex } from '../projections/account-index.ts';
import { toNewEvents, type CommandContext } from './context.ts';
import { readLines } from './lines.ts';
import { catchUp, runCommand, type Handled } from './runner.ts';

export interface AccountDeps {
  store: EventStore;
  vault: SecretVault;
  accounts: AccountIndex;
}

/**
 * The upstream revoked the account's credentials: it is disabled until an operator enables
 * it (after new credentials). The one place for that rule; refresh and probe both use it.
 *
 * @example
 * await disableRevoked(deps, accountId, systemContext('refresher'));
 */
export function disableRevoked(deps: AccountDeps, accountId: string, ctx: CommandContext) {
  return changeAccount(deps, { type: 'DisableAccount', accountId, reason: 'credentials revoked' }, ctx);
}

/**
 * An account's credentials, decrypted: for the existing account-pool API, whose clients
 * read them by email. Null when none are kept.
 *
 * @example
 * const credentials = await accountCredentials(deps, accountId);
 */
export function accountCredentials(deps: Pick<AccountDeps, 'vault'>, accountId: string): Promise<Credentials | null> {
  return deps.vault.get(accountId);
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
  const result = await runCommand(deps.store, `account-${command.accountId}`, accountDecider, { ...command, now: Date.now() } as AccountCommand, ctx);
  if (result.events.length) deps.accounts.set(command.accountId, result.state, result.revision);
  if (command.type === 'RetireAccount' && result.events.length) await deps.vault.shred(command.accountId);
  return result;
}

/** One account to import, as a JSON item or a JSON line gives it. */
export const ImportItem = Type.Object({
  login: Type.String({ minLength: 1, maxLength: 320 }),
  password: Type.Optional(Type.String({ maxLength: 4096 })),
  accessToken: Type.Optional(Type.String({ maxLength: 16384 })),
  refreshToken: Type.Optional(Type.String({ maxLength: 16384 })),
  idToken: Type.Optional(Type.String({ maxLength: 16384 })),
  credentialsExpiresAt: Type.Optional(Type.String({ format: 'date-time' })),
  capabilities: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 100 })),
  region: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
}, { additionalProperties: false });
export type ImportItem = Static<typeof ImportItem>;
const importItem = Compile(ImportItem);

export interface ImportLine {
  line: number;
  login: string | null;
  result: 'imported' | 'updated' | 'duplicate' | 'invalid';
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
 * Parses import lines: `email:password[:refresh_token]`, or a JSON object (an import item)
 * on a line of its own. Blank lines and `#` comments are skipped; a line that does not
 * parse, or whose item does not pass the item's checks, is reported, not dropped.
 *
 * @example
 * parseLines('a@x.test:pw\n{"login":"b@x.test","region":"eu"}') // → two sources, lines 1 and 2
 */
export function parseLines(text: string): ImportSource[] {
  return readLines(text, parseLine);
}

/** One trimmed, non-blank import line (see `parseLines`). */
export function parseLine(line: string, n: number): ImportSource {
  if (line.startsWith('{')) {
    let item: unknown;
    try {
      item = JSON.parse(line);
    } catch {
      return { line: n, error: 'not a JSON object' };
    }
    return checkSource({ line: n, item: item as ImportItem });
  }
  const [login, password, refreshToken, ...rest] = line.split(':');
  if (!login || !password || rest.length) return { line: n, error: 'expected email:password[:refresh_token] or a JSON object' };
  return checkSource({ line: n, item: { login, password, ...(refreshToken ? { refreshToken } : {}) } });
}

/** A source whose item fails the item's schema becomes a reported error. */
function checkSource(source: ImportSource): ImportSource {
  if (!source.item || importItem.Check(source.item)) return source;
  const first = importItem.Errors(source.item)[0];
  return { line: source.line, error: `${first?.instancePath.slice(1) || 'line'}: ${first?.message ?? 'is invalid'}` };
}

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

/** `create`: an account already in the pool is a duplicate. `update`: its credentials are replaced (CredentialsRotated). */
export type ImportMode = 'create' | 'update';

/** An accepted line and what it will write. */
interface Planned {
  result: ImportLine;
  accountId: string;
  command: AccountCommand;
  credentials: Credentials | null;
  /** The account's state and revision as this node knows them; undefined when it is new. */
  known?: { state: AccountState; revision: number };
}

/**
 * Imports accounts into a pool, one result per line: imported, updated (mode `update`),
 * duplicate (already in the pool, or twice in this import) or invalid. Secrets go to the
 * vault, never into events.
 *
 * The import is atomic: every account's events go in one multi-stream append (on
 * PostgreSQL one transaction), after the secrets. When the append fails, the secrets it
 * wrote are taken back and nothing of the import remains. Imports into one pool plan and
 * write one at a time (`vault.exclusive`), so that each knows the accounts the one before
 * it wrote and one's taking back never undoes another's secrets; they check and seal their
 * lines before, so that imports sent together overlap that work with the writing. A secret
 * left behind by an import that failed before this rule is overwritten by the next import
 * of that login.
 *
 * @example
 * await importAccounts(deps, 'default', [{ line: 1, item: { login: 'a@x.test', password: 'p' } }], ctx, 'update');
 */
export async function importAccounts(
  deps: AccountDeps, poolId: string, items: ImportSource[], ctx: CommandContext, mode: ImportMode = 'create',
): Promise<{ lines: ImportLine[]; position?: Position }> {
  const lines: ImportLine[] = [];
  const accepted: Accepted[] = [];
  const seen = new Set<string>();
  for (const [i, { line, item, error }] of items.entries()) {
    if (i > 0 && i % CHUNK === 0) await turn();
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
    const credentials = credentialsOf(item);
    accepted.push({ result, item, login, accountId, credentials, fingerprint: credentials ? deps.vault.fingerprint(credentials) : null });
  }
  // Sealed before the pool's lock: another import into the pool may write meanwhile.
  const sealed = await sealInTurns(deps.vault, accepted.flatMap((a) => (a.credentials ? [[a.accountId, a.credentials] as [string, Credentials]] : [])));
  for (let attempt = 0; ; attempt++) {
    try {
      // Planned under the pool's lock, so that an import into the pool just before this one is known.
      const position = await deps.vault.exclusive(`pool-${poolId}`, async () => {
        const now = Date.now();
        // In update mode, what each existing account holds now, so that the same credentials change nothing.
        const existing = mode === 'update' ? accepted.filter((a) => deps.accounts.find(a.accountId)?.state.exists).map((a) => a.accountId) : [];
        const held = new Map([...await deps.vault.getMany(existing)].map(([id, c]) => [id, c ? deps.vault.fingerprint(c) : null]));
        const planned = accepted.flatMap((a) => plan(deps, poolId, a, mode, now, held.get(a.accountId) ?? null));
        return write(deps, planned, sealed, ctx);
      });
      return { lines, position };
    } catch (error) {
      // Another writer created or changed one of these accounts since this node last heard:
      // learn their streams, then plan again (once).
      if (!(error instanceof WrongExpectedRevision) || attempt > 0) throw error;
      await Promise.all(accepted.map(async (a) => {
        const { state, revision } = await catchUp(deps.store, `account-${a.accountId}`, accountDecider);
        if (revision >= 0) deps.accounts.set(a.accountId, state, revision);
      }));
    }
  }
}

/**
 * Lines checked, or credentials sealed, between turns of the event loop (`turn`: what waits,
 * the import holding the pool's lock above all, runs before this one goes on).
 */
const CHUNK = 200;

/**
 * `vault.sealMany` a chunk at a time, giving the event loop a turn between chunks: sealing
 * a thousand credentials at once held it for 15 ms while the import before this one waited
 * to finish its writes and let go of the pool's lock.
 */
async function sealInTurns(vault: SecretVault, entries: Array<[string, Credentials]>): Promise<SealedSecrets> {
  const sealed: SealedSecrets = { ids: [], keys: [], payloads: [] };
  for (let i = 0; i < entries.length; i += CHUNK) {
    if (i > 0) await turn();
    const part = vault.sealMany(entries.slice(i, i + CHUNK));
    sealed.ids.push(...part.ids);
    sealed.keys.push(...part.keys);
    sealed.payloads.push(...part.payloads);
  }
  return sealed;
}

/** A line that passed the checks, with its credentials and their fingerprint. */
interface Accepted {
  result: ImportLine;
  item: ImportItem;
  login: string;
  accountId: string;
  credentials: Credentials | null;
  fingerprint: string | null;
}

/** What one accepted line will do, given what this node knows of its account. Sets its result. */
function plan(deps: AccountDeps, poolId: string, a: Accepted, mode: ImportMode, now: number, heldFingerprint: string | null): Planned[] {
  const { item, accountId, result, credentials, fingerprint } = a;
  const expiresAt = item.credentialsExpiresAt ?? null;
  const entry = deps.accounts.find(accountId);
  const known = entry && { state: entry.state, revision: entry.revision };
  result.result = 'imported';
  delete result.error;
  if (!known?.state.exists) {
    const command: AccountCommand = {
      type: 'ImportAccount', accountId, poolId, login: a.login, capabilities: item.capabilities ?? [], region: item.region ?? null,
      credentials: fingerprint ? { fingerprint, expiresAt } : null, now,
    };
    return [{ result, accountId, command, credentials }];
  }
  const unchanged = !fingerprint || heldFingerprint === fingerprint;
  if (mode === 'create' || unchanged || known.state.status === 'retired') {
    const why = mode === 'create' ? 'already in this pool' : known.state.status === 'retired' ? 'already in this pool, retired' : 'already in this pool with these credentials';
    Object.assign(result, { result: 'duplicate', error: why });
    return [];
  }
  Object.assign(result, { result: 'updated' });
  return [{ result, accountId, command: { type: 'RotateCredentials', accountId, fingerprint, expiresAt, now }, credentials, known }];
}

/**
 * Secrets (those of `sealed` that the plan writes), then every account's events in one
 * append; when the append fails, the secret rows are put back as they were. Returns the
 * position.
 */
async function write(deps: AccountDeps, planned: Planned[], sealed: SealedSecrets, ctx: CommandContext): Promise<Position | undefined> {
  if (!planned.length) return undefined;
  const decided = planned.map((p) => {
    const state = p.known?.state ?? accountDecider.initial();
    const events = accountDecider.decide(p.command, state);
    if (events instanceof DomainError) throw events;
    return { ...p, state, events, revision: p.known?.revision ?? -1 };
  });
  const secrets = pickSealed(sealed, new Set(decided.flatMap((d) => (d.credentials ? [d.accountId] : []))));
  const before = await deps.vault.replaceSealed(secrets);
  let results;
  try {
    results = await deps.store.appendMany(decided.map((d) => ({
      stream: `account-${d.accountId}`, events: toNewEvents(d.events, ctx), expected: d.revision < 0 ? 'no_stream' as const : d.revision,
    })));
  } catch (error) {
    await deps.vault.restore(before).catch(() => undefined);
    throw error;
  }
  let position: Position | undefined;
  decided.forEach((d, i) => {
    const r = results[i]!;
    deps.accounts.set(d.accountId, d.events.reduce(accountDecider.evolve, d.state), r.nextRevision);
    if (!position || r.position > position) position = r.position;
  });
  return position;
}
