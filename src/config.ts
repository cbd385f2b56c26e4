import 'dotenv/config';
import { Type, type Static } from 'typebox';
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
  ROSTER_DEFAULT_POOL: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$', default: 'default' }),
  ROSTER_COMPAT_LOOPBACK_OPEN: Type.Boolean({ default: false }),
  ROSTER_ACCOUNTS_PER_REQUEST: Int(1, 1000, 1),
  ROSTER_CONSISTENCY_WAIT_MS: Int(0, 60_000, 2000),
  ROSTER_REAPER_INTERVAL_MS: Int(50, 600_000, 1000),
  ROSTER_DB_POOL_SIZE: Int(2, 500, 20),
  ROSTER_LOG_LEVEL: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)), { default: 'info' }),
  ROSTER_EVENT_STORE: Type.Union([Type.Literal('postgres'), Type.Literal('eventstoredb')], { default: 'postgres' }),
  EVENTSTORE_CONNECTION_STRING: Type.Optional(Type.String({ pattern: '^(esdb|esdb\\+discover)://' })),
});

export type Config = Static<typeof ConfigSchema>;

/** A bad environment: names every bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads and checks the configuration from the environment (and `.env`). Throws a
 * ConfigError naming every bad variable.
 *
 * @example
 * const config = loadConfig(); // config.ROSTER_PORT === 8080
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
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
    const secret = /KEY|TOKEN|URL|STRING/.test(name);
    const shown = String(picked[name]).slice(0, 12);
    problems.push(secret ? `${name}: ${message}` : `${name}: ${message} (got "${shown}${String(picked[name]).length > 12 ? '…' : ''}")`);
  }
  if (value.ROSTER_EVENT_STORE === 'eventstoredb' && !value.EVENTSTORE_CONNECTION_STRING) {
    problems.push('EVENTSTORE_CONNECTION_STRING: required when ROSTER_EVENT_STORE=eventstoredb');
  }
  if (value.ROSTER_DATABASE_URL && !value.ROSTER_MASTER_KEY) {
    problems.push('ROSTER_MASTER_KEY: required with ROSTER_DATABASE_URL (only embedded mode generates one)');
  }
  if (problems.length) throw new ConfigError(problems);
  return value as Config;
}
