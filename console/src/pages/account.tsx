/** One account: its state, actions on it (probe, refresh, cool down), its timeline from the log, its state as of any instant (a slider), who held it, usage per model and day. */
import { useEffect, useState } from 'preact/hooks';
import { api, must } from '../api.ts';
import { canChange, ErrorLine, Field, Section, useLoad, useLoadAt, when, Table, type PageProps } from '../ui.tsx';

export function AccountPage(props: PageProps & { accountId: string }) {
  const path = { params: { path: { accountId: props.accountId } } };
  const [account, error, after] = useLoadAt(
    (position) => must(api.GET('/v1/accounts/{accountId}', { params: { path: { accountId: props.accountId }, query: position ? { position } : {} } })), [props.accountId],
  );
  /** Runs an action on this account, says what it did, and shows the account as it left it. */
  const act = async (call: () => Promise<{ position?: string; said: string }>) => {
    try {
      const r = await call();
      props.notify(r.said);
      after(r.position);
    } catch (e) {
      props.notify((e as Error).message, 'error');
    }
  };
  const coolDown = (e: SubmitEvent) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    const model = String(f.get('model') ?? '').trim();
    void act(async () => {
      const r = await must(api.POST('/v1/accounts/{accountId}/cooldown', {
        ...path, body: { durationMs: Math.round(Number(f.get('minutes')) * 60_000), reason: 'by an operator in the console', ...(model ? { model } : {}) },
      }));
      return { position: r.position, said: `Cooling down${model ? ` for ${model}` : ''}` };
    });
  };
  const [history] = useLoad(() => must(api.GET('/v1/accounts/{accountId}/history', path)), [props.accountId]);
  const [holders] = useLoad(() => must(api.GET('/v1/accounts/{accountId}/holders', path)), [props.accountId]);
  const [usage] = useLoad(() => must(api.GET('/v1/accounts/{accountId}/usage', { params: { path: { accountId: props.accountId }, query: { days: 30 } } })), [props.accountId]);
  const events = history?.events ?? [];
  const [step, setStep] = useState<number>();
  const [asOf, setAsOf] = useState<{ at: string; state: Record<string, unknown>; heldBy: unknown }>();
  const chosen = step ?? events.length - 1;
  useEffect(() => {
    const at = events[chosen]?.at;
    if (!at) return;
    void must(api.GET('/v1/accounts/{accountId}/as-of', { params: { path: { accountId: props.accountId }, query: { at } } })).then(setAsOf, (e: Error) => props.notify(e.message, 'error'));
  }, [chosen, events.length]);

  return (
    <>
      <p><a href="#/accounts">← Accounts</a></p>
      <ErrorLine error={error} />
      {account && (
        <Section title={account.login}>
          <dl class="facts">
            <dt>Pool</dt><dd>{account.poolId}</dd>
            <dt>Status</dt><dd>{account.status}{account.disabledReason ? ` (${account.disabledReason})` : ''}</dd>
            <dt>Session</dt><dd>{account.sessionId ?? 'none'}{account.leasedUntil ? `, until ${when(account.leasedUntil)}` : ''}</dd>
            <dt>Cooling until</dt><dd>{when(account.cooldownUntil)}</dd>
            <dt>Credentials</dt><dd>version {account.credentialsVersion}, expire {when(account.credentialsExpiresAt)} (never shown here)</dd>
            <dt>Credits</dt><dd>{account.credits ?? 'not counted'}</dd>
            <dt>Uses</dt><dd>{account.useCount}, last {when(account.lastUsed)}</dd>
          </dl>
        </Section>
      )}
      {account && canChange(props.role) && (
        <Section title="Actions">
          <div class="row">
            <button type="button" onClick={() => act(async () => {
              const r = await must(api.POST('/v1/accounts/{accountId}/probe', path));
              return { said: `Probed: credits ${r.credits ?? 'not counted'}` };
            })}>Probe</button>
            <button type="button" onClick={() => act(async () => {
              const r = await must(api.POST('/v1/pools/{poolId}/refresh', { params: { path: { poolId: account.poolId } }, body: { accountId: props.accountId, force: true } }));
              return { said: `Refresh: ${r.results[0]?.outcome ?? 'nothing to refresh'}${r.results[0]?.detail ? ` (${r.results[0].detail})` : ''}` };
            })}>Refresh credentials</button>
          </div>
          <form class="row" onSubmit={coolDown}>
            <Field label="Cool down for (minutes)"><input name="minutes" type="number" min="1" step="any" value="10" required /></Field>
            <Field label="Only for model (optional)"><input name="model" /></Field>
            <button type="submit">Cool down</button>
          </form>
        </Section>
      )}
      <Section title="State as of">
        {events.length > 0 && (
          <>
            <label class="field">
              <span>Event {chosen + 1} of {events.length}: {events[chosen]?.type} at {when(events[chosen]?.at)}</span>
              <input type="range" min="0" max={events.length - 1} value={chosen} aria-label="Instant" onInput={(e) => setStep(Number((e.currentTarget as HTMLInputElement).value))} />
            </label>
            <pre class="state" aria-label="State at that instant">{asOf ? JSON.stringify({ ...asOf.state, heldBy: asOf.heldBy }, null, 2) : '…'}</pre>
          </>
        )}
      </Section>
      <Section title="Timeline">
        <ol class="timeline" aria-label="Timeline">
          {events.map((e, i) => (
            <li class={i === chosen ? 'chosen' : undefined}>
              <button type="button" class="link" onClick={() => setStep(i)}>{e.type}</button>
              <span class="muted"> {when(e.at)} by {e.actor}</span>
            </li>
          ))}
        </ol>
      </Section>
      <Section title="Holders">
        <Table label="Holders">
          <thead><tr><th scope="col">Session</th><th scope="col">Holder</th><th scope="col">From</th><th scope="col">Until</th><th scope="col">End</th></tr></thead>
          <tbody>{(holders?.items ?? []).map((h) => <tr><td>{h.sessionId.slice(0, 8)}</td><td>{h.holder}</td><td>{when(h.from)}</td><td>{when(h.until)}</td><td>{h.end}</td></tr>)}</tbody>
        </Table>
      </Section>
      <Section title="Usage">
        <Table label="Usage">
          <thead><tr><th scope="col">Day</th><th scope="col">Model</th><th scope="col" class="num">Units</th><th scope="col" class="num">Requests</th><th scope="col" class="num">Rate-limited</th><th scope="col" class="num">Failures</th></tr></thead>
          <tbody>{(usage ?? []).map((u) => <tr><td>{u.day}</td><td>{u.model}</td><td class="num">{u.units}</td><td class="num">{u.requests}</td><td class="num">{u.rate_limited}</td><td class="num">{u.failures}</td></tr>)}</tbody>
        </Table>
      </Section>
    </>
  );
}
