import { Type } from 'typebox';
import { poolStatus } from '../projections/queries.ts';
import { readModels } from '../projections/read-models.ts';
import { projectionLag } from '../projections/runner.ts';
import type { App, Services } from './app.ts';
import { Ready } from './schemas.ts';

/** `/health` (existing API), `/health/live`, `/health/ready`: the only routes without a token. */
export default function healthRoutes(app: App, s: Services): void {
  app.get('/health', {
    schema: { tags: ['health'], security: [], response: { 200: Type.Object({ status: Type.String(), timestamp: Type.String(), pool_health: Type.String() }) } },
  }, async () => {
    const health = await poolStatus(s.db, s.settings.defaultPool).then((p) => p.health, () => 'critical');
    return { status: 'ok', timestamp: new Date().toISOString(), pool_health: health };
  });
  app.get('/health/live', { schema: { tags: ['health'], security: [], response: { 200: Type.Object({ status: Type.String() }) } } }, async () => ({ status: 'ok' }));
  // Ready: the store answers, and the read models trail the log by less than the bound.
  app.get('/health/ready', { schema: { tags: ['health'], security: [], response: { 200: Ready, 503: Ready } } }, async (_req, reply) => {
    try {
      await s.store.headPosition();
      const lag = await projectionLag(s.db, s.store, readModels.map((p) => p.name));
      const bound = s.settings.readyMaxLagMs / 1000;
      if (lag > bound) return reply.code(503).send({ status: 'lagging', projectionLagSeconds: lag, boundSeconds: bound });
      return { status: 'ready', projectionLagSeconds: lag };
    } catch {
      return reply.code(503).send({ status: 'unavailable' });
    }
  });
}
