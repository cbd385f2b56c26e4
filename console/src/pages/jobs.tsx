/** Registration: a pool's jobs with live counters (the feed's `jobs` topic), start, pause, resume and stop; stalled jobs flagged. */
import { useEffect, useState } from 'preact/hooks';
import { api, feed, must } from '../api.ts';
import { canChange, ErrorLine, Field, Section, useLoad, when, type PageProps } from '../ui.tsx';

export function JobsPage(props: PageProps) {
  const [pools] = useLoad(async () => (await must(api.GET('/v1/pools'))).items, []);
  const [pool, setPool] = useState(sessionStorage.getItem('pool') ?? '');
  const chosen = pool || pools?.[0]?.poolId || '';
  const [jobs, error, reload] = useLoad(
    () => (chosen ? must(api.GET('/v1/pools/{poolId}/jobs', { params: { path: { poolId: chosen }, query: { limit: 50 } } })) : Promise.resolve([])), [chosen],
  );
  // Any job event of the pool: read the jobs again (coalesced to one read a second).
  useEffect(() => {
    if (!chosen) return;
    let pending = false;
    return feed(`topics=jobs&pool=${encodeURIComponent(chosen)}`, () => {
      if (pending) return;
      pending = true;
      setTimeout(() => {
        pending = false;
        reload();
      }, 1000);
    });
  }, [chosen]);

  const start = async (e: SubmitEvent) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    try {
      const started = await must(api.POST('/v1/pools/{poolId}/jobs', { params: { path: { poolId: chosen } }, body: { concurrency: Number(f.get('concurrency')), retries: Number(f.get('retries')), continuous: f.get('continuous') === 'on' } }));
      props.notify(`Job ${started.jobId} started`);
      reload();
    } catch (err) {
      props.notify((err as Error).message, 'error');
    }
  };
  const control = async (jobId: string, action: 'pause' | 'resume' | 'stop') => {
    try {
      await must(api.POST(`/v1/jobs/{jobId}/${action}`, { params: { path: { jobId } } }));
      props.notify(`Job ${jobId}: ${action}`);
      reload();
    } catch (err) {
      props.notify((err as Error).message, 'error');
    }
  };

  return (
    <>
      <Section title="Registration jobs">
        <Field label="Pool">
          <select value={chosen} onChange={(e) => { const v = (e.currentTarget as HTMLSelectElement).value; sessionStorage.setItem('pool', v); setPool(v); }}>
            {(pools ?? []).map((p) => <option value={p.poolId}>{p.poolId}</option>)}
          </select>
        </Field>
        <ErrorLine error={error} />
        <table aria-label="Jobs">
          <thead><tr><th scope="col">Job</th><th scope="col">Status</th><th scope="col" class="num">Succeeded</th><th scope="col" class="num">Failed</th><th scope="col" class="num">Retrying</th><th scope="col">Started</th><th scope="col">Actions</th></tr></thead>
          <tbody>
            {(jobs ?? []).map((j) => (
              <tr data-job={j.jobId}>
                <td>{j.jobId}</td>
                <td data-status={j.status}>{j.status}{j.stalled && <span class="badge critical"> stalled</span>}</td>
                <td class="num">{j.counts.succeeded}</td><td class="num">{j.counts.failed}</td><td class="num">{j.counts.retrying}</td>
                <td>{when(j.startedAt)}</td>
                <td class="actions">
                  {canChange(props.role) && j.status === 'running' && <button type="button" onClick={() => control(j.jobId, 'pause')}>Pause</button>}
                  {canChange(props.role) && j.status === 'paused' && <button type="button" onClick={() => control(j.jobId, 'resume')}>Resume</button>}
                  {canChange(props.role) && (j.status === 'running' || j.status === 'paused') && <button type="button" onClick={() => control(j.jobId, 'stop')}>Stop</button>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
      {canChange(props.role) && chosen && (
        <Section title="Start a job">
          <form class="row" onSubmit={start}>
            <Field label="Flows at once"><input name="concurrency" type="number" min="1" max="1024" value="2" /></Field>
            <Field label="Retries"><input name="retries" type="number" min="1" max="5" value="2" /></Field>
            <label class="check"><input name="continuous" type="checkbox" /> keep running (continuous)</label>
            <button type="submit">Start job</button>
          </form>
        </Section>
      )}
    </>
  );
}
