import { describe, it } from 'node:test';
import { decidePool, evolvePool, initialPoolState, type PoolEvent, type PoolCommand, defaultPoolConfig } from '../../src/domain/pool.ts';
import { decider } from '../support/gwt.ts';

const now = Date.parse('2026-01-01T00:00:00Z');
const at = new Date(now).toISOString();
const spec = decider<ReturnType<typeof initialPoolState>, PoolCommand, PoolEvent>(decidePool, evolvePool, initialPoolState);
const created: PoolEvent = { type: 'PoolCreated', data: { poolId: 'p', config: { ...defaultPoolConfig, name: 'P' }, at } };

describe('pool', () => {
  it('is created with defaults filled in', () => {
    spec.given([]).when({ type: 'CreatePool', poolId: 'p', config: { name: 'P' }, now }).then([created]);
  });
  it('cannot be created twice', () => {
    spec.given([created]).when({ type: 'CreatePool', poolId: 'p', config: { name: 'P' }, now }).thenError('pool_exists');
  });
  it('refuses a maximum below the minimum, naming the field', () => {
    spec.given([]).when({ type: 'CreatePool', poolId: 'p', config: { name: 'P', minSize: 5, maxSize: 2 }, now })
      .thenError('invalid_input', 'maxSize');
  });
  it('is configured by merging changes, and the event carries the whole config', () => {
    spec.given([created]).when({ type: 'ConfigurePool', poolId: 'p', changes: { minSize: 3, strategy: 'random' }, now })
      .then([{ type: 'PoolConfigured', data: { poolId: 'p', changes: { minSize: 3, strategy: 'random' }, config: { ...defaultPoolConfig, name: 'P', minSize: 3, strategy: 'random' }, at } }]);
  });
  it('refuses a default lease TTL above the maximum', () => {
    spec.given([created]).when({ type: 'ConfigurePool', poolId: 'p', changes: { defaultLeaseTtlMs: 10 ** 12 }, now })
      .thenError('invalid_input', 'defaultLeaseTtlMs');
  });
  it('cannot configure a pool that does not exist', () => {
    spec.given([]).when({ type: 'ConfigurePool', poolId: 'p', changes: {}, now }).thenError('pool_not_found');
  });
});
