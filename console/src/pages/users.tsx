/**
 * Users and audit: Roster's users with their roles (an admin changes a role, disables and
 * enables, and manages the user's API keys), the mail outbox (embedded mode: what was mailed, for an admin), and the audit
 * log filtered by actor, event type, stream and time.
 */
import { Fragment } from 'preact';
import { useMemo, useState } from 'preact/hooks';
import { api, must } from '../api.ts';
import { KeyManager, keysOfUser } from '../keys.tsx';
import { ErrorLine, Field, Section, useLoad, useLoadAt, when, Table, type PageProps } from '../ui.tsx';

const ROLES = ['admin', 'operator', 'viewer', 'member'] as const;
type Role = (typeof ROLES)[number];

export function UsersPage(props: PageProps) {
  return (
    <>
      {props.role === 'admin' && <Users {...props} />}
      {props.role === 'admin' && <Outbox />}
      <Audit />
    </>
  );
}

function Users(props: PageProps) {
  const [search, setSearch] = useState('');
  const [keyText, setKeyText] = useState('');
  // A whole key pasted is cut to its prefix here: its secret never leaves the page.
  const keyPrefix = /^rk_[0-9a-f]{8}/.exec(keyText.trim())?.[0];
  /** The user whose keys are open. */
  const [open, setOpen] = useState<string>();
  const [users, error, after] = useLoadAt(
    (position) => must(api.GET('/v1/users', { params: { query: { limit: 200, ...(search ? { search } : {}), ...(keyPrefix ? { keyPrefix } : {}), ...(position ? { position } : {}) } } })),
    [search, keyPrefix],
  );
  const act = async (what: string, call: Promise<{ data?: { position?: string }; error?: unknown; response: Response }>) => {
    try {
      const answer = await must(call);
      props.notify(what);
      after(answer?.position);
    } catch (e) {
      props.notify((e as Error).message, 'error');
    }
  };
  const path = (userId: string) => ({ params: { path: { userId } } });
  return (
    <Section title="Users">
      <form class="row" role="search" onSubmit={(e) => e.preventDefault()}>
        <Field label="Search email"><input type="search" value={search} onChange={(e) => setSearch((e.currentTarget as HTMLInputElement).value)} /></Field>
        <Field label="Holder of key"><input type="search" placeholder="rk_0123abcd" autocomplete="off" value={keyText} onInput={(e) => setKeyText((e.currentTarget as HTMLInputElement).value)} /></Field>
      </form>
      <ErrorLine error={error} />
      <Table label="Users">
        <thead><tr><th scope="col">Email</th><th scope="col">Role</th><th scope="col">Status</th><th scope="col">Verified</th><th scope="col">Since</th><th scope="col">Actions</th></tr></thead>
        <tbody>
          {(users?.items ?? []).map((u) => (
            <Fragment key={u.userId}>
              <tr data-user={u.email}>
                <td>{u.email}</td>
                <td>
                  <select aria-label={`Role of ${u.email}`} value={u.role}
                    onChange={(e) => act(`${u.email} is now ${(e.currentTarget as HTMLSelectElement).value}`, api.PATCH('/v1/users/{userId}', { ...path(u.userId), body: { role: (e.currentTarget as HTMLSelectElement).value as Role } }))}>
                    {ROLES.map((r) => <option>{r}</option>)}
                  </select>
                </td>
                <td data-status={u.status}>{u.status}</td>
                <td>{u.verified ? 'yes' : 'no'}</td>
                <td>{when(u.createdAt)}</td>
                <td class="actions">
                  {u.status === 'active'
                    ? <button type="button" onClick={() => act(`${u.email} disabled`, api.POST('/v1/users/{userId}/disable', { ...path(u.userId), body: { reason: 'by an admin in the console' } }))}>Disable</button>
                    : <button type="button" onClick={() => act(`${u.email} enabled`, api.POST('/v1/users/{userId}/enable', path(u.userId)))}>Enable</button>}
                  <button type="button" aria-expanded={open === u.userId} onClick={() => setOpen(open === u.userId ? undefined : u.userId)}>Keys</button>
                </td>
              </tr>
              {open === u.userId && <tr data-keys-of={u.email}><td colSpan={6}><UserKeys {...props} userId={u.userId} email={u.email} /></td></tr>}
            </Fragment>
          ))}
        </tbody>
      </Table>
    </Section>
  );
}

/** A user's API keys, as an admin gives, caps, rotates and revokes them. */
function UserKeys(props: PageProps & { userId: string; email: string }) {
  const keys = useMemo(() => keysOfUser(props.userId), [props.userId]);
  return <KeyManager {...props} label={`Keys of ${props.email}`} keys={keys} />;
}

function Outbox() {
  const [mail, error] = useLoad(() => must(api.GET('/v1/mail', { params: { query: { limit: 50 } } })), []);
  return (
    <Section title="Mail outbox">
      <ErrorLine error={error} />
      <Table label="Mail outbox">
        <thead><tr><th scope="col">To</th><th scope="col">Subject</th><th scope="col">Written</th><th scope="col">Sent</th></tr></thead>
        <tbody>
          {(mail?.items ?? []).map((m) => (
            <tr><td>{m.to}</td><td><details><summary>{m.subject}</summary><pre>{m.text}</pre></details></td><td>{when(m.createdAt)}</td><td>{m.sentAt ? when(m.sentAt) : m.lastError ?? 'not yet'}</td></tr>
          ))}
        </tbody>
      </Table>
    </Section>
  );
}

interface AuditFilter { actor?: string; type?: string; stream?: string; from?: string; to?: string }

function Audit() {
  const [filter, setFilter] = useState<AuditFilter>({});
  const [offset, setOffset] = useState(0);
  const [page, error] = useLoad(() => must(api.GET('/v1/audit', { params: { query: { ...filter, limit: 50, offset } } })), [filter, offset]);
  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    const text = (name: string) => String(f.get(name) ?? '').trim() || undefined;
    const instant = (name: string) => (text(name) ? new Date(text(name)!).toISOString() : undefined);
    setFilter(JSON.parse(JSON.stringify({ actor: text('actor'), type: text('type'), stream: text('stream'), from: instant('from'), to: instant('to') })) as AuditFilter);
    setOffset(0);
  };
  const items = (page?.items ?? []) as Array<{ position: string; stream: string; type: string; actor: string; correlationId?: string; at: string }>;
  return (
    <Section title="Audit log" actions={<span class="muted">{page ? `${page.total.toLocaleString()} events` : ''}</span>}>
      <form class="row" role="search" onSubmit={submit}>
        <Field label="Actor"><input name="actor" /></Field>
        <Field label="Event type"><input name="type" /></Field>
        <Field label="Stream"><input name="stream" /></Field>
        <Field label="From"><input name="from" type="datetime-local" /></Field>
        <Field label="To"><input name="to" type="datetime-local" /></Field>
        <button type="submit">Filter</button>
      </form>
      <ErrorLine error={error} />
      <Table label="Audit log">
        <thead><tr><th scope="col">When</th><th scope="col">Actor</th><th scope="col">Event</th><th scope="col">Stream</th><th scope="col">Correlation</th></tr></thead>
        <tbody>
          {items.map((e) => (
            <tr data-audit={e.type}>
              <td>{when(e.at)}</td><td>{e.actor}</td><td>{e.type}</td>
              <td>{e.stream.startsWith('account-') ? <a href={`#/accounts/${e.stream.slice(8)}`}>{e.stream}</a> : e.stream}</td>
              <td class="muted">{e.correlationId ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </Table>
      <div class="row">
        <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - 50))}>Previous 50</button>
        <button type="button" disabled={!page || offset + 50 >= page.total} onClick={() => setOffset(offset + 50)}>Next 50</button>
      </div>
    </Section>
  );
}
