import { auditLedger } from '../../src/domain/audit.ts';
import type { SessionAllocated } from '../../src/domain/ledger.ts';
import type { TestDatabase } from './db.ts';

/** An allocation as a client saw it acknowledged. */
export interface Ack {
  sessionId: string;
  leaseSecret?: string;
  leases: Array<{ accountId: string; fence: number }>;
}

/** The pool's ledger as stored, and the acknowledged allocations missing from it or stored otherwise. */
export async function checkAcks(db: TestDatabase, poolId: string, acks: Ack[]) {
  const { rows } = await db.pool.query('SELECT type, data, revision::int FROM events WHERE stream_id = $1 ORDER BY revision', [`pool-${poolId}`]);
  const allocated = new Map<string, SessionAllocated['data']>();
  for (const r of rows) if (r.type === 'SessionAllocated') allocated.set(r.data.sessionId, r.data);
  const key = (leases: Ack['leases'] | undefined) => leases?.map((l) => `${l.accountId}#${l.fence}`).join(',');
  const missing = acks.filter((a) => key(allocated.get(a.sessionId)?.leases) !== key(a.leases));
  return { rows, missing, audit: auditLedger(rows) };
}
