/** Overview: every pool's health and counts, live from the feed; registration jobs running; allocation and gateway rates; flows and projection lag. */
import { useEffect, useState } from 'preact/hooks';
import { api, feed, must } from '../api.ts';
import { ErrorLine, Section, Table, useFeedChanges, useLoad, useLoadAt, type PageProps } from '../ui.tsx';

type Pool = Awaited<ReturnType<typeof loadPools>>[number];
const loadPools = async () => (await must(api.GET('/v1/pools'))).items;
const states = ['available', 'leased', 'cooling', 'disabled', 'retired', 'total'] as const;

export function OverviewPage(_props: PageProps) {
  const [pools, error] = useLoad(loadPools, []);
  const [live, setLive] = useState<Record<string, Pick<Pool, 'health' | 'counts' | 'activeSessions'>>>({});
  const [flows, , reloadFlows] = useLoad(() => must(api.GET('/v1/flows')), []);
  // Registration jobs running in each pool, read again when the feed reports a job event.
  const [running, , jobsAt] = useLoadAt(async (position) => Object.fromEntries(await Promise.all((pools ?? []).map(async (p) => {
    const jobs = await must(api.GET('/v1/pools/{poolId}/jobs', { params: { path: { poolId: p.poolId }, query: { limit: 50, ...(position ? { position } : {}) } } }));
    return [p.poolId, jobs.filter((j) => j.status === 'running').length] as const;
  }))), [pools]);
  useFeedChanges('topics=jobs', (position) => {
    jobsAt(position);
    reloadFlows();
  });
  const jobsRunning = Object.values(running ?? {}).reduce((n, k) => n + k, 0);
  const [ready, setReady] = useState<{ projectionLagSeconds?: number; status: string }>();

  // Sessions allocated and gateway requests in the last ten seconds, from the feed's events.
  const [rates, setRates] = useState({ sessions: 0, requests: 0 });
  useEffect(() => {
    const seen: Array<{ at: number; sessions: number; requests: number }> = [];
    const close = feed('topics=health,events&types=SessionAllocated,GatewayUsageRecorded&healthIntervalMs=500', (m) => {
      if (m.topic === 'health' && m.pool) {
        setLive((l) => ({ ...l, [m.pool!]: { health: m.health as Pool['health'], counts: m.counts as Pool['counts'], activeSessions: m.activeSessions ?? 0 } }));
      } else if (m.event?.type === 'SessionAllocated') seen.push({ at: Date.now(), sessions: 1, requests: 0 });
      else if (m.event?.type === 'GatewayUsageRecorded') {
        const rows = m.event.data.rows as Array<{ requests: number }>;
        seen.push({ at: Date.now(), sessions: 0, requests: rows.reduce((n, r) => n + r.requests, 0) });
      }
    });
    const timer = setInterval(() => {
      while (seen.length && seen[0]!.at < Date.now() - 10_000) seen.shift();
      setRates({ sessions: seen.reduce((n, x) => n + x.sessions, 0) / 10, requests: seen.reduce((n, x) => n + x.requests, 0) / 10 });
    }, 1000);
    return () => {
      close();
      clearInterval(timer);
    };
  }, []);
  useEffect(() => {
    const check = () => void fetch('/health/ready').then((r) => r.json()).then(setReady, () => undefined);
    check();
    const timer = setInterval(check, 5000);
    return () => clearInterval(timer);
  }, []);

  return (
    <>
      <Section title="Pools" actions={<span class="muted" aria-live="polite">{Object.keys(live).length ? 'live' : 'connecting…'} · <a href="#/pools">create or configure</a></span>}>
        <ErrorLine error={error} />
        <Table label="Pools">
          <thead><tr><th scope="col">Pool</th><th scope="col">Health</th>{states.map((s) => <th scope="col" class="num">{s}</th>)}<th scope="col" class="num">sessions</th><th scope="col" class="num">jobs running</th></tr></thead>
          <tbody>
            {(pools ?? []).map((p) => {
              const now = { ...p, ...live[p.poolId] };
              return (
                <tr data-pool={p.poolId}>
                  <td><a href="#/accounts" onClick={() => sessionStorage.setItem('pool', p.poolId)}>{p.name} <span class="muted">({p.poolId})</span></a></td>
                  <td><span class={`badge ${now.health}`}>{now.health}</span></td>
                  {states.map((s) => <td class="num" data-count={s}>{now.counts[s]}</td>)}
                  <td class="num" data-count="sessions">{now.activeSessions}</td>
                  <td class="num" data-count="jobs">{running?.[p.poolId] ?? '…'}</td>
                </tr>
              );
            })}
          </tbody>
        </Table>
      </Section>
      <div class="cards">
        <Section title="Rates (last 10 s)">
          <p data-rates>{rates.sessions.toFixed(1)} sessions allocated/s · {rates.requests.toFixed(1)} gateway requests/s</p>
        </Section>
        <Section title="Registration flows">
          <p data-flows>{flows ? `${jobsRunning} jobs running; ${flows.active} flows running, ${flows.queued} queued on ${flows.threads} threads` : '…'}</p>
        </Section>
        <Section title="Read models">
          <p>{ready ? `${ready.status}; ${ready.projectionLagSeconds?.toFixed(2) ?? '?'} s behind the log` : '…'}</p>
        </Section>
      </div>
    </>
  );
}
