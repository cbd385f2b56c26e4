/**
 * A PostgreSQL LISTEN connection that comes back: when it ends, it is opened again a second
 * later, and each second after until it listens or its owner closes.
 */
import * as Effect from 'effect/Effect';
import * as Schedule from 'effect/Schedule';
import pg from 'pg';
import { run } from '../effect.ts';

/** How often a lost LISTEN connection is tried again. */
const RELISTEN = Schedule.spaced('1 second');

export interface Listening {
  /** The payload of each notification on the channel. */
  onNotify(payload: string): void;
  /** The connection ended (before it is opened again): what was learned by listening may be stale. */
  onLost?(): void;
  /** True once the owner closed: the connection is not opened again. */
  closed(): boolean;
}

/**
 * Opens a connection listening on `channel`; resolves with it once it listens. When it
 * ends, `onLost` is called and a new one is opened (through `reopened`, so the owner can
 * keep the newest).
 *
 * @example
 * this.listener = await listen(config, 'roster_events', { onNotify: (p) => wake(p), closed: () => this.closed }, (c) => (this.listener = c));
 */
export async function listen(config: pg.ClientConfig, channel: string, handlers: Listening, reopened: (client: pg.Client) => void): Promise<pg.Client> {
  const client = new pg.Client(config);
  client.on('notification', (n) => handlers.onNotify(n.payload ?? ''));
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query(`LISTEN ${channel}`);
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
  client.on('end', () => {
    handlers.onLost?.();
    if (handlers.closed()) return;
    // Each try first asks whether the owner closed meanwhile: then it stops trying.
    const again = Effect.suspend(() => (handlers.closed() ? Effect.succeed(undefined) : Effect.tryPromise(() => listen(config, channel, handlers, reopened))));
    void run(Effect.retry(again, RELISTEN).pipe(
      Effect.delay('1 second'),
      Effect.map((next) => next && (handlers.closed() ? void next.end().catch(() => undefined) : reopened(next))),
    ));
  });
  return client;
}
