/** Registration: a pool's jobs with live counters (the feed's `jobs` topic), start, pause, resume and stop; stalled jobs flagged. */
import { api, must } from '../api.ts';
import { canChange, ErrorLine, Field, PoolSelect, Section, useFeedChanges, useLoadAt, usePool, when, Table, type PageProps } from '../ui.tsx';

export function JobsPage(props: PageProps) {
  const [pools, chosen, setPool] = usePool();
  const [jobs, error, after] = useLoadAt(
    (position) => (chosen ? must(api.GET('/v1/pools/{poolId}/jobs', { params: { path: { poolId: chosen }, query: { limit: 50, ...(position ? { position } : {}) } } })) : Promise.resolve([])), [chosen],
  );
  // Any job event of the pool: read the jobs again.
  useFeedChanges(chosen ? `topics=jobs&pool=${encodeURIComponent(chosen)}` : undefined, after);

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
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
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
