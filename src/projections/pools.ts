import { mergeConfig, type PoolConfig } from '../domain/pool.ts';
import type { RowProjection } from './projection.ts';

/** `rm_pools`: one row per pool with its configuration. */
export const poolsProjection: RowProjection = {
  name: 'pools',
  table: 'rm_pools',
  key: 'pool_id',
  columns: ['pool_id', 'name', 'provider_id', 'config', 'created_at', 'updated_at'],
  streamPrefixes: ['pool-'],
  keysOf: (e) => (e.type === 'PoolCreated' || e.type === 'PoolConfigured' ? [(e.data as { poolId: string }).poolId] : []),
  apply(row, e, poolId) {
    const { at } = e.data as { at: string };
    const config = mergeConfig((e.data as { config: PoolConfig }).config, {});
    return { ...row, pool_id: poolId, name: config.name, provider_id: config.providerId, config, created_at: row?.created_at ?? at, updated_at: at };
  },
};
