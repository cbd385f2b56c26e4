/** Registration: a pool's jobs with live counters (the feed's `jobs` topic) and run logs, start, pause, resume and stop, stalled jobs flagged; its identities. */
import { useState } from 'preact/hooks';
import { api, must } from '../api.ts';
import { IdentitiesSection } from './identities.tsx';
import { canChange, ErrorLine, Field, PoolSelect, Section, useFeedChanges, useLoad, useLoadAt, usePool, when, Table, type PageProps } from '../ui.tsx';

export function JobsPage(props: PageProps) {
  const [pools, chosen, setPool] = usePool();
  const [jobs, error, after] = useLoadAt(
    (position) => (chosen ? must(api.GET('/v1/pools/{poolId}/jobs', { params: { path: { poolId: chosen }, query: { limit: 50, ...(position ? { position } : {}) } } })) : Promise.resolve([])), [chosen],
  );
  /** The job whose run log is open. */
  const [open, setOpen] = useState<string>();
  /** The last position the feed reported a job event at: the run log and identities read again from it. */
  const [changed, setChanged] = useState<string>();
  // Any job event of the pool: read the jobs, the open run log and the identities again.
  useFeedChanges(chosen ? `topics=jobs&pool=${encodeURIComponent(chosen)}` : undefined, (position) => {
    after(position);
    setChanged(position);
  });

  const start = async (e: SubmitEvent) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    try {
      const started = await must(api.POST('/v1/pools/{poolId}/jobs', { params: { path: { poolId: chosen } }, body: { concurrency: Number(f.get('concurrency')), retries: Number(f.get('retries')), continuous: f.get('continuous') === 'on' } }));
      props.notify(`Job ${started.jobId} started`);
      after(started.position);
    } catch (err) {
      props.notify((err as Error).message, 'error');
    }
  };
  const control = async (jobId: string, action: 'pause' | 'resume' | 'stop') => {
    try {
      await must(api.POST(`/v1/jobs/{jobId}/${action}`, { params: { path: { jobId } } }));
      props.notify(`Job ${jobId}: ${action}`);
      after();
    } catch (err) {
      props.notify((err as Error).message, 'error');
    }
  };

  return (
    <>
      <Section title="Registration jobs">
        <PoolSelect pools={pools} value={chosen} onChange={setPool} />
        <ErrorLine error={error} />
        <Table label="Jobs">
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
                  <button type="button" aria-expanded={open === j.jobId} onClick={() => setOpen(open === j.jobId ? undefined : j.jobId)}>Run log</button>
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
        {open && <RunLog jobId={open} changed={changed} />}
      </Section>
      {chosen && <IdentitiesSection {...props} poolId={chosen} changed={changed} />}
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

/** A job's run log: each attempt of each identity in order (the first 200), read again on each job event. */
function RunLog(props: { jobId: string; changed: string | undefined }) {
  // Read at the position of the feed's last job event, so that the attempts it told of are there.
  const [attempts, error] = useLoad(() => must(api.GET('/v1/jobs/{jobId}/attempts', {
    params: { path: { jobId: props.jobId }, query: { after: -1, limit: 200, ...(props.changed ? { position: props.changed } : {}) } },
  })), [props.jobId, props.changed]);
  return (
    <>
      <h3>Run log of {props.jobId}</h3>
      <ErrorLine error={error} />
      <Table label="Run log">
        <thead><tr><th scope="col">#</th><th scope="col">Identity</th><th scope="col" class="num">Attempt</th><th scope="col">Outcome</th><th scope="col">Step</th><th scope="col" class="num">ms</th><th scope="col">Error</th><th scope="col">At</th></tr></thead>
        <tbody>
          {(attempts ?? []).map((a) => (
            <tr data-attempt={a.email}>
              <td>{a.seq}</td><td>{a.email}</td><td class="num">{a.attempt}</td><td data-outcome={a.outcome}>{a.outcome}{a.retryAt ? ` (again ${when(a.retryAt)})` : ''}</td>
              <td>{a.step}</td><td class="num">{Math.round(a.durationMs)}</td><td>{a.error ?? ''}</td><td>{when(a.at)}</td>
            </tr>
          ))}
        </tbody>
      </Table>
      {attempts?.length === 0 && <p class="muted">No attempt yet.</p>}
    </>
  );
}
