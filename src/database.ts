/**
 * The database and the event store as the service and the CLI open them: the pg pool, the
 * store the configuration selects, and the tables besides the store's own. Apart from
 * `service.ts` so that a CLI command loads none of the HTTP layer, the workers' threads or
 * their packages (about 0.5 s of every command's start).
 */
import pg from 'pg';
import type { Config } from './config.ts';
import { readModelSchema } from './projections/schema.ts';
import { rosterCodec } from './store/codec.ts';
import type { EventStore } from './store/port.ts';
import { PostgresEventStore } from './store/postgres.ts';
import { traced } from './store/traced.ts';
import { tokensSchema } from './store/tokens.ts';
import { refreshTokensSchema } from './store/refresh-tokens.ts';
import { accessKeysSchema } from './store/access-tokens.ts';
import { passwordsSchema } from './store/passwords.ts';
import { mailOutboxSchema } from './store/mail-outbox.ts';
import { apiKeysSchema } from './store/api-keys.ts';
import { rateLimitsSchema } from './store/rate-limits.ts';
import { budgetsSchema } from './store/budgets.ts';
import { requestLogSchema } from './store/request-log.ts';
import { requestSlotsSchema } from './store/request-slots.ts';
import { providerPaceSchema } from './store/provider-pace.ts';
import { keptObjectsSchema } from './store/kept-objects.ts';
import { ownersSchema } from './workers/registration.ts';

/**
 * A pg pool whose sessions never sit idle inside a transaction for long (it would hold every
 * subscriber back). `settings` are more session settings, e.g. `{ synchronous_commit: 'off' }`.
 */
export function openDatabase(url: string, max: number, name = 'roster', settings: Record<string, string> = {}): pg.Pool {
  const options = Object.entries({ idle_in_transaction_session_timeout: '10000', ...settings }).map(([k, v]) => `-c ${k}=${v}`).join(' ');
  // A request waits at most this long for a connection (a database that cannot be reached,
  // or every connection busy), then fails as unavailable (503) instead of hanging.
  const pool = new pg.Pool({ connectionString: url, max, application_name: name, options, connectionTimeoutMillis: 5000 });
  pool.on('error', () => undefined);
  // A connection the server ends (shutdown, restart) while checked out would otherwise be an
  // unhandled 'error' event; its queries still fail and are handled where they are made.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

/** The tables besides the store's own, in the order they are made. */
export const schemas = [
  readModelSchema, tokensSchema, ownersSchema, passwordsSchema, refreshTokensSchema, accessKeysSchema, mailOutboxSchema, apiKeysSchema, rateLimitsSchema, budgetsSchema, requestSlotsSchema, providerPaceSchema, keptObjectsSchema, requestLogSchema,
];

/** The event store the configuration selects. */
export async function openStore(config: Config, db: pg.Pool, url: string): Promise<EventStore> {
  if (config.ROSTER_EVENT_STORE === 'eventstoredb') {
    // Loaded only when chosen: the gRPC client and its protocol files hold some 10 MB of heap.
    const { EventStoreDbStore } = await import('./store/eventstoredb.ts');
    return traced(new EventStoreDbStore(config.EVENTSTORE_CONNECTION_STRING!, rosterCodec));
  }
  const store = new PostgresEventStore(db, { codec: rosterCodec, listen: { connectionString: url } });
  await store.start();
  return traced(store);
}
