/** Small shared pieces of the console's pages. */
import { cloneElement, type ComponentChildren, type VNode } from 'preact';
import { useEffect, useId, useState } from 'preact/hooks';

/** What a page is told: the signed-in user's role decides which actions it shows. */
export interface PageProps {
  role: string;
  /** Shows a message to the operator (an error or what an action did). */
  notify: (text: string, kind?: 'error' | 'info') => void;
}

/** Whether a role may change things (the API checks too; this only hides what would be refused). */
export const canChange = (role: string) => role === 'admin' || role === 'operator';

/**
 * Loads data on mount and when `deps` change; answers it, the error and a reloader.
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
    load().then((d) => live && (setData(d), setError(undefined)), (e: Error) => live && setError(e.message));
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
