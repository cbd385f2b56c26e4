/**
 * The console's client of the public API, generated from the OpenAPI document
 * (`api-types.ts`), authenticated by the session cookie; every change carries the CSRF
 * token (the `roster_csrf` cookie, sent back in `x-csrf-token`).
 */
import createClient from 'openapi-fetch';
import type { paths } from './api-types.ts';

/** The CSRF token the session set, or undefined when signed out. */
export const csrfToken = () => document.cookie.split('; ').find((c) => c.startsWith('roster_csrf='))?.slice('roster_csrf='.length);

export const api = createClient<paths>({ baseUrl: location.origin, credentials: 'same-origin' });
api.use({
  onRequest({ request }) {
    const token = csrfToken();
    if (token && request.method !== 'GET') request.headers.set('x-csrf-token', token);
    return request;
  },
});

/** A problem+json answer, as the API sends it. */
export interface Problem {
  title?: string;
  detail?: string;
  status?: number;
  errors?: Array<{ field: string; message: string }>;
}

/** The message of a failed call, for the page. */
export function messageOf(error: unknown): string {
  const p = error as Problem | undefined;
  const fields = p?.errors?.map((e) => `${e.field}: ${e.message}`).join('; ');
  return [p?.detail ?? p?.title ?? 'the request failed', fields].filter(Boolean).join(' — ');
}

/** A failed call: its message, and the HTTP status (503 when the read models lag: worth trying again). */
export class CallError extends Error {
  constructor(message: string, readonly status: number) {
    super(message);
  }
}

/** The data of a call, or throws its problem (a `CallError`). */
export async function must<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (error !== undefined || !response.ok) throw new CallError(messageOf(error), response.status);
  return data as T;
}

/**
 * A read, tried again a second later (five times at most) while it is answered 503: the read
 * models have not reached the position it asked for yet, or the database is briefly away.
 *
 * @example
 * const account = await caughtUp(() => must(api.GET('/v1/accounts/{accountId}', { params: { path: { accountId }, query: { position } } })));
 */
export async function caughtUp<T>(read: () => Promise<T>, tries = 5): Promise<T> {
  for (let left = tries; ; left--) {
    try {
      return await read();
    } catch (e) {
      if (!(e instanceof CallError && e.status === 503) || left <= 1) throw e;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

/** The user signed in. */
export interface Me {
  userId: string;
  email: string;
  role: string;
}

/** Renews the session's cookies; answers the user and how long the access token lasts, or undefined. */
export async function renew(): Promise<{ user: Me; expiresIn: number } | undefined> {
  const { data } = await api.POST('/v1/auth/session/refresh');
  return data ? { user: data.user, expiresIn: data.expiresIn } : undefined;
}

/**
 * Opens the live feed (the browser sends the session cookie on the upgrade) and calls
 * `onMessage` with each message, the first a `hello` naming where the feed starts (a page
 * reads again at that position, so that nothing between its first read and the feed's start
 * is missed); reconnects from the last position seen. Answers a closer.
 *
 * @example
 * const close = feed('health', (m) => console.log(m.pool, m.counts));
 */
export function feed(query: string, onMessage: (message: FeedMessage) => void): () => void {
  let closed = false;
  let position: string | undefined;
  let socket: WebSocket | undefined;
  const open = () => {
    const from = position ? `&from=${encodeURIComponent(position)}` : '';
    socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws?${query}${from}&hello=true`);
    socket.onmessage = (e) => {
      const message = JSON.parse(String(e.data)) as FeedMessage;
      if (message.position) position = message.position;
      onMessage(message);
    };
    socket.onclose = () => {
      if (!closed) setTimeout(open, 1000);
    };
  };
  open();
  return () => {
    closed = true;
    socket?.close();
  };
}

export interface FeedMessage {
  /** `hello` comes first: the position the feed starts after (a read waiting for it misses nothing the feed does not send). */
  topic: 'hello' | 'events' | 'health' | 'jobs';
  position?: string;
  pool?: string;
  health?: string;
  counts?: Record<string, number>;
  activeSessions?: number;
  jobId?: string;
  event?: { type: string; data: Record<string, unknown>; stream?: string; at?: string };
}
