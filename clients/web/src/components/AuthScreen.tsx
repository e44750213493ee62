import { useMutation } from '@apollo/client';
import { useId, useState, type FormEvent } from 'react';
import { describeError } from '../errors';
import { useLive } from '../live/context';
import { LoginMutation, RegisterMutation } from '../operations';

export function AuthScreen() {
  const { session } = useLive();
  const [mode, setMode] = useState<'signIn' | 'signUp'>('signIn');
  const [register, registering] = useMutation(RegisterMutation);
  const [login, loggingIn] = useMutation(LoginMutation);
  const [error, setError] = useState<string | null>(null);
  const id = useId();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const value = (name: string) => String(form.get(name) ?? '');
    setError(null);
    try {
      if (mode === 'signUp') {
        const { data } = await register({
          variables: {
            input: { email: value('email'), username: value('username'), displayName: value('displayName'), password: value('password') },
          },
        });
        if (data) session.accept(data.register);
      } else {
        const { data } = await login({ variables: { input: { login: value('login'), password: value('password') } } });
        if (data) session.accept(data.login);
      }
    } catch (e) {
      setError(describeError(e));
    }
  }

  const busy = registering.loading || loggingIn.loading;
  return (
    <main className="auth">
      <h1>AetherConnect</h1>
      <div role="tablist" aria-label="Account" className="tabs">
        <button role="tab" type="button" aria-selected={mode === 'signIn'} onClick={() => setMode('signIn')}>
          Sign in
        </button>
        <button role="tab" type="button" aria-selected={mode === 'signUp'} onClick={() => setMode('signUp')}>
          Create account
        </button>
      </div>
      <form onSubmit={submit} aria-labelledby={`${id}-title`} className="stack">
        <h2 id={`${id}-title`}>{mode === 'signUp' ? 'Create an account' : 'Sign in'}</h2>
        {mode === 'signUp' ? <SignUpFields /> : <SignInFields />}
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {mode === 'signUp' ? 'Create account' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}

function SignUpFields() {
  return (
    <>
      <label>
        Email
        <input name="email" type="email" autoComplete="email" required />
      </label>
      <label>
        Username
        <input name="username" autoComplete="username" required minLength={3} maxLength={32} pattern="\w+" />
      </label>
      <label>
        Display name
        <input name="displayName" autoComplete="name" required maxLength={64} />
      </label>
      <label>
        Password
        <input name="password" type="password" autoComplete="new-password" required minLength={8} />
      </label>
    </>
  );
}

function SignInFields() {
  return (
    <>
      <label>
        Email or username
        <input name="login" autoComplete="username" required />
      </label>
      <label>
        Password
        <input name="password" type="password" autoComplete="current-password" required />
      </label>
    </>
  );
}
