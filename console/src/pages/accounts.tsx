/**
 * Accounts: a virtualised table (only the rows in view are drawn, pages fetched as they
 * scroll in) with server-side filters, live updates from the feed, bulk import by paste or
 * file with per-line results, and actions on each account. Secrets are never shown.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, caughtUp, feed, must } from '../api.ts';
import { canChange, ErrorLine, Field, LineResults, Section, useLoad, when, type PageProps } from '../ui.tsx';

type Account = Awaited<ReturnType<typeof loadPage>>['items'][number];
interface Filters { pool: string; status: string; search: string; capability: string; region: string; limitReached: string }
const PAGE = 200;
const ROW_HEIGHT = 36;

/** A page of accounts: after the previous page's cursor when it is known, else at an offset (a jump while scrolling). */
const loadPage = (f: Filters, page: { offset: number; after?: string }, position?: string) => {
  // The filters set (an empty one is no filter), the position to wait for, and the cursor.
  const given = Object.fromEntries(Object.entries({ ...f, position, after: page.after }).filter(([, v]) => v)) as { status?: 'active' };
  return caughtUp(() => must(api.GET('/v1/accounts', { params: { query: { limit: PAGE, offset: page.after ? 0 : page.offset, ...given } } })));
};

/** The state an operator reads first: leased, cooling, or the status. */
function stateOf(a: Account): string {
  if (a.status !== 'active') return a.status;
  if (a.sessionId) return 'leased';
  if (a.cooldownUntil && Date.parse(a.cooldownUntil) > Date.now()) return 'cooling';
  return 'available';
}

export function AccountsPage(props: PageProps) {
  const [pools] = useLoad(async () => (await must(api.GET('/v1/pools'))).items, []);
  const [filters, setFilters] = useState<Filters>({ pool: sessionStorage.getItem('pool') ?? '', status: '', search: '', capability: '', region: '', limitReached: '' });
  const [rows, setRows] = useState<Array<Account | undefined>>([]);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState<string>();
  const [scrollTop, setScrollTop] = useState(0);
  /** Pages being fetched; `true` when a newer read was asked for meanwhile (it follows). */
  const loading = useRef(new Map<number, boolean>());
  const generation = useRef(0);
  /** The latest event-store position this page knows of: reads wait until the read models reach it. */
  const seen = useRef<string | undefined>(undefined);
  /** Each loaded page's cursor (`next`): the page after it is read from there. */
  const nexts = useRef(new Map<number, string>());
  /** The position each row read again after an event was read at (positions order as strings). */
  const rowAt = useRef(new Map<string, string>());
  /** The filters now (the feed's handler outlives a render). */
  const current = useRef(filters);
  current.current = filters;

  const fetchPage = async (page: number, gen = generation.current) => {
    if (loading.current.has(page)) {
      loading.current.set(page, true);
      return;
    }
    loading.current.set(page, false);
    try {
      const at = seen.current;
      const answer = await loadPage(current.current, { offset: page * PAGE, after: page > 0 ? nexts.current.get(page - 1) : undefined }, at);
      if (gen !== generation.current) return;
      if (answer.next) nexts.current.set(page, answer.next);
      setTotal(answer.total);
      setRows((r) => {
        const next = r.length === answer.total ? [...r] : Array.from({ length: answer.total }, (_, i) => r[i]);
        // A row read again since this page was asked for is newer than the page's copy.
        answer.items.forEach((a, i) => {
          if (!next[page * PAGE + i] || (rowAt.current.get(a.accountId) ?? '') <= (at ?? '')) next[page * PAGE + i] = a;
        });
        return next;
      });
      setError(undefined);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      const again = loading.current.get(page);
      loading.current.delete(page);
      if (again && gen === generation.current) void fetchPage(page, gen);
    }
  };
  // New filters: start again from the first page.
  useEffect(() => {
    generation.current++;
    rowAt.current.clear();
    nexts.current.clear();
    loading.current.clear();
    setRows([]);
    void fetchPage(0, generation.current);
  }, [filters]);

  // The rows in view, and a few either side.
  const viewport = useRef<HTMLDivElement>(null);
  const height = viewport.current?.clientHeight ?? 600;
  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - 10);
  const last = Math.min(total, Math.ceil((scrollTop + height) / ROW_HEIGHT) + 10);
  const inView = useRef({ first, last });
  inView.current = { first, last };
  useEffect(() => {
    for (let i = first; i < last; i += PAGE) if (!rows[i]) void fetchPage(Math.floor(i / PAGE));
    if (last > 0 && !rows[last - 1]) void fetchPage(Math.floor((last - 1) / PAGE));
  }, [first, last, rows]);

  /** Reads one row again once the read models reach `position` (tried again while they lag: a 503 after the API's bounded wait). */
  const reloadRow = async (accountId: string, i: number, position: string | undefined): Promise<void> => {
    const gen = generation.current;
    const a = await caughtUp(() => must(api.GET('/v1/accounts/{accountId}', { params: { path: { accountId }, query: { position } } }))).catch(() => undefined);
    if (!a || gen !== generation.current) return;
    if (position) rowAt.current.set(accountId, position);
    setRows((r) => r.map((row, j) => (j === i ? a : row)));
  };

  // Live: an event about an account in view reloads that row.
  const index = useMemo(() => new Map(rows.map((a, i) => [a?.accountId, i])), [rows]);
  const indexRef = useRef(index);
  indexRef.current = index;
  useEffect(() => feed(`topics=events${filters.pool ? `&pool=${encodeURIComponent(filters.pool)}` : ''}`, (m) => {
    const id = (m.event?.data.accountId as string | undefined) ?? (m.event?.stream?.startsWith('account-') ? m.event.stream.slice(8) : undefined);
    if (m.event && m.position) seen.current = m.position;
    if (m.topic === 'hello') {
      // The feed starts here: read the rows in view again as of it, in case something changed since they were read.
      if (m.position && m.position > (seen.current ?? '')) seen.current = m.position;
      const { first: top, last: end } = inView.current;
      for (let p = Math.floor(top / PAGE); p <= Math.floor(Math.max(top, end - 1) / PAGE); p++) void fetchPage(p);
      return;
    }
    // An account's own event names it; a session's names its accounts (`leases` when allocated, `accountIds` after).
    const leases = m.event?.data.leases as Array<{ accountId: string }> | undefined;
    const ids = id ? [id] : leases ? leases.map((l) => l.accountId) : ((m.event?.data.accountIds as string[] | undefined) ?? []);
    for (const accountId of ids) {
      const i = indexRef.current.get(accountId);
      if (i === undefined) continue;
      void reloadRow(accountId, i, m.position);
    }
    if (m.event?.type === 'AccountImported') void fetchPage(Math.floor(indexRef.current.size / PAGE));
  }), [filters.pool]);

  const act = async (accountId: string, action: 'disable' | 'enable' | 'retire' | 'end-cooldown') => {
    const path = { params: { path: { accountId } } };
    const done = action === 'end-cooldown' ? api.DELETE('/v1/accounts/{accountId}/cooldown', path)
      : action === 'enable' ? api.POST('/v1/accounts/{accountId}/enable', path)
      : api.POST(`/v1/accounts/{accountId}/${action}`, { ...path, body: { reason: 'by an operator in the console' } });
    try {
      await must(done);
      props.notify(`${action}: done`);
    } catch (e) {
      props.notify((e as Error).message, 'error');
    }
  };
  /** Models with a daily limit in the pools shown: what the limit filter offers. */
  const limitedModels = [...new Set((pools ?? []).filter((p) => !filters.pool || p.poolId === filters.pool).flatMap((p) => Object.keys(p.dailyLimits)))].sort();
  const set = (field: keyof Filters) => (e: Event) => setFilters((f) => ({ ...f, [field]: (e.currentTarget as HTMLInputElement).value }));

  return (
    <>
      <Section title="Accounts" actions={<span class="muted" aria-live="polite">{total.toLocaleString()} accounts</span>}>
        <form class="row" role="search" onSubmit={(e) => e.preventDefault()}>
          <Field label="Pool">
            <select value={filters.pool} onChange={(e) => { sessionStorage.setItem('pool', (e.currentTarget as HTMLSelectElement).value); set('pool')(e); }}>
              <option value="">every pool</option>
              {(pools ?? []).map((p) => <option value={p.poolId}>{p.poolId}</option>)}
            </select>
          </Field>
          <Field label="State">
            <select value={filters.status} onChange={set('status')}>
              <option value="">any</option>
              {['available', 'leased', 'cooling', 'active', 'disabled', 'retired'].map((s) => <option>{s}</option>)}
            </select>
          </Field>
          <Field label="Search login"><input type="search" value={filters.search} onChange={set('search')} /></Field>
          <Field label="Capability"><input value={filters.capability} onChange={set('capability')} /></Field>
          <Field label="Region"><input value={filters.region} onChange={set('region')} /></Field>
          <Field label="Daily limit reached for">
            <select value={filters.limitReached} onChange={set('limitReached')}>
              <option value="">—</option>
              {limitedModels.map((m) => <option>{m}</option>)}
            </select>
          </Field>
        </form>
        <ErrorLine error={error} />
        <div role="table" aria-label="Accounts" aria-rowcount={total + 1}>
          <div role="rowgroup">
            <div class="table-head" role="row" aria-rowindex={1}>
              {['Login', 'Pool', 'State', 'Uses', 'Last used', 'Actions'].map((c) => <span role="columnheader">{c}</span>)}
            </div>
          </div>
          <div class="viewport" role="rowgroup" style={{ height: `${Math.max(3, Math.min(total, Math.floor((innerHeight * 0.6) / ROW_HEIGHT))) * ROW_HEIGHT + 2}px` }} ref={viewport} onScroll={(e) => setScrollTop((e.currentTarget as HTMLDivElement).scrollTop)}>
            <div style={{ height: `${total * ROW_HEIGHT}px`, position: 'relative' }}>
              {Array.from({ length: Math.max(0, last - first) }, (_, k) => {
                const i = first + k;
                const a = rows[i];
                return (
                  <div class="vrow" role="row" aria-rowindex={i + 2} style={{ top: `${i * ROW_HEIGHT}px` }} data-login={a?.login}>
                    {a ? (
                      <>
                        <span role="cell"><a href={`#/accounts/${a.accountId}`}>{a.login}</a></span>
                        <span role="cell">{a.poolId}</span>
                        <span role="cell" data-state={stateOf(a)}><span class={`badge ${stateOf(a)}`}>{stateOf(a)}</span></span>
                        <span role="cell">{a.useCount}</span>
                        <span role="cell">{when(a.lastUsed)}</span>
                        <span role="cell" class="actions">
                          {canChange(props.role) && (a.status === 'disabled'
                            ? <button type="button" onClick={() => act(a.accountId, 'enable')}>Enable</button>
                            : a.status === 'active' && <button type="button" onClick={() => act(a.accountId, 'disable')}>Disable</button>)}
                          {canChange(props.role) && stateOf(a) === 'cooling' && <button type="button" onClick={() => act(a.accountId, 'end-cooldown')}>End cooldown</button>}
                          {canChange(props.role) && a.status !== 'retired' && <button type="button" onClick={() => act(a.accountId, 'retire')}>Retire</button>}
                        </span>
                      </>
                    ) : <span role="cell" class="muted">…</span>}
                  </div>
                );
              })}
            </div>
          </div>
        </div>
      </Section>
      {canChange(props.role) && (
        <ImportAccounts {...props} pools={(pools ?? []).map((p) => p.poolId)} pool={filters.pool} onImported={(position) => { seen.current = position; setFilters((f) => ({ ...f })); }} />
      )}
    </>
  );
}

/** Bulk import: lines of `email:password`, pasted or from a file; each line's result shown. */
function ImportAccounts(props: PageProps & { pools: string[]; pool: string; onImported: (position: string | undefined) => void }) {
  const [results, setResults] = useState<Array<{ line: number; login: string | null; result: string; error?: string }>>();
  const [error, setError] = useState<string>();
  const [text, setText] = useState('');
  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    const pool = String(new FormData(e.currentTarget as HTMLFormElement).get('pool'));
    try {
      const answer = await must(api.POST('/v1/pools/{poolId}/accounts', { params: { path: { poolId: pool }, query: { mode: 'create' } }, body: { lines: text } }));
      setResults(answer.lines);
      setError(undefined);
      props.notify(`Imported ${answer.imported}, updated ${answer.updated}, duplicates ${answer.duplicates}, invalid ${answer.invalid}`);
      props.onImported(answer.position);
      setText(''); // the pasted passwords do not stay on the page
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <Section title="Import accounts">
      <form onSubmit={submit}>
        <div class="row">
          <Field label="Into pool"><select name="pool" required>{props.pools.map((p) => <option selected={p === props.pool}>{p}</option>)}</select></Field>
          <Field label="Or from a file">
            <input type="file" accept=".txt,.jsonl,.csv" onChange={async (e) => setText(await (e.currentTarget as HTMLInputElement).files?.[0]?.text() ?? '')} />
          </Field>
        </div>
        <Field label="One account a line: email:password[:refresh token]">
          <textarea rows={6} value={text} onInput={(e) => setText((e.currentTarget as HTMLTextAreaElement).value)} spellcheck={false} />
        </Field>
        <button type="submit" disabled={!text.trim()}>Import</button>
      </form>
      <ErrorLine error={error} />
      {results && <LineResults label="Import results" name="Login" rows={results.map((r) => ({ ...r, name: r.login }))} />}
    </Section>
  );
}
