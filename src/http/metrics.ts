import { monitorEventLoopDelay } from 'node:perf_hooks';
import { projectionLag } from '../projections/runner.ts';
import { poolStatuses } from '../projections/queries.ts';
import { readModels } from '../projections/read-models.ts';
import { meter, metricsHandler } from '../telemetry.ts';
import type { App, Services } from './app.ts';

const STATES = ['available', 'leased', 'cooling', 'disabled', 'retired'] as const;
/** How often the event-loop delay is sampled (ms). */
const LOOP_RESOLUTION_MS = 10;

/**
 * `/metrics` in the Prometheus text format (needs a token, like every route but health).
 * Besides the counters and histograms the workers record, gauges are read at scrape
 * time: accounts per state per pool, live sessions per pool, the accounts of exclusive
 * pools this node's gateway holds claims on, the gateway requests waiting for a place and
 * the feed connections open on this node, projection lag, and how long
 * ready work waited for the event loop since the last scrape (median, 99th percentile and
 * longest: a busy or blocked loop shows here before it shows in request latency).
 */
export default function metricsRoutes(app: App, s: Services): void {
  const accounts = meter.createObservableGauge('roster_accounts', { description: 'Accounts per pool and state' });
  const pools = meter.createObservableGauge('roster_pool_sessions', { description: 'Live sessions per pool' });
  const claims = meter.createObservableGauge('roster_gateway_claims', { description: 'Accounts of exclusive pools this node\'s gateway holds claims on, per pool' });
  const waiting = meter.createObservableGauge('roster_gateway_waiting', { description: 'Gateway requests waiting on this node for an account to have a place' });
  const unlogged = meter.createObservableCounter('roster_gateway_requests_unlogged', { description: 'Forwarded requests the request log dropped: the oldest while too many waited for PostgreSQL, and rows it refused as data' });
  const feeds = meter.createObservableGauge('roster_feed_connections', { description: 'Live feed connections open on this node' });
  const lag = meter.createObservableGauge('roster_projection_lag_seconds', { description: 'Age of the oldest event the read models have not applied', unit: 's' });
  const loopDelay = meter.createObservableGauge('roster_event_loop_delay_seconds', {
    description: 'Event-loop delay since the last scrape, by quantile (0.5, 0.99, 1 for the longest)', unit: 's',
  });
  const delays = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  delays.enable();
  const observe: Parameters<typeof meter.addBatchObservableCallback>[0] = async (result) => {
    for (const [quantile, ns] of [['0.5', delays.percentile(50)], ['0.99', delays.percentile(99)], ['1', delays.max]] as const) {
      // The histogram holds the time between the monitor's ticks: the delay is what exceeds the tick.
      result.observe(loopDelay, Math.max(0, ns / 1e6 - LOOP_RESOLUTION_MS) / 1000, { quantile });
    }
    delays.reset();
    for (const p of await poolStatuses(s.db)) {
      for (const state of STATES) result.observe(accounts, p.counts[state], { pool: p.poolId, state });
      result.observe(pools, p.activeSessions, { pool: p.poolId });
    }
    for (const [pool, n] of s.gateway.claims.perPool()) result.observe(claims, n, { pool });
    result.observe(waiting, s.gateway.waiting);
    if (s.gateway.requests) result.observe(unlogged, s.gateway.requests.dropped);
    result.observe(feeds, s.feed.open);
    result.observe(lag, await projectionLag(s.db, s.store, readModels.map((p) => p.name)));
  };
  meter.addBatchObservableCallback(observe, [accounts, pools, claims, waiting, unlogged, feeds, lag, loopDelay]);
  app.addHook('onClose', async () => {
    meter.removeBatchObservableCallback(observe, [accounts, pools, claims, waiting, unlogged, feeds, lag, loopDelay]);
    delays.disable();
  });

  app.get('/metrics', { schema: { tags: ['health'], description: 'Prometheus metrics' } }, (request, reply) => {
    reply.hijack();
    metricsHandler(request.raw, reply.raw);
  });
}
