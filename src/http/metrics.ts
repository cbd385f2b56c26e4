import { projectionLag } from '../projections/runner.ts';
import { poolStatuses } from '../projections/queries.ts';
import { readModels } from '../projections/read-models.ts';
import { meter, metricsHandler } from '../telemetry.ts';
import type { App, Services } from './app.ts';

const STATES = ['available', 'leased', 'cooling', 'disabled', 'retired'] as const;

/**
 * `/metrics` in the Prometheus text format (needs a token, like every route but health).
 * Besides the counters and histograms the workers record, two gauges are read at scrape
 * time: accounts per state per pool, and projection lag.
 */
export default function metricsRoutes(app: App, s: Services): void {
  const accounts = meter.createObservableGauge('roster_accounts', { description: 'Accounts per pool and state' });
  const pools = meter.createObservableGauge('roster_pool_sessions', { description: 'Live sessions per pool' });
  const lag = meter.createObservableGauge('roster_projection_lag_seconds', { description: 'Age of the oldest event the read models have not applied', unit: 's' });
  const observe: Parameters<typeof meter.addBatchObservableCallback>[0] = async (result) => {
    for (const p of await poolStatuses(s.db)) {
      for (const state of STATES) result.observe(accounts, p.counts[state], { pool: p.poolId, state });
      result.observe(pools, p.activeSessions, { pool: p.poolId });
    }
    result.observe(lag, await projectionLag(s.db, s.store, readModels.map((p) => p.name)));
  };
  meter.addBatchObservableCallback(observe, [accounts, pools, lag]);
  app.addHook('onClose', async () => meter.removeBatchObservableCallback(observe, [accounts, pools, lag]));

  app.get('/metrics', { schema: { tags: ['health'], description: 'Prometheus metrics' } }, (request, reply) => {
    reply.hijack();
    metricsHandler(request.raw, reply.raw);
  });
}
