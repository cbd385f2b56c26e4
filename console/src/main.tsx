/**
 * The Roster console: sign-in, then pages chosen by the URL's hash (`#/accounts`,
 * `#/accounts/{id}`, …). It talks only to the public API (./api.ts).
 */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, csrfToken, renew, type Me } from './api.ts';
import { AccountPage } from './pages/account.tsx';
import { AccountsPage } from './pages/accounts.tsx';
import { GatewayPage } from './pages/gateway.tsx';
import { JobsPage } from './pages/jobs.tsx';
import { OverviewPage } from './pages/overview.tsx';
import { PoolsPage } from './pages/pools.tsx';
import { SessionsPage } from './pages/sessions.tsx';
import { SignIn } from './pages/sign-in.tsx';
import { UsersPage } from './pages/users.tsx';
import './style.css';

const pages = [
  { path: 'overview', title: 'Overview' },
  { path: 'pools', title: 'Pools' },
  { path: 'accounts', title: 'Accounts' },
  { path: 'sessions', title: 'Sessions' },
  { path: 'jobs', title: 'Registration' },
  { path: 'gateway', title: 'Gateway' },
  { path: 'audit', title: 'Users and audit' },
] as const;

/** The hash route: `['accounts', '{id}']` for `#/accounts/{id}`. */
function useRoute(): string[] {
  const read = () => location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const on = () => setRoute(read());
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}

function App() {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [message, setMessage] = useState<{ text: string; kind: 'error' | 'info' }>();
  const route = useRoute();

  // Signed in already? The access cookie may have expired while the refresh cookie lasts.
  useEffect(() => {
    if (!csrfToken()) return setMe(null);
    api.GET('/v1/auth/me').then(async ({ data }) => setMe(data ?? (await renew())?.user ?? null), () => setMe(null));
  }, []);
  // The access token lasts minutes: renew the cookies before it ends.
  useEffect(() => {
    if (!me) return;
    const timer = setInterval(() => void renew().then((r) => !r && setMe(null)), 4 * 60_000);
    return () => clearInterval(timer);
  }, [me]);

  if (me === undefined) return <p class="loading">Loading…</p>;
  if (me === null) return <SignIn onSignedIn={setMe} />;
  const notify = (text: string, kind: 'error' | 'info' = 'info') => setMessage({ text, kind });
  const props = { role: me.role, notify };
  const [page = 'overview', id] = route;
  const signOut = async () => {
    await api.POST('/v1/auth/session/logout');
    setMe(null);
  };
  return (
    <div class="shell">
      <header class="top">
        <strong class="brand">Roster</strong>
        <nav aria-label="Pages">
          {pages.map((p) => <a href={`#/${p.path}`} aria-current={page === p.path ? 'page' : undefined}>{p.title}</a>)}
        </nav>
        <span class="who">{me.email} ({me.role})</span>
        <button type="button" onClick={signOut}>Sign out</button>
      </header>
      {message && (
        <div role={message.kind === 'error' ? 'alert' : 'status'} class={`banner ${message.kind}`}>
          {message.text} <button type="button" aria-label="Dismiss" onClick={() => setMessage(undefined)}>×</button>
        </div>
      )}
      <main>
        {page === 'accounts' && id ? <AccountPage {...props} accountId={id} />
          : page === 'accounts' ? <AccountsPage {...props} />
          : page === 'pools' ? <PoolsPage {...props} poolId={id} />
          : page === 'sessions' ? <SessionsPage {...props} />
          : page === 'audit' ? <UsersPage {...props} />
          : page === 'jobs' ? <JobsPage {...props} />
          : page === 'gateway' ? <GatewayPage {...props} />
          : <OverviewPage {...props} />}
      </main>
    </div>
  );
}

render(<App />, document.getElementById('app')!);
