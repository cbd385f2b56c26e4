import type { UsageReported } from '../domain/account.ts';
import type { RowProjection } from './projection.ts';

/** `rm_usage`: units and outcomes per account, model and usage day. */
export const usageProjection: RowProjection = {
  name: 'usage',
  table: 'rm_usage',
  key: 'usage_key',
  columns: ['usage_key', 'account_id', 'model', 'day', 'units', 'requests', 'rate_limited', 'failures', 'updated_at'],
  streamPrefixes: ['account-'],
  keysOf(e) {
    if (e.type !== 'UsageReported') return [];
    const d = e.data as UsageReported['data'];
    return [`${d.accountId}|${d.model ?? ''}|${d.day}`];
  },
  apply(row, e, key) {
    const d = e.data as UsageReported['data'];
    const n = (k: string) => (row?.[k] as number | undefined) ?? 0;
    return {
      usage_key: key, account_id: d.accountId, model: d.model ?? '', day: d.day, units: n('units') + d.units, requests: n('requests') + 1,
      rate_limited: n('rate_limited') + (d.outcome === 'rate_limited' ? 1 : 0),
      failures: n('failures') + (d.outcome !== 'success' && d.outcome !== 'rate_limited' ? 1 : 0), updated_at: d.at,
    };
  },
};
