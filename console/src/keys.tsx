/**
 * API keys in a table: create (the key shown once), rotate, revoke and change limits. The
 * same table serves the signed-in user's own keys (`/v1/keys`, the Gateway page) and, for
 * an admin, any user's (`/v1/users/{userId}/keys`, the Users page).
 */
import { useState } from 'preact/hooks';
import { api, must } from './api.ts';
import { ErrorLine, Field, useLoad, when, Table, type PageProps } from './ui.tsx';

/** Where a table's keys are read and changed. */
export interface KeysApi {
  list(): Promise<Key[]>;
  create(body: { name: string; limits?: Limits }): Promise<{ name: string; key: string }>;
  rotate(keyId: string): Promise<{ name: string; key: string }>;
  revoke(keyId: string): Promise<unknown>;
  change(keyId: string, limits: Limits): Promise<unknown>;
}

const listOwn = async () => (await must(api.GET('/v1/keys'))).items;
export type Key = Awaited<ReturnType<typeof listOwn>>[number];
/** A key's limits, as the API gives them. */
export type Limits = Key['limits'];

/** The signed-in user's own keys. */
export const ownKeys: KeysApi = {
  list: listOwn,
  create: (body) => must(api.POST('/v1/keys', { body })),
  rotate: (keyId) => must(api.POST('/v1/keys/{keyId}/rotate', { params: { path: { keyId } } })),
  revoke: (keyId) => must(api.DELETE('/v1/keys/{keyId}', { params: { path: { keyId } } })),
  change: (keyId, limits) => must(api.PATCH('/v1/keys/{keyId}', { params: { path: { keyId } }, body: { limits } })),
};

/** A user's keys, as an admin manages them. */
export const keysOfUser = (userId: string): KeysApi => ({
  list: async () => (await must(api.GET('/v1/users/{userId}/keys', { params: { path: { userId } } }))).items,
  create: (body) => must(api.POST('/v1/users/{userId}/keys', { params: { path: { userId } }, body })),
  rotate: (keyId) => must(api.POST('/v1/users/{userId}/keys/{keyId}/rotate', { params: { path: { userId, keyId } } })),
  revoke: (keyId) => must(api.DELETE('/v1/users/{userId}/keys/{keyId}', { params: { path: { userId, keyId } } })),
  change: (keyId, limits) => must(api.PATCH('/v1/users/{userId}/keys/{keyId}', { params: { path: { userId, keyId } }, body: { limits } })),
});

/**
 * A table of keys with their actions, and a form for a new one.
 *
 * @example
 * <KeyManager {...props} label="Keys" keys={ownKeys} onKeys={setKeys} />
 */
export function KeyManager(props: PageProps & { label: string; keys: KeysApi; onKeys?: (keys: Key[]) => void }) {
  const [keys, error, reload] = useLoad(async () => {
    const listed = await props.keys.list();
    props.onKeys?.(listed);
    return listed;
  }, [props.keys]);
  const [shown, setShown] = useState<{ name: string; key: string }>();
  /** Where the key is used: the gateway's address for each SDK. */
  const [gateway] = useLoad(() => must(api.GET('/v1/gateway')), []);
  /** The key whose limits are being edited. */
  const [editing, setEditing] = useState<string>();
  const act = async (work: () => Promise<unknown>, done?: string) => {
    try {
      await work();
      if (done) props.notify(done);
      reload();
    } catch (err) {
      props.notify((err as Error).message, 'error');
    }
  };
  const create = (e: SubmitEvent) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const f = new FormData(form);
    const perMinute = Number(f.get('requestsPerMinute'));
    return act(async () => {
      setShown(await props.keys.create({ name: String(f.get('name')), ...(perMinute ? { limits: { requestsPerMinute: perMinute } } : {}) }));
      form.reset();
    });
  };
  const rotate = (keyId: string) => act(async () => setShown(await props.keys.rotate(keyId)));

  return (
    <>
      <ErrorLine error={error} />
      {shown && (
        <div role="status" class="banner info">
          <div class="said">
            <p>Key <strong>{shown.name}</strong>: <code data-new-key>{shown.key}</code> — copy it now, it is not shown again.</p>
            {gateway?.baseUrl && (
              <p data-gateway>
                Use it with the gateway: OpenAI SDKs <code>baseURL: {gateway.baseUrl}</code>; Anthropic SDKs <code>baseURL: {gateway.anthropicBaseUrl}</code>.
              </p>
            )}
          </div>
          <button type="button" onClick={() => setShown(undefined)}>Done</button>
        </div>
      )}
      <Table label={props.label}>
        <thead><tr><th scope="col">Name</th><th scope="col">Prefix</th><th scope="col">Status</th><th scope="col">Limits</th><th scope="col">Created</th><th scope="col">Actions</th></tr></thead>
        <tbody>
          {(keys ?? []).map((k) => (
            <tr data-key={k.name}>
              <td>{k.name}</td><td><code>{k.prefix}…</code></td><td>{k.status}</td>
              <td data-limits>{limitsText(k.limits)}</td>
              <td>{when(k.createdAt)}</td>
              <td class="actions">
                {k.status === 'active' && <button type="button" onClick={() => rotate(k.keyId)}>Rotate</button>}
                {k.status === 'active' && <button type="button" onClick={() => act(() => props.keys.revoke(k.keyId), 'Key revoked')}>Revoke</button>}
                {k.status === 'active' && <button type="button" aria-expanded={editing === k.keyId} onClick={() => setEditing(editing === k.keyId ? undefined : k.keyId)}>Limits</button>}
              </td>
            </tr>
          ))}
        </tbody>
      </Table>
      {editing && keys?.some((k) => k.keyId === editing) && (
        <KeyLimits key={editing} limits={keys.find((k) => k.keyId === editing)!.limits}
          onSave={(limits) => act(async () => { await props.keys.change(editing, limits); setEditing(undefined); }, 'Limits saved')} />
      )}
      <form class="row" onSubmit={create} aria-label="New key">
        <Field label="Name"><input name="name" required maxLength={100} /></Field>
        <Field label="Requests a minute (optional)"><input name="requestsPerMinute" type="number" min="1" /></Field>
        <button type="submit">Create key</button>
      </form>
    </>
  );
}

/** A key's limits in a few words: `30 requests/min, budget 5/month`. */
function limitsText(l: Limits): string {
  const parts = [
    l.requestsPerMinute && `${l.requestsPerMinute} requests/min`, l.tokensPerMinute && `${l.tokensPerMinute} tokens/min`,
    l.concurrentRequests && `${l.concurrentRequests} requests at once`, l.concurrentSessions && `${l.concurrentSessions} sessions`, l.budget && `budget ${l.budget.units}/${l.budget.period}`,
  ];
  return parts.filter(Boolean).join(', ') || 'none';
}

/** A key's limits to change; an empty field means no limit of that kind. */
function KeyLimits(props: { limits: Limits; onSave: (limits: Limits) => void }) {
  const save = (e: SubmitEvent) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    const n = (name: string) => (String(f.get(name) ?? '').trim() === '' ? undefined : Number(f.get(name)));
    const units = n('budget');
    props.onSave({
      ...(n('requestsPerMinute') ? { requestsPerMinute: n('requestsPerMinute') } : {}),
      ...(n('tokensPerMinute') ? { tokensPerMinute: n('tokensPerMinute') } : {}),
      ...(n('concurrentRequests') ? { concurrentRequests: n('concurrentRequests') } : {}),
      ...(n('concurrentSessions') ? { concurrentSessions: n('concurrentSessions') } : {}),
      ...(units !== undefined ? { budget: { units, period: String(f.get('period')) as 'day' } } : {}),
    });
  };
  const l = props.limits;
  return (
    <form class="row" onSubmit={save} aria-label="Key limits">
      <Field label="Requests a minute"><input name="requestsPerMinute" type="number" min="1" value={l.requestsPerMinute ?? ''} /></Field>
      <Field label="Tokens a minute"><input name="tokensPerMinute" type="number" min="1" value={l.tokensPerMinute ?? ''} /></Field>
      <Field label="Requests at once"><input name="concurrentRequests" type="number" min="1" value={l.concurrentRequests ?? ''} /></Field>
      <Field label="Sessions at once"><input name="concurrentSessions" type="number" min="1" value={l.concurrentSessions ?? ''} /></Field>
      <Field label="Budget (spend units)"><input name="budget" type="number" min="0" step="any" value={l.budget?.units ?? ''} /></Field>
      <Field label="Budget period"><select name="period" value={l.budget?.period ?? 'month'}><option value="day">a day</option><option value="month">a month</option></select></Field>
      <button type="submit">Save limits</button>
    </form>
  );
}
