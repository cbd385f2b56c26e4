import { poolStatus, poolStatuses } from '../projections/queries.ts';
import type { App, Services } from './app.ts';

/** `/health` (existing API), `/health/live`, `/health/ready`: the only routes without a token. */
export default function healthRoutes(app: App, s: Services): void {
  app.get('/health', { schema: { tags: ['health'], security: [] } }, async () => {
    const health = await poolStatus(s.db, s.settings.defaultPool).then((p) => p.health, () => 'critical');
    return { status: 'ok', timestamp: new Date().toISOString(), pool_health: health };
  });
  app.get('/health/live', { schema: { tags: ['health'], security: [] } }, async () => ({ status: 'ok' }));
  app.get('/health/ready', { schema: { tags: ['health'], security: [] } }, async (_req, reply) => {
    try {
      await s.store.headPosition();
      await poolStatuses(s.db, s.settings.defaultPool);
      return { status: 'ready' };
    } catch {
      return reply.code(503).send({ status: 'unavailable' });
    }
  });
}
