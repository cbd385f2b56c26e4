import { Type } from 'typebox';
import { recent } from '../effect.ts';
import { poolStatus } from '../projections/queries.ts';
import { readModels } from '../projections/read-models.ts';
import { projectionLag } from '../projections/runner.ts';
import type { App, Services } from './app.ts';
import { Ready } from './schemas.ts';

/** How long the open health routes give the same answer: the database is asked once in it, however many ask. */
const FRESH_MS = 1000;

/**
 * `/health` (existing API), `/health/live`, `/health/ready`: the only routes without a token.
 * What they read from the database is read at most once a second per node.
 */
export default function healthRoutes(app: App, s: Services): void {
  const poolHealth = recent(FRESH_MS, () => poolStatus(s.db, s.settings.defaultPool).then((p) => p.health, () => 'critical'));
  // Ready: the store answers, and the read models trail the log by less than the bound.
  const readiness = recent(FRESH_MS, async () => {
    try {
      await s.store.headPosition();
      const lag = await projectionLag(s.db, s.store, readModels.map((p) => p.name));
      const bound = s.settings.readyMaxLagMs / 1000;
      if (lag > bound) return { code: 503 as const, body: { status: 'lagging', projectionLagSeconds: lag, boundSeconds: bound } };
      return { code: 200 as const, body: { status: 'ready', projectionLagSeconds: lag } };
    } catch {
      return { code: 503 as const, body: { status: 'unavailable' } };
    }
  });
  app.get('/health', {
    schema: { tags: ['health'], security: [], response: { 200: Type.Object({ status: Type.String(), timestamp: Type.String(), pool_health: Type.String() }) } },
  }, async () => ({ status: 'ok', timestamp: new Date().toISOString(), pool_health: await poolHealth() }));
  app.get('/health/live', { schema: { tags: ['health'], security: [], response: { 200: Type.Object({ status: Type.String() }) } } }, async () => ({ status: 'ok' }));
  app.get('/health/ready', { schema: { tags: ['health'], security: [], response: { 200: Ready, 503: Ready } } }, async (_req, reply) => {
    const { code, body } = await readiness();
    return reply.code(code).send(body);
  });
}
