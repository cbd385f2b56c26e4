/** Sign-in: email and password, for a cookie session. */
import { useState } from 'preact/hooks';
import { api, messageOf, type Me } from '../api.ts';
import { ErrorLine, Field } from '../ui.tsx';

export function SignIn(props: { onSignedIn: (me: Me) => void }) {
  const [error, setError] = useState<string>();
  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    const { data, error } = await api.POST('/v1/auth/session', { body: { email: String(form.get('email')), password: String(form.get('password')) } });
    if (data) props.onSignedIn(data.user);
    else setError(messageOf(error));
  };
  return (
    <main class="sign-in">
      <h1>Roster</h1>
      <form onSubmit={submit} aria-label="Sign in">
        <Field label="Email"><input name="email" type="email" autocomplete="username" required /></Field>
        <Field label="Password"><input name="password" type="password" autocomplete="current-password" required /></Field>
        <button type="submit">Sign in</button>
        <ErrorLine error={error} />
      </form>
    </main>
  );
}
