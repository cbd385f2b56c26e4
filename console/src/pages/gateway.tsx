/** Gateway: the signed-in user's API keys (create, rotate, revoke, limits) and usage and spend per key, model and day, charted. */
import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { api, must } from '../api.ts';
import { ErrorLine, Field, Section, useLoad, when, type PageProps } from '../ui.tsx';

type Usage = Awaited<ReturnType<typeof loadUsage>>;
const loadUsage = async () => (await must(api.GET('/v1/usage/gateway', { params: { query: {} } }))).items;

export function GatewayPage(props: PageProps) {
  const [keys, error, reload] = useLoad(async () => (await must(api.GET('/v1/keys'))).items, []);
  const [usage] = useLoad(loadUsage, []);
  const [shown, setShown] = useState<{ name: string; key: string }>();

  const create = async (e: SubmitEvent) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const f = new FormData(form);
    const perMinute = Number(f.get('requestsPerMinute'));
    try {
      const made = await must(api.POST('/v1/keys', { body: { name: String(f.get('name')), ...(perMinute ? { limits: { requestsPerMinute: perMinute } } : {}) } }));
      setShown({ name: made.name, key: made.key });
      form.reset();
      reload();
    } catch (err) {
      props.notify((err as Error).message, 'error');
    }
  };
  const rotate = async (keyId: string) => {
    try {
      const made = await must(api.POST('/v1/keys/{keyId}/rotate', { params: { path: { keyId } } }));
      setShown({ name: made.name, key: made.key });
      reload();
    } catch (err) {
      props.notify((err as Error).message, 'error');
    }
  };
  const revoke = async (keyId: string) => {
    try {
      await must(api.DELETE('/v1/keys/{keyId}', { params: { path: { keyId } } }));
      props.notify('Key revoked');
      reload();
    } catch (err) {
      props.notify((err as Error).message, 'error');
    }
  };

  return (
    <>
      <Section title="API keys">
        <ErrorLine error={error} />
        {shown && (
          <div role="status" class="banner info">
            Key <strong>{shown.name}</strong>: <code data-new-key>{shown.key}</code> — copy it now, it is not shown again.
            <button type="button" onClick={() => setShown(undefined)}>Done</button>
          </div>
        )}
        <table aria-label="Keys">
          <thead><tr><th scope="col">Name</th><th scope="col">Prefix</th><th scope="col">Status</th><th scope="col">Limits</th><th scope="col">Created</th><th scope="col">Actions</th></tr></thead>
          <tbody>
            {(keys ?? []).map((k) => (
              <tr data-key={k.name}>
                <td>{k.name}</td><td><code>{k.prefix}…</code></td><td>{k.status}</td>
                <td>{Object.entries(k.limits).map(([n, v]) => `${n} ${String(v)}`).join(', ') || 'none'}</td>
                <td>{when(k.createdAt)}</td>
                <td class="actions">
                  {k.status === 'active' && <button type="button" onClick={() => rotate(k.keyId)}>Rotate</button>}
                  {k.status === 'active' && <button type="button" onClick={() => revoke(k.keyId)}>Revoke</button>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <form class="row" onSubmit={create} aria-label="New key">
          <Field label="Name"><input name="name" required maxLength={100} /></Field>
          <Field label="Requests a minute (optional)"><input name="requestsPerMinute" type="number" min="1" /></Field>
          <button type="submit">Create key</button>
        </form>
      </Section>
      <Section title="Usage and spend">
        <UsageChart usage={usage ?? []} />
        <table aria-label="Usage">
          <thead><tr><th scope="col">Day</th><th scope="col">Model</th><th scope="col">Key</th><th scope="col" class="num">Requests</th><th scope="col" class="num">Failures</th><th scope="col" class="num">Tokens in / out</th><th scope="col" class="num">Spend</th></tr></thead>
          <tbody>
            {(usage ?? []).map((u) => (
              <tr><td>{u.day}</td><td>{u.model}</td><td>{keys?.find((k) => k.keyId === u.keyId)?.name ?? u.keyId.slice(0, 8)}</td>
                <td class="num">{u.requests}</td><td class="num">{u.failures}</td><td class="num">{u.inputTokens} / {u.outputTokens}</td><td class="num">{u.spend.toFixed(4)}</td></tr>
            ))}
          </tbody>
        </table>
      </Section>
    </>
  );
}

/** Requests and failures per day, over every key and model shown. */
function UsageChart(props: { usage: Usage }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!box.current || props.usage.length === 0) return;
    const days = [...new Set(props.usage.map((u) => u.day))].sort();
    const sum = (day: string, field: 'requests' | 'failures') => props.usage.filter((u) => u.day === day).reduce((n, u) => n + u[field], 0);
    const plot = new uPlot({
      width: Math.min(box.current.clientWidth || 600, 900), height: 220,
      series: [{}, { label: 'requests', stroke: '#2563eb' }, { label: 'failures', stroke: '#dc2626' }],
      axes: [{ values: (_u, ticks) => ticks.map((t) => new Date(t * 1000).toISOString().slice(5, 10)) }, {}],
    }, [days.map((d) => Date.parse(d) / 1000), days.map((d) => sum(d, 'requests')), days.map((d) => sum(d, 'failures'))], box.current);
    return () => plot.destroy();
  }, [props.usage]);
  return <div ref={box} class="chart" aria-label="Requests per day" role="img" />;
}
