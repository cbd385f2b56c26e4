/** Pools: each pool's configuration; create one, or change one in place (strategy, sizes, lease TTLs, cooldown rules, daily limits, provider, exclusive). */
import { useState } from 'preact/hooks';
import { api, must } from '../api.ts';
import { canChange, ErrorLine, Field, Section, useLoad, useLoadAt, Table, type PageProps } from '../ui.tsx';

type Pool = Awaited<ReturnType<typeof loadPools>>[number];
const loadPools = async (position?: string) => (await must(api.GET('/v1/pools', { params: { query: position ? { position } : {} } }))).items;
const STRATEGIES = ['lru', 'round_robin', 'random', 'least_used'] as const;

/** Seconds as the form shows them, from milliseconds. */
const seconds = (ms: number | undefined) => (ms === undefined ? '' : String(ms / 1000));

/** `model=units` lines to a record; throws naming the first bad line. */
function parseLimits(text: string): Record<string, number> {
  const limits: Record<string, number> = {};
  for (const [i, line] of text.split('\n').map((l) => l.trim()).entries()) {
    if (!line) continue;
    const m = /^([^=\s]+)\s*=\s*(\d+(?:\.\d+)?)$/.exec(line);
    if (!m) throw new Error(`Daily limits, line ${i + 1}: write model=units`);
    limits[m[1]!] = Number(m[2]);
  }
  return limits;
}

export function PoolsPage(props: PageProps & { poolId?: string }) {
  const [pools, error, saved] = useLoadAt(loadPools, []);
  const editing = pools?.find((p) => p.poolId === props.poolId);
  return (
    <>
      <Section title="Pools">
        <ErrorLine error={error} />
        <Table label="Pools">
          <thead>
            <tr>
              <th scope="col">Pool</th><th scope="col">Provider</th><th scope="col">Strategy</th><th scope="col" title="the gateway leases each account it uses">Exclusive</th><th scope="col" class="num">Keep at least</th><th scope="col" class="num">At most</th>
              <th scope="col" class="num">Lease TTL (s)</th><th scope="col">Daily limits</th><th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {(pools ?? []).map((p) => (
              <tr data-pool={p.poolId}>
                <td>{p.name} <span class="muted">({p.poolId})</span></td>
                <td>{p.providerId}</td>
                <td data-strategy>{p.strategy}</td>
                <td data-exclusive>{p.exclusive ? 'yes' : 'no'}</td>
                <td class="num">{p.minSize}</td>
                <td class="num">{p.maxSize}</td>
                <td class="num">{seconds(p.defaultLeaseTtlMs)}</td>
                <td>{Object.entries(p.dailyLimits).map(([m, n]) => `${m}: ${n}`).join(', ') || '—'}</td>
                <td class="actions">{canChange(props.role) && <a href={`#/pools/${encodeURIComponent(p.poolId)}`}>Configure</a>}</td>
              </tr>
            ))}
          </tbody>
        </Table>
      </Section>
      {canChange(props.role) && (editing
        ? <PoolForm {...props} key={editing.poolId} pool={editing} onSaved={saved} />
        : <PoolForm {...props} key="new" onSaved={saved} />)}
    </>
  );
}

/** One form for both: a new pool (with its id), or the configuration of `pool` (its fields start from it; what the operator types stays, even when refused). */
function PoolForm(props: PageProps & { pool?: Pool; onSaved: (position: string | undefined) => void }) {
  const [providers] = useLoad(() => must(api.GET('/v1/providers')), []);
  const [error, setError] = useState<string>();
  const p = props.pool;
  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const f = new FormData(form);
    const ms = (name: string) => (f.get(name) ? Math.round(Number(f.get(name)) * 1000) : undefined);
    const int = (name: string) => (f.get(name) ? Number(f.get(name)) : undefined);
    try {
      const cooldown = { baseMs: ms('baseMs'), maxMs: ms('maxMs'), failureThreshold: int('failureThreshold'), failureWindowMs: ms('failureWindowMs') };
      const body = JSON.parse(JSON.stringify({
        name: String(f.get('name')), providerId: String(f.get('providerId')), strategy: String(f.get('strategy')) as Pool['strategy'],
        minSize: int('minSize'), maxSize: int('maxSize'), defaultLeaseTtlMs: ms('defaultLeaseTtlMs'), maxLeaseTtlMs: ms('maxLeaseTtlMs'),
        cooldown, dailyLimits: parseLimits(String(f.get('dailyLimits') ?? '')), exclusive: f.get('exclusive') === 'on',
      })) as Omit<Pool, 'poolId' | 'counts' | 'activeSessions' | 'health'>; // JSON drops the fields left empty
      if (p) {
        const r = await must(api.PATCH('/v1/pools/{poolId}', { params: { path: { poolId: p.poolId } }, body }));
        props.notify(r.position ? `Pool ${p.poolId} configured` : `Pool ${p.poolId}: nothing changed`);
        props.onSaved(r.position);
      } else {
        const poolId = String(f.get('poolId'));
        const r = await must(api.POST('/v1/pools', { body: { ...body, poolId } }));
        props.notify(`Pool ${poolId} created`);
        form.reset();
        props.onSaved(r.position);
      }
      setError(undefined);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <Section title={p ? `Configure ${p.poolId}` : 'New pool'} actions={p && <a href="#/pools">New pool instead</a>}>
      <form onSubmit={submit}>
        <div class="row">
          {!p && <Field label="Id"><input name="poolId" required pattern="[A-Za-z0-9_-]+" /></Field>}
          <Field label="Name"><input name="name" required defaultValue={p?.name} /></Field>
          <Field label="Provider">
            <select name="providerId">{(providers ?? [{ providerId: 'manual' }]).map((x) => <option selected={x.providerId === p?.providerId}>{x.providerId}</option>)}</select>
          </Field>
          <Field label="Strategy">
            <select name="strategy">{STRATEGIES.map((s) => <option selected={s === p?.strategy}>{s}</option>)}</select>
          </Field>
        </div>
        <div class="row">
          <Field label="Keep at least"><input name="minSize" type="number" min="0" defaultValue={p?.minSize ?? 0} /></Field>
          <Field label="At most"><input name="maxSize" type="number" min="1" defaultValue={p?.maxSize} /></Field>
          <Field label="Lease TTL (s)"><input name="defaultLeaseTtlMs" type="number" min="1" step="any" defaultValue={seconds(p?.defaultLeaseTtlMs)} /></Field>
          <Field label="Longest lease (s)"><input name="maxLeaseTtlMs" type="number" min="1" step="any" defaultValue={seconds(p?.maxLeaseTtlMs)} /></Field>
        </div>
        <fieldset class="row">
          <legend>Cooldown rules</legend>
          <Field label="First cooldown (s)"><input name="baseMs" type="number" min="1" step="any" defaultValue={seconds(p?.cooldown.baseMs)} /></Field>
          <Field label="Longest cooldown (s)"><input name="maxMs" type="number" min="1" step="any" defaultValue={seconds(p?.cooldown.maxMs)} /></Field>
          <Field label="Failures before a cooldown"><input name="failureThreshold" type="number" min="1" defaultValue={p?.cooldown.failureThreshold} /></Field>
          <Field label="Within (s)"><input name="failureWindowMs" type="number" min="1" step="any" defaultValue={seconds(p?.cooldown.failureWindowMs)} /></Field>
        </fieldset>
        <Field label="Daily limits: model=units, one a line">
          <textarea name="dailyLimits" rows={3} defaultValue={Object.entries(p?.dailyLimits ?? {}).map(([m, n]) => `${m}=${n}`).join('\n')} />
        </Field>
        <label class="check"><input name="exclusive" type="checkbox" defaultChecked={p?.exclusive} /> exclusive: the gateway leases each account it uses (leases and gateway use never share an account, on any node)</label>
        <button type="submit">{p ? 'Save' : 'Create pool'}</button>
      </form>
      <ErrorLine error={error} />
    </Section>
  );
}
