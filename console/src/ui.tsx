/** Small shared pieces of the console's pages. */
import { cloneElement, type ComponentChildren, type VNode } from 'preact';
import { useEffect, useId, useState } from 'preact/hooks';
import { api, caughtUp, feed, must } from './api.ts';

/** What a page is told: the signed-in user's role decides which actions it shows. */
export interface PageProps {
  role: string;
  /** Shows a message to the operator (an error or what an action did). */
  notify: (text: string, kind?: 'error' | 'info') => void;
}

/** Whether a role may change things (the API checks too; this only hides what would be refused). */
export const canChange = (role: string) => role === 'admin' || role === 'operator';

/**
 * Loads data on mount and when `deps` change; answers it, the error and a reloader. A 503
 * (the read models behind what the page asked to see) is tried again (`caughtUp`).
 *
 * @example
 * const [pools, error, reload] = useLoad(() => must(api.GET('/v1/pools')), []);
 */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): [T | undefined, string | undefined, () => void] {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<string>();
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    caughtUp(load).then((d) => live && (setData(d), setError(undefined)), (e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  return [data, error, () => setTick((t) => t + 1)];
}

export function Section(props: { title: string; children: ComponentChildren; actions?: ComponentChildren }) {
  return (
    <section aria-label={props.title}>
      <header class="section-head"><h2>{props.title}</h2>{props.actions}</header>
      {props.children}
    </section>
  );
}

/**
 * A table in a labelled region that scrolls sideways when the screen is narrower than the
 * table (a phone); the region takes keyboard focus so that it can be scrolled without a mouse.
 *
 * @example
 * <Table label="Keys"><thead>…</thead><tbody>…</tbody></Table>
 */
export function Table(props: { label: string; children: ComponentChildren }) {
  return (
    <div class="table-scroll" role="region" aria-label={`${props.label} (scrolls)`} tabIndex={0}>
      <table aria-label={props.label}>{props.children}</table>
    </div>
  );
}

/** What an import said of each line: the name it read, its result, and why when it failed. */
export function LineResults(props: { label: string; name: string; rows: Array<{ line: number; name: string | null; result: string; error?: string }> }) {
  return (
    <Table label={props.label}>
      <thead><tr><th scope="col">Line</th><th scope="col">{props.name}</th><th scope="col">Result</th><th scope="col">Why</th></tr></thead>
      <tbody>{props.rows.map((r) => <tr><td>{r.line}</td><td>{r.name ?? ''}</td><td>{r.result}</td><td>{r.error ?? ''}</td></tr>)}</tbody>
    </Table>
  );
}

export function ErrorLine(props: { error?: string }) {
  return props.error ? <p role="alert" class="error">{props.error}</p> : null;
}

/** An instant as the operator's clock shows it. */
export const when = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString() : '—');

/** A labelled form control: the label names the control (`for` and `id`). */
export function Field(props: { label: string; children: VNode }) {
  const id = useId();
  return <div class="field"><label for={id}>{props.label}</label>{cloneElement(props.children, { id })}</div>;
}

/**
 * The pools, and the one this page works on (remembered for the tab across pages).
 *
 * @example
 * const [pools, pool, setPool] = usePool();
 */
export function usePool(): [Array<{ poolId: string; name: string }> | undefined, string, (poolId: string) => void] {
  const [pools] = useLoad(async () => (await must(api.GET('/v1/pools'))).items, []);
  const [pool, setPool] = useState(sessionStorage.getItem('pool') ?? '');
  const choose = (poolId: string) => {
    sessionStorage.setItem('pool', poolId);
    setPool(poolId);
  };
  return [pools, pool || pools?.[0]?.poolId || '', choose];
}

/** A labelled choice of pool. */
export function PoolSelect(props: { pools: Array<{ poolId: string }> | undefined; value: string; onChange: (poolId: string) => void }) {
  return (
    <Field label="Pool">
      <select value={props.value} onChange={(e) => props.onChange((e.currentTarget as HTMLSelectElement).value)}>
        {(props.pools ?? []).map((p) => <option value={p.poolId}>{p.poolId}</option>)}
      </select>
    </Field>
  );
}

/**
 * Follows the feed while `query` is set: when it starts (its hello) and after a message,
 * calls `changed` with the last position seen, at most once a second after messages (a
 * burst of events makes one read, not one each).
 *
 * @example
 * useFeedChanges(`topics=jobs&pool=${pool}`, () => reload());
 */
export function useFeedChanges(query: string | undefined, changed: (position: string | undefined) => void): void {
  useEffect(() => {
    if (!query) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let position: string | undefined;
    const close = feed(query, (m) => {
      position = m.position ?? position;
      if (m.topic === 'hello') return changed(position);
      timer ??= setTimeout(() => {
        timer = undefined;
        changed(position);
      }, 1000);
    });
    return () => {
      close();
      clearTimeout(timer);
    };
  }, [query]);
}

/**
 * The later of two log positions (they order as strings), or undefined when neither is known.
 *
 * @example
 * latest('00000000000000000012', undefined) // → '00000000000000000012'
 */
export const latest = (a: string | undefined, b: string | undefined) => (a === undefined || (b !== undefined && b > a) ? b : a);

/**
 * `useLoad` for a read that must show a change just made: `after(position)` loads again
 * once the read models reach the position the change answered (without one, at once).
 *
 * @example
 * const [pools, error, after] = useLoadAt((position) => must(api.GET('/v1/pools', { params: { query: { position } } })), []);
 * after((await must(api.PATCH(…))).position);
 */
export function useLoadAt<T>(load: (position: string | undefined) => Promise<T>, deps: unknown[]): [T | undefined, string | undefined, (position?: string) => void] {
  const [position, setPosition] = useState<string>();
  const [data, error, reload] = useLoad(() => load(position), [...deps, position]);
  return [data, error, (at?: string) => (at && at !== position ? setPosition(at) : reload())];
}
