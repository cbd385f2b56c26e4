/** Gateway: the signed-in user's API keys (`keys.tsx`), usage and spend per key, model and day, charted, and the requests forwarded. */
import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { api, must } from '../api.ts';
import { ErrorLine, Field, Section, useLoad, Table, when, type PageProps } from '../ui.tsx';
import { KeyManager, ownKeys, type Key } from '../keys.tsx';

type Usage = Awaited<ReturnType<typeof loadUsage>>;
const loadUsage = async () => (await must(api.GET('/v1/usage/gateway', { params: { query: {} } }))).items;

export function GatewayPage(props: PageProps) {
  const [usage] = useLoad(loadUsage, []);
  /** The keys the table shows, for their names in the usage table. */
  const [keys, setKeys] = useState<Key[]>([]);

  return (
    <>
      <Section title="API keys">
        <KeyManager {...props} label="Keys" keys={ownKeys} onKeys={setKeys} />
      </Section>
      <Section title="Usage and spend">
        <div class="cards">
          <UsageChart usage={usage ?? []} />
          <SpendChart usage={usage ?? []} />
        </div>
        <Table label="Usage">
          <thead><tr><th scope="col">Day</th><th scope="col">Model</th><th scope="col">Key</th><th scope="col" class="num">Requests</th><th scope="col" class="num">Failures</th><th scope="col" class="num">Tokens in / out</th><th scope="col" class="num">Spend</th></tr></thead>
          <tbody>
            {(usage ?? []).map((u) => (
              <tr><td>{u.day}</td><td>{u.model}</td><td>{keys.find((k) => k.keyId === u.keyId)?.name ?? u.keyId.slice(0, 8)}</td>
                <td class="num">{u.requests}</td><td class="num">{u.failures}</td><td class="num">{u.inputTokens} / {u.outputTokens}</td><td class="num">{u.spend.toFixed(4)}</td></tr>
            ))}
          </tbody>
        </Table>
      </Section>
      <Requests keys={keys} member={props.role === 'member'} />
      {props.role !== 'member' && <RoutesAndUpstreams {...props} />}
    </>
  );
}

type RequestRow = Awaited<ReturnType<typeof loadRequests>>['items'][number];
const loadRequests = async (before?: number) => must(api.GET('/v1/gateway/requests', { params: { query: { limit: 50, ...(before ? { before } : {}) } } }));

/**
 * The requests the gateway forwarded, newest first, fifty at a time (a member's own, without
 * pools and accounts): what a client asks about by its `x-roster-request-id`.
 */
function Requests(props: { keys: Key[]; member: boolean }) {
  const [pages, setPages] = useState<{ items: RequestRow[]; next?: number }>();
  const [error, setError] = useState<string>();
  const load = (before?: number) => loadRequests(before).then(
    (page) => (setPages((shown) => (before && shown ? { items: [...shown.items, ...page.items], next: page.next } : page)), setError(undefined)),
    (e: Error) => setError(e.message),
  );
  useEffect(() => void load(), []);
  return (
    <Section title="Requests" actions={<button type="button" onClick={() => void load()}>Refresh</button>}>
      <ErrorLine error={error} />
      <Table label="Requests">
        <thead><tr><th scope="col">When</th><th scope="col">Key</th><th scope="col">Model</th><th scope="col">Path</th><th scope="col">Status</th><th scope="col" class="num">Tries</th>
          {!props.member && <th scope="col">Account</th>}<th scope="col" class="num">Tokens in / out</th><th scope="col" class="num">Spend</th><th scope="col" class="num">ms</th><th scope="col">Request id</th></tr></thead>
        <tbody>
          {(pages?.items ?? []).map((r) => (
            <tr data-request={r.requestId} class={r.status >= 500 ? 'bad' : r.status >= 400 ? 'warn' : ''}>
              <td>{when(r.at)}</td><td>{props.keys.find((k) => k.keyId === r.keyId)?.name ?? r.keyId.slice(0, 8)}</td><td>{r.model ?? '—'}</td><td>{r.method} {r.path}</td>
              <td data-status>{r.outcome === String(r.status) ? r.status : `${r.status} (${r.outcome})`}</td><td class="num">{r.tries}</td>
              {!props.member && <td>{r.accountId ? <a href={`#/accounts/${r.accountId}`}>{r.poolId}</a> : '—'}</td>}
              <td class="num">{r.inputTokens ?? '—'} / {r.outputTokens ?? '—'}{r.estimated ? ' (estimated)' : ''}</td><td class="num">{r.spend?.toFixed(4) ?? '—'}</td>
              <td class="num">{r.durationMs}</td><td class="mono">{r.requestId}</td>
            </tr>
          ))}
        </tbody>
      </Table>
      {pages?.items.length === 0 && <p class="muted">No requests yet (they show within a second of their answer).</p>}
      {pages?.next !== undefined && <button type="button" onClick={() => void load(pages.next)}>Older</button>}
    </Section>
  );
}

/** A comma-separated list's items, trimmed, without empty ones. */
const listOf = (text: FormDataEntryValue | null) => String(text ?? '').split(',').map((s) => s.trim()).filter(Boolean);

type RouteView = NonNullable<Awaited<ReturnType<typeof loadRoutes>>>[number];
const loadRoutes = async () => (await must(api.GET('/v1/gateway/routes'))).items;
type RoutePool = string | { pool: string; weight?: number; priority?: number; upstreamModel?: string };

/**
 * A route's pools as typed: each a pool's id, then `weight=` and `priority=` when not 1 and
 * 0, and `model=` when the pool's upstream names the model otherwise.
 *
 * @example
 * poolsOf('api, spare priority=1 model=mini, big weight=3') // → ['api', { pool: 'spare', priority: 1, upstreamModel: 'mini' }, { pool: 'big', weight: 3 }]
 */
function poolsOf(text: string): RoutePool[] {
  return listOf(text).map((item) => {
    const [pool, ...settings] = item.split(/\s+/) as [string, ...string[]];
    if (!settings.length) return pool;
    const entry: Exclude<RoutePool, string> = { pool };
    for (const setting of settings) {
      const [name, value = ''] = setting.split('=');
      const n = Number(value);
      if (name === 'model' && value.trim() !== '') entry.upstreamModel = value;
      else if ((name === 'weight' || name === 'priority') && value.trim() !== '' && Number.isFinite(n)) entry[name] = n;
      else throw new Error(`pools: "${item}": write a pool's id, then weight=<number>, priority=<whole number> or model=<upstream name>`);
    }
    return entry;
  });
}

/** A route's pools in the form `poolsOf` reads (`model=` where a pool's upstream model is not the route's). */
const poolsText = (route: RouteView) => route.pools.map((p) => [
  p.poolId, ...(p.weight !== 1 ? [`weight=${p.weight}`] : []), ...(p.priority !== 0 ? [`priority=${p.priority}`] : []),
  ...(p.upstreamModel !== route.upstreamModel ? [`model=${p.upstreamModel}`] : []),
].join(' ')).join(', ');

/** Every route checked (each pool asked once). */
const checkEveryRoute = async () => must(api.POST('/v1/gateway/routes/check'));
type PoolCheck = Awaited<ReturnType<typeof checkEveryRoute>>['items'][number]['pools'][number];
/** What a check found at a pool, as the console says it. */
const checkText = (p: PoolCheck) => `${p.poolId}: ${p.result.replace('_', ' ')} (${p.detail}${p.latencyMs !== null ? `, ${p.latencyMs} ms` : ''})`;

/** A route's prices: in / out, and the batch prices when set (else half). */
const priceText = (p: NonNullable<RouteView['price']>) =>
  `${p.inputPerMillion} / ${p.outputPerMillion}${p.batchInputPerMillion !== undefined || p.batchOutputPerMillion !== undefined
    ? ` (batch ${p.batchInputPerMillion ?? p.inputPerMillion / 2} / ${p.batchOutputPerMillion ?? p.outputPerMillion / 2})` : ''}`;

/**
 * The gateway's routes (an operator checks them, and sets and removes those not in configuration) and each
 * upstream account's error rate per model and day, worst first (not for members).
 */
function RoutesAndUpstreams(props: PageProps) {
  const [routes, routesError, reloadRoutes] = useLoad(loadRoutes, []);
  const edits = props.role === 'operator' || props.role === 'admin';
  const routeForm = useRef<HTMLFormElement>(null);
  const setRoute = async (e: SubmitEvent) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const f = new FormData(form);
    const model = String(f.get('model')).trim();
    const [input, output, batchIn, batchOut] = ['priceIn', 'priceOut', 'batchIn', 'batchOut'].map((name) => String(f.get(name)).trim());
    const upstreamModel = String(f.get('upstreamModel')).trim();
    try {
      await must(api.PUT('/v1/gateway/routes/{model}', {
        params: { path: { model } },
        body: {
          pools: poolsOf(String(f.get('pools') ?? '')), aliases: listOf(f.get('aliases')), ...(upstreamModel ? { upstreamModel } : {}),
          price: input || output ? {
            inputPerMillion: Number(input || 0), outputPerMillion: Number(output || 0),
            // Batch prices left empty are half the others.
            ...(batchIn ? { batchInputPerMillion: Number(batchIn) } : {}), ...(batchOut ? { batchOutputPerMillion: Number(batchOut) } : {}),
          } : null,
        },
      }));
      props.notify(`Route ${model} set`);
      form.reset();
      reloadRoutes();
    } catch (err) {
      props.notify((err as Error).message, 'error');
    }
  };
  /** Fills the form with a route, to change it. */
  const edit = (r: RouteView) => {
    const form = routeForm.current!;
    const values: Record<string, string> = {
      model: r.model, pools: poolsText(r), upstreamModel: r.upstreamModel === r.model ? '' : r.upstreamModel, aliases: r.aliases.join(', '),
      priceIn: r.price ? String(r.price.inputPerMillion) : '', priceOut: r.price ? String(r.price.outputPerMillion) : '',
      batchIn: String(r.price?.batchInputPerMillion ?? ''), batchOut: String(r.price?.batchOutputPerMillion ?? ''),
    };
    for (const [name, value] of Object.entries(values)) (form.elements.namedItem(name) as HTMLInputElement).value = value;
    (form.elements.namedItem('pools') as HTMLInputElement).focus();
  };
  /** Asks each pool's upstream whether it lists the route's model; says what each answered. */
  const check = async (model: string) => {
    try {
      const r = await must(api.POST('/v1/gateway/routes/{model}/check', { params: { path: { model } } }));
      props.notify(`Route ${r.model}: ${r.pools.map(checkText).join('; ')}`, r.pools.every((p) => p.result === 'listed') ? 'info' : 'error');
    } catch (err) {
      props.notify((err as Error).message, 'error');
    }
  };
  /** Checks every route (each pool asked once); names the pools whose upstream does not list their model. */
  const checkAll = async () => {
    try {
      const { items } = await checkEveryRoute();
      const pools = items.flatMap((r) => r.pools.map((p) => ({ ...p, model: r.model })));
      const bad = pools.filter((p) => p.result !== 'listed');
      props.notify(`${pools.length - bad.length} of ${pools.length} routes' pools list their model${bad.map((p) => `; ${p.model} at ${checkText(p)}`).join('')}`, bad.length ? 'error' : 'info');
    } catch (err) {
      props.notify((err as Error).message, 'error');
    }
  };
  const remove = async (model: string) => {
    try {
      await must(api.DELETE('/v1/gateway/routes/{model}', { params: { path: { model } } }));
      props.notify(`Route ${model} removed`);
      reloadRoutes();
    } catch (err) {
      props.notify((err as Error).message, 'error');
    }
  };
  const [days, setDays] = useState(1);
  const from = new Date(Date.now() - (days - 1) * 86_400_000).toISOString().slice(0, 10);
  const [upstreams, upstreamsError] = useLoad(async () => (await must(api.GET('/v1/gateway/upstreams', { params: { query: { from, limit: 200 } } }))).items, [from]);
  const percent = (rate: number) => `${(rate * 100).toFixed(rate > 0 && rate < 0.1 ? 1 : 0)} %`;
  return (
    <>
      <Section title="Routes" actions={edits && <button type="button" onClick={() => void checkAll()} title="Does each pool's upstream list its routes' models? (GET /v1/models, no tokens spent)">Check every route</button>}>
        <ErrorLine error={routesError} />
        <Table label="Routes">
          <thead><tr><th scope="col">Model</th><th scope="col">Aliases</th><th scope="col">Upstream model</th><th scope="col">Pools (priority, weight, upstream model if its own)</th><th scope="col" class="num">Price in / out per million (batch: half unless set)</th><th scope="col">Set in</th>{edits && <th scope="col">Actions</th>}</tr></thead>
          <tbody>
            {(routes ?? []).map((r) => (
              <tr data-route={r.model}>
                <td>{r.model}</td><td>{r.aliases.join(', ') || '—'}</td><td>{r.upstreamModel}</td>
                <td>{r.pools.map((p) => `${p.poolId} (${p.priority}, ${p.weight}${p.upstreamModel !== r.upstreamModel ? `, ${p.upstreamModel}` : ''})`).join('; ')}</td>
                <td class="num">{r.price ? priceText(r.price) : '—'}</td>
                <td>{r.source === 'config' ? 'configuration' : 'console or API'}</td>
                {edits && <td class="actions">
                  <button type="button" onClick={() => void check(r.model)} aria-label={`Check route ${r.model}`} title="Does each pool's upstream list the model? (GET /v1/models, no tokens spent)">Check</button>
                  {r.source === 'api' && <>
                    <button type="button" onClick={() => edit(r)} aria-label={`Edit route ${r.model}`}>Edit</button>
                    <button type="button" onClick={() => void remove(r.model)} aria-label={`Remove route ${r.model}`}>Remove</button>
                  </>}
                </td>}
              </tr>
            ))}
          </tbody>
        </Table>
        {routes?.length === 0 && <p class="muted">No routes yet: set one below, or in ROSTER_GATEWAY_ROUTES (see docs/gateway.md).</p>}
        {edits && (
          <form class="row" onSubmit={setRoute} aria-label="Set a route" ref={routeForm}>
            <Field label="Model"><input name="model" required maxLength={200} /></Field>
            <Field label="Pools (comma-separated)"><input name="pools" required placeholder="api, spare priority=1 model=mini, big weight=3" title="A pool's id, then weight= (share among pools of one priority, default 1), priority= (lower first, default 0) and model= (this pool's upstream name for the model, default the route's)" /></Field>
            <Field label="Upstream model"><input name="upstreamModel" maxLength={200} placeholder="the model's own name" /></Field>
            <Field label="Aliases (comma-separated)"><input name="aliases" /></Field>
            <Field label="Price in per million"><input name="priceIn" type="number" min="0" step="any" /></Field>
            <Field label="Price out per million"><input name="priceOut" type="number" min="0" step="any" /></Field>
            <Field label="Batch price in per million"><input name="batchIn" type="number" min="0" step="any" placeholder="half" /></Field>
            <Field label="Batch price out per million"><input name="batchOut" type="number" min="0" step="any" placeholder="half" /></Field>
            <button type="submit">Set route</button>
          </form>
        )}
      </Section>
      <Section title="Upstream error rates" actions={
        <Field label="Days"><select value={String(days)} onChange={(e) => setDays(Number((e.currentTarget as HTMLSelectElement).value))}>{[1, 7, 30].map((d) => <option value={String(d)}>{d === 1 ? 'today' : `last ${d}`}</option>)}</select></Field>
      }>
        <ErrorLine error={upstreamsError} />
        <Table label="Upstream error rates">
          <thead><tr><th scope="col">Day</th><th scope="col">Pool</th><th scope="col">Account</th><th scope="col">Model</th><th scope="col" class="num">Tries</th><th scope="col" class="num">Failures</th><th scope="col" class="num" title="failures the upstream answered 429">429</th><th scope="col" class="num">Timeouts</th><th scope="col" class="num" title="5xx, refused connections or credentials, streams broken off">Other</th><th scope="col" class="num">Error rate</th></tr></thead>
          <tbody>
            {(upstreams ?? []).map((o) => (
              <tr data-upstream={o.login ?? o.accountId} class={o.errorRate >= 0.5 ? 'bad' : o.errorRate > 0 ? 'warn' : ''}>
                <td>{o.day}</td><td>{o.poolId}</td><td><a href={`#/accounts/${o.accountId}`}>{o.login ?? o.accountId}</a></td><td>{o.model}</td>
                <td class="num">{o.tries}</td><td class="num">{o.failures}</td><td class="num">{o.rateLimited}</td><td class="num">{o.timeouts}</td><td class="num">{o.otherFailures}</td>
                <td class="num" data-rate>{percent(o.errorRate)}</td>
              </tr>
            ))}
          </tbody>
        </Table>
      </Section>
    </>
  );
}

const PALETTE = ['#1d4ed8', '#b91c1c', '#047857', '#7c3aed', '#b45309', '#0e7490'];

/** Requests and failures per day, over every key and model shown. */
function UsageChart(props: { usage: Usage }) {
  const sum = (day: string, field: 'requests' | 'failures') => props.usage.filter((u) => u.day === day).reduce((n, u) => n + u[field], 0);
  return <DayChart usage={props.usage} label="Requests per day" lines={[{ label: 'requests', value: (d) => sum(d, 'requests') }, { label: 'failures', value: (d) => sum(d, 'failures') }]} />;
}

/** Spend per day, one line for each model. */
function SpendChart(props: { usage: Usage }) {
  const models = [...new Set(props.usage.map((u) => u.model))].sort();
  const spend = (day: string, model: string) => props.usage.filter((u) => u.day === day && u.model === model).reduce((n, u) => n + u.spend, 0);
  return <DayChart usage={props.usage} label="Spend per day by model" lines={models.map((m) => ({ label: `${m} spend`, value: (d) => spend(d, m) }))} />;
}

/** A uPlot chart of the usage's days, one line for each of `lines`. */
function DayChart(props: { usage: Usage; label: string; lines: Array<{ label: string; value: (day: string) => number }> }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!box.current || props.usage.length === 0) return;
    const days = [...new Set(props.usage.map((u) => u.day))].sort();
    const x = days.map((d) => Date.parse(d) / 1000);
    const plot = new uPlot({
      width: Math.min(box.current.clientWidth || 600, 900), height: 220,
      series: [{}, ...props.lines.map((l, i) => ({ label: l.label, stroke: PALETTE[i % PALETTE.length] }))],
      // A tick on each day there is data for, half a day of room either side.
      scales: { x: { time: false, range: () => [x[0]! - 43_200, x.at(-1)! + 43_200] } },
      axes: [
        { splits: () => x, values: (_u, ticks) => ticks.map((t) => new Date(t * 1000).toISOString().slice(5, 10)) },
        { size: 70, values: (_u, ticks) => ticks.map((t) => t.toLocaleString(undefined, { maximumSignificantDigits: 3 })) },
      ],
    }, [x, ...props.lines.map((l) => days.map(l.value))], box.current);
    return () => plot.destroy();
  }, [props.usage]);
  return <div ref={box} class="chart" aria-label={props.label} role="img" />;
}
