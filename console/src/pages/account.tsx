/** One account: its state, its timeline from the log, its state as of any instant (a slider), who held it, usage per model and day. */
import { useEffect, useState } from 'preact/hooks';
import { api, must } from '../api.ts';
import { ErrorLine, Section, useLoad, when, type PageProps } from '../ui.tsx';

export function AccountPage(props: PageProps & { accountId: string }) {
  const path = { params: { path: { accountId: props.accountId } } };
  const [account, error] = useLoad(() => must(api.GET('/v1/accounts/{accountId}', path)), [props.accountId]);
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
        <table>
          <thead><tr><th scope="col">Session</th><th scope="col">Holder</th><th scope="col">From</th><th scope="col">Until</th><th scope="col">End</th></tr></thead>
          <tbody>{(holders?.items ?? []).map((h) => <tr><td>{h.sessionId.slice(0, 8)}</td><td>{h.holder}</td><td>{when(h.from)}</td><td>{when(h.until)}</td><td>{h.end}</td></tr>)}</tbody>
        </table>
      </Section>
      <Section title="Usage">
        <table>
          <thead><tr><th scope="col">Day</th><th scope="col">Model</th><th scope="col" class="num">Units</th><th scope="col" class="num">Requests</th><th scope="col" class="num">Rate-limited</th><th scope="col" class="num">Failures</th></tr></thead>
          <tbody>{(usage ?? []).map((u) => <tr><td>{u.day}</td><td>{u.model}</td><td class="num">{u.units}</td><td class="num">{u.requests}</td><td class="num">{u.rate_limited}</td><td class="num">{u.failures}</td></tr>)}</tbody>
        </table>
      </Section>
    </>
  );
}
