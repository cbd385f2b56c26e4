/** Sessions: a pool's leases (live, or ended), holder, accounts and expiry, live from the feed; release one as an operator. */
import { useState } from 'preact/hooks';
import { api, must } from '../api.ts';
import { canChange, ErrorLine, Field, PoolSelect, Section, useFeedChanges, useLoadAt, usePool, when, Table, type PageProps } from '../ui.tsx';

type Status = 'live' | 'released' | 'expired';
const SESSION_EVENTS = 'SessionAllocated,SessionRenewed,SessionReleased,SessionExpired';

/** Time left until an instant, as an operator reads it ("4 min 10 s"), or "overdue". */
function left(iso: string): string {
  const s = Math.round((Date.parse(iso) - Date.now()) / 1000);
  if (s <= 0) return 'overdue';
  return s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`;
}

export function SessionsPage(props: PageProps) {
  const [pools, pool, setPool] = usePool();
  const [status, setStatus] = useState<Status>('live');
  // Reads wait until the read models reach the last session event seen, or the release made here.
  const [sessions, error, after] = useLoadAt(
    (position) => (pool
      ? must(api.GET('/v1/pools/{poolId}/sessions', { params: { path: { poolId: pool }, query: { status, limit: 200, offset: 0, ...(position ? { position } : {}) } } }))
      : Promise.resolve(undefined)),
    [pool, status],
  );
  useFeedChanges(pool ? `topics=events&pool=${encodeURIComponent(pool)}&types=${SESSION_EVENTS}` : undefined, after);

  const release = async (sessionId: string) => {
    try {
      const r = await must(api.POST('/v1/pools/{poolId}/sessions/{sessionId}/release', { params: { path: { poolId: pool, sessionId } }, body: {} }));
      props.notify(r.released ? `Session ${sessionId} released` : `Session ${sessionId} had ended already`);
      after(r.position);
    } catch (e) {
      props.notify((e as Error).message, 'error');
    }
  };

  return (
    <Section title="Sessions" actions={<span class="muted" aria-live="polite">{sessions ? `${sessions.total} ${status}` : ''}</span>}>
      <div class="row">
        <PoolSelect pools={pools} value={pool} onChange={setPool} />
        <Field label="Status">
          <select value={status} onChange={(e) => setStatus((e.currentTarget as HTMLSelectElement).value as Status)}>
            {(['live', 'released', 'expired'] as const).map((s) => <option>{s}</option>)}
          </select>
        </Field>
      </div>
      <ErrorLine error={error} />
      <Table label="Sessions">
        <thead>
          <tr><th scope="col">Session</th><th scope="col">Holder</th><th scope="col">Accounts</th><th scope="col">Allocated</th><th scope="col">{status === 'live' ? 'Expires in' : 'Ended'}</th><th scope="col">Actions</th></tr>
        </thead>
        <tbody>
          {(sessions?.items ?? []).map((s) => (
            <tr data-session={s.sessionId} data-holder={s.holder}>
              <td>{s.sessionId}</td>
              <td>{s.holder}</td>
              <td>{s.logins.map((login, i) => <a href={`#/accounts/${s.leases[i]?.accountId}`} class="chip">{login}</a>)}</td>
              <td>{when(s.allocatedAt)}</td>
              <td title={when(s.expiresAt)}>{status === 'live' ? left(s.expiresAt) : when(s.endedAt)}</td>
              <td class="actions">
                {canChange(props.role) && s.status === 'live' && <button type="button" onClick={() => release(s.sessionId)}>Release</button>}
              </td>
            </tr>
          ))}
        </tbody>
      </Table>
      {sessions && sessions.total > sessions.items.length && <p class="muted">The newest {sessions.items.length} of {sessions.total}.</p>}
    </Section>
  );
}
