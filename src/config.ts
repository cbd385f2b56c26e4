import { isIP } from 'node:net';
import 'dotenv/config';
import { Type, type Static, type TSchema } from 'typebox';
import { Value } from 'typebox/value';

const Int = (min: number, max: number, def: number) => Type.Integer({ minimum: min, maximum: max, default: def });

/** Every ROSTER_ variable, its type and default. */
export const ConfigSchema = Type.Object({
  ROSTER_DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  ROSTER_DATA_DIR: Type.String({ minLength: 1, default: './data' }),
  ROSTER_HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  ROSTER_PORT: Int(0, 65535, 8080),
  ROSTER_MASTER_KEY: Type.Optional(Type.String({ minLength: 32 })),
  ROSTER_ADMIN_TOKEN: Type.Optional(Type.String({ pattern: '^roster_[0-9a-f]{8}_[A-Za-z0-9_-]{20,}$' })),
  ROSTER_DEFAULT_POOL: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$', description: 'default: `demo` in demo mode, else `default`' })),
  ROSTER_COMPAT_LOOPBACK_OPEN: Type.Boolean({ default: false }),
  ROSTER_ACCOUNTS_PER_REQUEST: Int(1, 1000, 1),
  ROSTER_CONSISTENCY_WAIT_MS: Int(0, 60_000, 2000),
  ROSTER_REAPER_INTERVAL_MS: Int(50, 600_000, 1000),
  ROSTER_DB_POOL_SIZE: Int(2, 500, 20),
  ROSTER_SECRET_CACHE_SIZE: Int(0, 10_000_000, 10_000),
  ROSTER_LOG_LEVEL: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)), { default: 'info' }),
  ROSTER_EVENT_STORE: Type.Union([Type.Literal('postgres'), Type.Literal('eventstoredb')], { default: 'postgres' }),
  ROSTER_PROVIDERS: Type.String({ default: '{}', description: 'JSON: provider id → { use, options, limits }' }),
  ROSTER_FLOW_THREADS: Int(1, 1024, 4),
  ROSTER_FLOWS_PER_THREAD: Int(1, 1000, 32),
  ROSTER_FLOW_NICE: Int(0, 19, 19),
  ROSTER_FLOW_TIMEOUT_MS: Int(1000, 600_000, 60_000),
  ROSTER_FLOW_PACING_WAIT: Type.Number({ minimum: 0, maximum: 1, default: 0.1, description: 'share of time the main thread may wait for a CPU before registration slows down; 0 never' }),
  ROSTER_REFRESH_WINDOW_MS: Int(0, 7 * 86_400_000, 600_000),
  ROSTER_SCHEDULER_INTERVAL_MS: Int(100, 3600_000, 5000),
  ROSTER_SESSION_RETENTION_MS: Int(0, 3650 * 86_400_000, 86_400_000),
  ROSTER_HEARTBEAT_MS: Int(100, 600_000, 5000),
  ROSTER_JOB_STALL_MS: Int(1000, 86_400_000, 120_000),
  ROSTER_JOB_FETCH_BATCH: Int(1, 100_000, 1000),
  ROSTER_PROBE_INTERVAL_MS: Int(1000, 86_400_000, 60_000),
  ROSTER_LATE_USAGE_AFTER_MS: Int(1000, 86_400_000, 600_000),
  ROSTER_UPKEEP_CONCURRENCY: Int(1, 10_000, 32),
  ROSTER_USAGE_TIMEZONE: Type.String({ minLength: 1, default: 'UTC' }),
  ROSTER_USAGE_ROLLOVER: Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', default: '00:00' }),
  ROSTER_READY_MAX_LAG_MS: Int(100, 3600_000, 10_000),
  ROSTER_PROJECTION_INTERVAL_MS: Int(0, 10_000, 500),
  ROSTER_FEED_MAX_BACKLOG_BYTES: Int(16_384, 1_073_741_824, 1_048_576),
  ROSTER_FEED_MAX_PER_CALLER: Type.Integer({ minimum: 1, maximum: 100_000, default: 32, description: 'feed connections one caller (an API key, or a signed-in user) but an admin may hold open at once on a node' }),
  ROSTER_FEED_HEALTH_INTERVAL_MS: Int(100, 3_600_000, 1000),
  ROSTER_REQUEST_TIMEOUT_MS: Int(1000, 600_000, 30_000),
  ROSTER_MAX_CONNECTIONS: Int(1, 1_000_000, 10_000),
  ROSTER_TRUST_PROXY: Type.String({ default: 'false', maxLength: 2000, description: 'false; true; or the proxies\' addresses and CIDR ranges, comma-separated' }),
  ROSTER_DOCS_PUBLIC: Type.Boolean({ default: true }),
  ROSTER_REQUIRE_VERIFIED_EMAIL: Type.Boolean({ default: true }),
  ROSTER_CODE_TTL_MS: Int(60_000, 7 * 86_400_000, 30 * 60_000),
  ROSTER_SMTP_URL: Type.Optional(Type.String({ pattern: '^smtps?://', description: 'mail goes out through this SMTP server; unset, it waits in the outbox (`roster mail`)' })),
  ROSTER_MAIL_FROM: Type.String({ minLength: 3, maxLength: 320, default: 'Roster <roster@localhost>' }),
  ROSTER_MAIL_INTERVAL_MS: Int(50, 3_600_000, 1000),
  ROSTER_MAIL_RETRY_MS: Int(100, 3_600_000, 5000),
  ROSTER_REDIS_URL: Type.Optional(Type.String({ pattern: '^rediss?://', description: 'rate limits, requests at once and providers\' rates count here, shared by every node; unset, in PostgreSQL' })),
  ROSTER_LOGIN_FAILS_PER_IP: Int(1, 1_000_000, 100),
  ROSTER_LOGIN_FAILS_PER_ACCOUNT: Int(1, 1_000_000, 10),
  ROSTER_LOGIN_FAIL_WINDOW_S: Int(1, 86_400, 900),
  ROSTER_MAIL_REQUESTS_PER_IP: Int(1, 1_000_000, 20),
  ROSTER_MAILS_PER_ADDRESS: Int(1, 1_000_000, 5),
  ROSTER_LOOKUPS_PER_IP: Int(1, 1_000_000, 300),
  ROSTER_OPEN_LIMIT_WINDOW_S: Int(1, 86_400, 3600),
  ROSTER_GATEWAY_PORT: Int(0, 65535, 8081),
  ROSTER_GATEWAY_PUBLIC_URL: Type.Optional(Type.String({
    pattern: '^https?://[^\\s/?#]+(/[^\\s?#]*)?$', description: 'the gateway\'s address as clients reach it (a proxy in front), e.g. https://llm.example.com; unset, the console shows its own host at ROSTER_GATEWAY_PORT',
  })),
  ROSTER_KEY_CACHE_MS: Int(0, 600_000, 1000),
  ROSTER_GATEWAY_ROUTES: Type.String({ default: '{}', description: 'JSON: model → { pools, upstreamModel?, aliases? }' }),
  ROSTER_GATEWAY_PRICES: Type.String({ default: '{}', description: 'JSON: model → { inputPerMillion, outputPerMillion, batchInputPerMillion?, batchOutputPerMillion? } in budget units' }),
  ROSTER_GATEWAY_DEFAULT_ROUTES: Type.String({ default: '{}', description: 'JSON: pass-through path → the route a request to it that names no model goes by' }),
  ROSTER_GATEWAY_RETRIES: Int(0, 10, 2),
  ROSTER_GATEWAY_MAX_IN_FLIGHT: Int(1, 100_000, 8),
  ROSTER_GATEWAY_TIMEOUT_MS: Int(1000, 600_000, 60_000),
  ROSTER_GATEWAY_STRIP_HEADERS: Type.String({ default: '', description: 'more request headers never sent upstream, comma-separated' }),
  ROSTER_GATEWAY_FLUSH_MS: Int(50, 60_000, 500),
  ROSTER_GATEWAY_REQUEST_LOG_DAYS: Int(0, 3650, 14),
  ROSTER_GATEWAY_CLAIM_TTL_MS: Int(3000, 3_600_000, 60_000),
  ROSTER_GATEWAY_BODY_LIMIT: Int(1024, 2 ** 30, 8 * 2 ** 20),
  ROSTER_GATEWAY_UPLOAD_LIMIT: Int(1024, 2 ** 31, 64 * 2 ** 20),
  ROSTER_GATEWAY_UPLOAD_MEMORY: Int(1024, 2 ** 33, 256 * 2 ** 20),
  ROSTER_DEMO: Type.Boolean({ default: false }),
  ROSTER_SANDBOX_PORT: Int(0, 65535, 8090),
  EVENTSTORE_CONNECTION_STRING: Type.Optional(Type.String({ pattern: '^(esdb|esdb\\+discover)://' })),
});

/** The configuration as loaded: `ROSTER_DEFAULT_POOL` is always filled in. */
export type Config = Static<typeof ConfigSchema> & { ROSTER_DEFAULT_POOL: string };

const ProvidersSchema = Type.Record(Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$' }), Type.Object({
  use: Type.String({ minLength: 1 }),
  options: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  limits: Type.Optional(Type.Object({
    minRefreshIntervalMs: Type.Optional(Type.Integer({ minimum: 0 })),
    maxConcurrency: Type.Optional(Type.Integer({ minimum: 1, maximum: 1024 })),
    ratePerSecond: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
    burst: Type.Optional(Type.Integer({ minimum: 1 })),
  }, { additionalProperties: false })),
}, { additionalProperties: false }), { additionalProperties: false });

export type ProvidersConfig = Static<typeof ProvidersSchema>;

/** JSON text checked against a schema: the value, or what is wrong. */
export function parseJson<S extends TSchema>(schema: S, text: string): Static<S> | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return 'not valid JSON';
  }
  const first = [...Value.Errors(schema, parsed)][0];
  // A key no pattern takes fails as "schema is false": say what it means.
  const message = first?.message === 'schema is false' ? 'is not a name this takes' : first?.message;
  return first ? `${first.instancePath || '/'} ${message}` : (parsed as Static<S>);
}

/**
 * Reads `ROSTER_PROVIDERS`; returns what is wrong as a string (never echoing the text,
 * which may hold client secrets).
 *
 * @example
 * parseProviders('{"corp":{"use":"oauth2","options":{"tokenUrl":"https://id.example/token"}}}')
 */
export function parseProviders(text: string): ProvidersConfig | string {
  return parseJson(ProvidersSchema, text);
}

/** The proxies whose `X-Forwarded-For` names the client, as fastify's `trustProxy` takes them. */
export type TrustProxy = boolean | string[];

/**
 * Reads `ROSTER_TRUST_PROXY`: the proxies trusted to name the client (fastify's
 * `trustProxy`), or what is wrong as a string.
 *
 * @example
 * trustProxyOf('10.0.0.0/8, loopback') // → ['10.0.0.0/8', 'loopback']
 * trustProxyOf('true')                 // → true: any peer may name the client (only behind a proxy that sets the header)
 */
export function trustProxyOf(text: string): TrustProxy | string {
  const t = text.trim();
  if (t === 'false' || t === '') return false;
  if (t === 'true') return true;
  const items = t.split(',').map((s) => s.trim());
  const named = new Set(['loopback', 'linklocal', 'uniquelocal']);
  const bad = items.find((item) => {
    if (named.has(item)) return false;
    const [address, bits, more] = item.split('/');
    const family = isIP(address ?? '');
    return !family || more !== undefined || (bits !== undefined && !(/^[0-9]{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128)));
  });
  return bad === undefined ? items : `not an address, CIDR range, loopback, linklocal, uniquelocal, true or false (got "${bad.slice(0, 40)}")`;
}

/** A bad environment: names every bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads and checks the configuration from the environment (and `.env`). Throws a
 * ConfigError naming every bad variable. `readsSecrets: false` (a command that reads no
 * secret: `roster verify`, `export`, `rebuild`, `tokens`, `users`) does not ask for
 * `ROSTER_MASTER_KEY` with an external database.
 *
 * @example
 * const config = loadConfig(); // config.ROSTER_PORT === 8080
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, { readsSecrets = true }: { readsSecrets?: boolean } = {}): Config {
  const picked: Record<string, unknown> = {};
  for (const key of Object.keys(ConfigSchema.properties)) {
    const value = env[key];
    if (value !== undefined && value !== '') picked[key] = value;
  }
  const value = Value.Default(ConfigSchema, Value.Convert(ConfigSchema, picked)) as Record<string, unknown>;
  const problems: string[] = [];
  for (const e of Value.Errors(ConfigSchema, value)) {
    const name = e.instancePath.replace(/^\//, '');
    if (!name || problems.some((p) => p.startsWith(`${name}:`))) continue;
    const schema = (ConfigSchema.properties as Record<string, { anyOf?: Array<{ const: string }> }>)[name];
    const message = schema?.anyOf ? `must be one of ${schema.anyOf.map((o) => o.const).join(', ')}` : e.message;
    // Values of secret-bearing variables (keys, tokens, URLs with passwords) are never shown.
    const secret = /KEY|TOKEN|URL|STRING|PROVIDERS/.test(name);
    const shown = String(picked[name]).slice(0, 12);
    problems.push(secret ? `${name}: ${message}` : `${name}: ${message} (got "${shown}${String(picked[name]).length > 12 ? '…' : ''}")`);
  }
  if (value.ROSTER_EVENT_STORE === 'eventstoredb' && !value.EVENTSTORE_CONNECTION_STRING) {
    problems.push('EVENTSTORE_CONNECTION_STRING: required when ROSTER_EVENT_STORE=eventstoredb');
  }
  if (readsSecrets && value.ROSTER_DATABASE_URL && !value.ROSTER_MASTER_KEY) {
    problems.push('ROSTER_MASTER_KEY: required with ROSTER_DATABASE_URL (only embedded mode generates one)');
  }
  try {
    new Intl.DateTimeFormat('en', { timeZone: String(value.ROSTER_USAGE_TIMEZONE) });
  } catch {
    problems.push(`ROSTER_USAGE_TIMEZONE: not a time zone (got "${String(value.ROSTER_USAGE_TIMEZONE).slice(0, 40)}")`);
  }
  const trusted = trustProxyOf(String(value.ROSTER_TRUST_PROXY));
  if (typeof trusted === 'string') problems.push(`ROSTER_TRUST_PROXY: ${trusted}`);
  const providers = parseProviders(String(value.ROSTER_PROVIDERS ?? '{}'));
  if (typeof providers === 'string') problems.push(`ROSTER_PROVIDERS: ${providers}`);

  if (problems.length) throw new ConfigError(problems);
  value.ROSTER_DEFAULT_POOL ??= value.ROSTER_DEMO ? 'demo' : 'default';
  return value as Config;
}
