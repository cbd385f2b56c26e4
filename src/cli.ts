/**
 * `npx roster <command>`: import accounts, rebuild read models, verify the log, export an
 * account's history, manage admin tokens (see COMMANDS; `roster --help`).
 */
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import type pg from 'pg';
import { LogVerifier } from './domain/verify.ts';
import { readAccountEvents, timeline } from './projections/history.ts';
import type { EventStore } from './store/port.ts';
import { join, resolve } from 'node:path';
import { loadConfig, type Config } from './config.ts';
import { rebuildAll } from './projections/rebuild.ts';
import { readModels } from './projections/read-models.ts';
import { sessionsToKeep } from './projections/sessions.ts';
import { openDatabase, openStore, schemas } from './database.ts';
import { runningPort, startEmbeddedPostgres } from './store/embedded.ts';
import { migrate } from './store/migrate.ts';
import { AdminTokens } from './store/tokens.ts';
import { importAccounts, parseLine, type ImportLine, type ImportMode, type ImportSource } from './commands/accounts.ts';
import { AccountIndex } from './projections/account-index.ts';
import { loadMasterKey, SecretVault } from './store/secrets.ts';
import { administerUser, knownUser, registerUser, userIdFor } from './commands/users.ts';
import { listUsers } from './projections/users.ts';
import { revokeFamiliesOf } from './store/refresh-tokens.ts';
import { createKey, keyOf, keysOfUser, keyView, revokeKey } from './commands/api-keys.ts';
import { ApiKeySecrets } from './store/api-keys.ts';
import { NO_SCOPES } from './domain/api-key.ts';
import { DomainError } from './domain/errors.ts';
import { roles, type Role } from './domain/user.ts';
import { Passwords } from './store/passwords.ts';
import { MailOutbox } from './store/mail-outbox.ts';

/** The database URL: configured, or the embedded server (the running one, else started for this command). */
async function database(config: Config): Promise<{ url: string; stop: () => Promise<void> }> {
  if (config.ROSTER_DATABASE_URL) return { url: config.ROSTER_DATABASE_URL, stop: async () => {} };
  const port = await runningPort(config.ROSTER_DATA_DIR);
  if (port) {
    const password = (await readFile(join(resolve(config.ROSTER_DATA_DIR), 'pg-password'), 'utf8')).trim();
    return { url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/roster`, stop: async () => {} };
  }
  const server = await startEmbeddedPostgres(config.ROSTER_DATA_DIR);
  return { url: server.url.replace(/\/postgres$/, '/roster'), stop: () => server.stop() };
}

/** Each command's line in the overview and its own help. */
const COMMANDS: Record<string, { usage: string; help: string }> = {
  import: {
    usage: 'roster import <poolId> [file|-] [--mode create|update] [--batch N]',
    help: 'Imports accounts into a pool from a file (stdin by default), streamed: one account a line, as\n'
      + 'email:password[:refresh_token] or a JSON object ({"login": …, "password": …, "region": …}).\n'
      + 'Prints each line\'s result as JSON Lines; exits 1 when a line was invalid. Each batch is atomic.\n'
      + '  --mode update  replace the credentials of accounts already in the pool (default: create)\n'
      + '  --batch N      lines a batch (default 1000, at most 10000)',
  },
  rebuild: { usage: 'roster rebuild [projection…]', help: 'Rebuilds read models from the log (all by default).' },
  verify: { usage: 'roster verify [--grace-ms N]', help: 'Replays the whole log and checks its invariants; exits 1 on a violation.\n  --grace-ms N   how long past its expiry a live session may stay unexpired (default 600000)' },
  export: { usage: 'roster export <accountId> [--out F]', help: "Writes an account's history as JSON Lines (stdout by default).\n  --out F        write to file F" },
  users: {
    usage: 'roster users create <email> [--role admin|operator|viewer|member] [--admin] | list | disable <email> [--reason R] | enable <email>',
    help: 'Roster\'s users.\n'
      + '  create <email>    makes a verified user with the role given (member by default; --admin is --role admin),\n'
      + '                    reading the password from the first line of stdin\n'
      + '  list              every user: id, email, role, status, verified, created (as the read models have them)\n'
      + '  disable <email>   ends the user\'s sign-ins and refuses its tokens at once on every node, its keys within\n'
      + '                    ROSTER_KEY_CACHE_MS\n'
      + '  enable <email>    lets a disabled user in again\n'
      + '  echo "$PASSWORD" | roster users create ada@example.test --admin\n'
      + '  roster users disable ada@example.test --reason "left the team"',
  },
  keys: {
    usage: 'roster keys create <email> [--name N] | list <email> | show <keyId|prefix> | revoke <keyId|prefix> [--reason R]',
    help: 'API keys of Roster\'s users.\n'
      + '  create <email> [--name N]   makes a key for the user with that email (no scope or limit: change them\n'
      + '                              with PATCH /v1/users/{userId}/keys/{keyId}) and prints it once (stored hashed)\n'
      + '  list <email>                the user\'s keys: id, prefix, status, created, name; never a key\n'
      + '  show <keyId|prefix>         whose key it is: id, prefix, status, holder\'s email, name (every key of a prefix)\n'
      + '  revoke <keyId|prefix>       revokes a key for good, named by its id or by the prefix lists and logs show\n'
      + '                              (rk_0123abcd); a running server refuses it within ROSTER_KEY_CACHE_MS\n'
      + '  roster keys create ada@example.test --name gateway\n'
      + '  roster keys revoke rk_0123abcd --reason leaked',
  },
  mail: {
    usage: 'roster mail [--to EMAIL]',
    help: 'The mail outbox, newest first, as JSON Lines (without an SMTP server, mail waits here for an admin to read).\n  --to EMAIL     only mail to this address',
  },
  tokens: {
    usage: 'roster tokens create [--label L] | list | revoke <id>',
    help: 'Admin tokens (service tokens with the admin role).\n  create [--label L]  makes a token and prints it once (stored hashed)\n  list                every token: id, label, created, revoked; never the token\n  revoke <id>         revokes a token at once on every node',
  },
};

const USAGE = `usage:\n${Object.values(COMMANDS).map((c) => `  ${c.usage}`).join('\n')}\n  roster <command> --help\n`;

/** `roster <command> --help`: the command's usage and what it does. */
function helpOf(command: string | undefined): string {
  const c = command ? COMMANDS[command] : undefined;
  return c ? `usage: ${c.usage}\n\n${c.help}\n` : USAGE;
}

/**
 * Opens the database and the store, runs `work`, closes them. A command that reads no
 * secret (`readsSecrets: false`) runs without the master key, so that auditing the log
 * does not need the key that opens every credential.
 */
async function withStore(work: (db: pg.Pool, store: EventStore, config: Config) => Promise<number>, { readsSecrets = true } = {}): Promise<number> {
  const config = loadConfig(process.env, { readsSecrets });
  const { url, stop } = await database(config);
  const db = openDatabase(url, 4);
  try {
    await migrate(db, schemas);
    const store = await openStore(config, db, url);
    try {
      return await work(db, store, config);
    } finally {
      await store.close();
    }
  } finally {
    await db.end();
    await stop();
  }
}

async function rebuildCommand(args: string[]): Promise<number> {
  const unknown = args.filter((a) => !readModels.some((p) => p.name === a));
  if (unknown.length) {
    process.stderr.write(`unknown projection(s): ${unknown.join(', ')}; known: ${readModels.map((p) => p.name).join(', ')}\n`);
    return 2;
  }
  return withStore(async (db, store, config) => {
    const started = performance.now();
    const projections = readModels.filter((p) => args.length === 0 || args.includes(p.name));
    // Sessions the retention would prune do not come back.
    const { events, rows } = await rebuildAll(db, store, projections, { keep: sessionsToKeep(config.ROSTER_SESSION_RETENTION_MS) });
    const ms = performance.now() - started;
    for (const [table, n] of rows) process.stdout.write(`rebuilt ${table}: ${n} rows\n`);
    process.stdout.write(`rebuilt from ${events} events in ${Math.round(ms)} ms (${Math.round(events / Math.max(ms / 1000, 0.001))} events/s)\n`);
    return 0;
  }, { readsSecrets: false });
}

async function verifyCommand(graceMs: number): Promise<number> {
  return withStore(async (_db, store) => {
    // Streamed: the verifier keeps each stream's state, not the events.
    const verifier = new LogVerifier();
    for (let page = await store.readAll({ limit: 5000 }); page.length; page = await store.readAll({ from: page.at(-1)!.position, limit: 5000 })) {
      for (const e of page) verifier.add(e);
    }
    const r = verifier.finish(Date.now(), graceMs);
    for (const v of r.violations) process.stdout.write(`violation: ${v}\n`);
    process.stdout.write(`verified ${r.events} events in ${r.streams} streams: ${r.pools} pools, ${r.accounts} accounts, ${r.jobs} jobs; `
      + `sessions ${r.sessions.live} live, ${r.sessions.released} released, ${r.sessions.expired} expired; ${r.violations.length} violations\n`);
    return r.violations.length ? 1 : 0;
  }, { readsSecrets: false });
}

async function exportCommand(accountId: string, out: string | undefined): Promise<number> {
  return withStore(async (_db, store) => {
    const lines = timeline(await readAccountEvents(store, accountId)).map((e) => `${JSON.stringify(e)}\n`).join('');
    if (out) await writeFile(out, lines);
    else process.stdout.write(lines);
    return 0;
  }, { readsSecrets: false });
}

/** `roster import`: streams the lines, imports them a batch at a time, prints each line's result. */
async function importCommand(args: string[], mode: string | undefined, batch: number): Promise<number> {
  const [poolId, file] = args;
  if (!poolId || args.length > 2 || (mode !== undefined && mode !== 'create' && mode !== 'update') || !(Number.isInteger(batch) && batch >= 1 && batch <= 10_000)) {
    process.stderr.write(helpOf('import'));
    return 2;
  }
  return withStore(async (db, store, config) => {
    if ((await store.readStream(`pool-${poolId}`, { limit: 1 })).length === 0) {
      process.stderr.write(`roster: no pool ${poolId}\n`);
      return 1;
    }
    // What the read model knows of the pool's accounts; an account it has not caught up with is found by the append's conflict.
    const accounts = new AccountIndex();
    await accounts.seed(db);
    const deps = { store, vault: new SecretVault(db, await loadMasterKey(config)), accounts };
    const ctx = { actor: 'cli:import', correlationId: randomUUID() };
    const totals: Record<ImportLine['result'], number> = { imported: 0, updated: 0, duplicate: 0, invalid: 0 };
    const started = performance.now();
    let pending: ImportSource[] = [];
    // Two batches under way: one checks and seals its lines while the one before it writes.
    let writing: Promise<void> = Promise.resolve();
    const flush = async () => {
      if (!pending.length) return;
      const imported = importAccounts(deps, poolId, pending, ctx, (mode ?? 'create') as ImportMode);
      pending = [];
      const before = writing;
      writing = (async () => {
        const { lines } = await imported;
        await before;
        for (const line of lines) totals[line.result]++;
        process.stdout.write(lines.map((line) => `${JSON.stringify(line)}\n`).join(''));
      })();
      writing.catch(() => undefined); // awaited by the next flush, or at the end
      await before;
    };
    let n = 0;
    for await (const raw of createInterface({ input: file && file !== '-' ? createReadStream(file) : process.stdin, crlfDelay: Infinity })) {
      n++;
      const line = raw.trim();
      if (!line || line.startsWith('#')) continue;
      pending.push(parseLine(line, n));
      if (pending.length >= batch) await flush();
    }
    await flush();
    await writing;
    const seconds = (performance.now() - started) / 1000;
    const done = totals.imported + totals.updated;
    process.stderr.write(`imported ${totals.imported}, updated ${totals.updated}, duplicates ${totals.duplicate}, invalid ${totals.invalid} `
      + `in ${seconds.toFixed(1)} s (${Math.round(done / Math.max(seconds, 0.001))} accounts/s)\n`);
    return totals.invalid ? 1 : 0;
  });
}

/** `roster users create <email>`: a verified user, its password from stdin's first line. */
async function usersCommand(args: string[], role: string, reason: string): Promise<number> {
  const [action, email] = args;
  if (action === 'list' && args.length === 1) return listUsersCommand();
  if ((action === 'disable' || action === 'enable') && email && args.length === 2 && reason.length >= 1 && reason.length <= 200) {
    return withStore(async (db, store) => {
      const deps = { store, passwords: new Passwords(db), refresh: { revokeUser: (userId: string, why = 'disabled') => revokeFamiliesOf(db, userId, why) } };
      const change = action === 'disable' ? { type: 'DisableUser' as const, reason } : { type: 'EnableUser' as const };
      const done = await administerUser(deps, userIdFor(email), change, { actor: 'cli:users', correlationId: randomUUID() });
      process.stdout.write(`${done.userId}\t${email.trim().toLowerCase()}\t${done.status}\n`);
      return 0;
    }, { readsSecrets: false }).catch(domainRefusal);
  }
  if (action !== 'create' || !email || args.length !== 2 || !(roles as readonly string[]).includes(role)) {
    process.stderr.write(helpOf('users'));
    return 2;
  }
  let password = '';
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    password = line;
    break;
  }
  return withStore(async (db, store) => {
    const { created, userId } = await registerUser({ store, passwords: new Passwords(db) }, { email, password, role: role as Role, verified: true }, { actor: 'cli:users', correlationId: randomUUID() });
    if (!created) {
      process.stderr.write(`roster: a user with email ${email} exists\n`);
      return 1;
    }
    process.stdout.write(`${userId}\n`);
    process.stderr.write(`user ${email} created with role ${role}\n`);
    return 0;
  }, { readsSecrets: false }).catch(domainRefusal);
}

/** `roster users list`: every user, a line each, from the read model a page at a time. */
async function listUsersCommand(): Promise<number> {
  return withStore(async (db) => {
    for (let after: string | undefined, page; !page || page.next; after = page.next ?? undefined) {
      page = await listUsers(db, { limit: 1000, ...(after ? { after } : {}) });
      for (const u of page.items) process.stdout.write(`${u.userId}\t${u.email}\t${u.role}\t${u.status}\t${u.verified ? 'verified' : 'unverified'}\tcreated ${u.createdAt}\n`);
    }
    return 0;
  }, { readsSecrets: false });
}

/** `roster keys create <email>` (a key for a user, printed once), `list <email>`, `show <keyId|prefix>`, `revoke <keyId|prefix>`. */
async function keysCommand(args: string[], name: string, reason: string): Promise<number> {
  const [action, target] = args;
  const fits = (text: string) => text.length >= 1 && text.length <= 100;
  if (!['create', 'list', 'show', 'revoke'].includes(action ?? '') || !target || args.length !== 2 || !fits(name) || !fits(reason)) {
    process.stderr.write(helpOf('keys'));
    return 2;
  }
  return withStore(async (db, store) => {
    const deps = { store, keys: new ApiKeySecrets(db) };
    const ctx = { actor: 'cli:keys', correlationId: randomUUID() };
    if (action === 'create') {
      const made = await createKey(deps, userIdFor(target), { name, scopes: NO_SCOPES, limits: {}, expiresAt: null }, ctx);
      process.stdout.write(`${made.key}\n`);
      process.stderr.write(`key ${made.keyId} created for ${target} (shown once; stored hashed)\n`);
      return 0;
    }
    if (action === 'list') {
      for (const k of await keysOfUser(deps, userIdFor(target))) process.stdout.write(`${k.keyId}\t${k.prefix}\t${k.status}\tcreated ${k.createdAt}\t${k.name}\n`);
      return 0;
    }
    const ids = /^[0-9a-f-]{36}$/i.test(target) ? [target.toLowerCase()] : await deps.keys.idsByPrefix(target);
    if (action === 'show') {
      // Whose key a log line names: each key of the prefix with its holder.
      for (const id of ids) {
        const view = keyView(id, await keyOf(deps, id, null));
        const holder = await knownUser(store, view.userId);
        process.stdout.write(`${view.keyId}\t${view.prefix}\t${view.status}\t${holder?.email ?? view.userId}\t${view.name}\n`);
      }
      if (!ids.length) process.stderr.write(`roster: no key ${target}\n`);
      return ids.length ? 0 : 1;
    }
    if (ids.length !== 1) {
      process.stderr.write(ids.length ? `roster: ${ids.length} keys have the prefix ${target}: ${ids.join(', ')}; name one by its id\n` : `roster: no key ${target}\n`);
      return 1;
    }
    const revoked = await revokeKey(deps, ids[0]!, null, reason, ctx);
    process.stdout.write(`revoked ${revoked.keyId} (${revoked.prefix}, ${revoked.name})\n`);
    return 0;
  }, { readsSecrets: false }).catch(domainRefusal);
}

/** A command's refusal (no such user, a bad password): its detail, exit 1. */
function domainRefusal(error: unknown): number {
  if (!(error instanceof DomainError)) throw error;
  process.stderr.write(`roster: ${error.detail}\n`);
  return 1;
}

/** `roster mail`: the outbox, newest first, as JSON Lines. */
async function mailCommand(to: string | undefined): Promise<number> {
  return withStore(async (db, _store, config) => {
    const outbox = new MailOutbox(db, await loadMasterKey(config));
    for (const mail of await outbox.list({ ...(to ? { to } : {}), limit: 1000 })) process.stdout.write(`${JSON.stringify(mail)}\n`);
    return 0;
  });
}

async function tokensCommand(args: string[], label: string | undefined): Promise<number> {
  const [action, id] = args;
  if (!(action === 'create' && !id) && !(action === 'list' && !id) && !(action === 'revoke' && id && args.length === 2)) {
    process.stderr.write(helpOf('tokens'));
    return 2;
  }
  return withStore(async (db) => {
    const tokens = new AdminTokens(db);
    if (action === 'create') {
      const created = await tokens.create(label ?? 'cli');
      process.stdout.write(`${created.token}\n`);
      process.stderr.write(`admin token ${created.id} created (shown once; stored hashed)\n`);
      return 0;
    }
    if (action === 'list') {
      for (const t of await tokens.list()) process.stdout.write(`${t.id}\t${t.label}\tcreated ${t.createdAt}\t${t.revokedAt ? `revoked ${t.revokedAt}` : 'live'}\n`);
      return 0;
    }
    const revoked = await tokens.revoke(id!);
    process.stdout.write(revoked ? `revoked ${id}\n` : `no live token ${id}\n`);
    return revoked ? 0 : 1;
  }, { readsSecrets: false });
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true, strict: false,
    options: {
      'grace-ms': { type: 'string' }, out: { type: 'string' }, label: { type: 'string' }, mode: { type: 'string' }, batch: { type: 'string' },
      role: { type: 'string' }, admin: { type: 'boolean' }, to: { type: 'string' }, name: { type: 'string' }, reason: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, ...args] = positionals;
  if (values.help || command === 'help') {
    process.stdout.write(helpOf(command === 'help' ? args[0] : command));
    return 0;
  }
  const grace = Number(values['grace-ms'] ?? 600_000);
  const out = typeof values.out === 'string' ? values.out : undefined;
  const reason = typeof values.reason === 'string' ? values.reason : undefined;
  if (command === 'import') return importCommand(args, typeof values.mode === 'string' ? values.mode : undefined, Number(values.batch ?? 1000));
  if (command === 'rebuild') return rebuildCommand(args);
  if (command === 'verify' && args.length === 0 && Number.isInteger(grace) && grace >= 0) return verifyCommand(grace);
  if (command === 'export' && args.length === 1 && /^[0-9a-f-]{36}$/i.test(args[0]!)) return exportCommand(args[0]!, out);
  if (command === 'tokens') return tokensCommand(args, typeof values.label === 'string' ? values.label : undefined);
  if (command === 'mail' && args.length === 0) return mailCommand(typeof values.to === 'string' ? values.to : undefined);
  if (command === 'keys') return keysCommand(args, typeof values.name === 'string' ? values.name : 'cli', reason ?? 'revoked with roster keys');
  if (command === 'users') return usersCommand(args, values.admin === true ? 'admin' : typeof values.role === 'string' ? values.role : 'member', reason ?? 'disabled with roster users');
  process.stderr.write(command && COMMANDS[command] ? helpOf(command) : USAGE);
  return 2;
}

main(process.argv.slice(2)).then((code) => process.exit(code), (error) => {
  process.stderr.write(`roster: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
