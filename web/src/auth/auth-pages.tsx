// Sign-in and account creation, and the guard that sends signed-out visitors to sign in and
// brings them back to the page they asked for afterwards.
import { useQueryClient } from '@tanstack/react-query';
import { type ReactNode, type SubmitEvent, useEffect, useRef, useState } from 'react';
import { Link, Navigate, useLocation, useNavigate, useSearchParams } from 'react-router';

import { unwrap } from '../api/client';
import { useApi, useSession, useSessionStore } from '../api/context';
import { ApiError } from '../api/errors';
import { useRegistrationMode } from '../api/queries';
import { ErrorNotice } from '../components/error-notice';
import { Field } from '../components/ui';

/** Only same-site paths, never `//evil.example` or the auth pages themselves. */
export function safeNext(raw: string | null): string {
  if (!raw?.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\')) return '/';
  if (/^\/(login|register|verify-email)(\/|\?|$)/.test(raw)) return '/';
  return raw;
}

export function loginPathFor(location: { pathname: string; search: string }): string {
  const here = location.pathname + location.search;
  return here === '/' ? '/login' : `/login?next=${encodeURIComponent(here)}`;
}

export function RequireAuth({ children }: { children: ReactNode }) {
  const session = useSession();
  const store = useSessionStore();
  const location = useLocation();
  if (!session) {
    return <Navigate to={store.signedOut ? '/login' : loginPathFor(location)} replace />;
  }
  return children;
}

/** When a refresh is refused mid-visit: drop cached data and ask to sign in again. */
export function SessionExpiryRedirect() {
  const store = useSessionStore();
  const navigate = useNavigate();
  const location = useLocation();
  const queryClient = useQueryClient();
  useEffect(
    () =>
      store.onExpired(() => {
        queryClient.clear();
        const path = loginPathFor(location);
        void navigate(path + (path.includes('?') ? '&' : '?') + 'expired=1', { replace: true });
      }),
    [store, navigate, location, queryClient],
  );
  return null;
}

function AuthCard(props: { title: string; children: ReactNode; footer: ReactNode }) {
  return (
    <main className="auth-page" id="main">
      <div className="auth-card">
        <div className="brand auth-brand" aria-hidden="true">
          <span className="brand-mark">H</span> Herald
        </div>
        <h1>{props.title}</h1>
        {props.children}
        <p className="auth-footer">{props.footer}</p>
      </div>
    </main>
  );
}

export function LoginPage() {
  const api = useApi();
  const store = useSessionStore();
  const session = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [pending, setPending] = useState(false);

  if (session && !pending) return <Navigate to={next} replace />;

  async function submit(event: SubmitEvent) {
    event.preventDefault();
    setPending(true);
    setError(null);
    try {
      const tokens = await unwrap(
        api.POST('/api/v1/auth/login', { body: { email, password }, credentials: 'same-origin' }),
      );
      store.signIn(tokens);
      void navigate(next, { replace: true });
    } catch (caught) {
      setError(caught);
    } finally {
      setPending(false);
    }
  }

  const wrongCredentials = error instanceof ApiError && error.status === 401;
  return (
    <AuthCard
      title="Sign in"
      footer={
        <>
          New to Herald?{' '}
          <Link to={`/register${next === '/' ? '' : `?next=${encodeURIComponent(next)}`}`}>
            Create an account
          </Link>
        </>
      }
    >
      {next.startsWith('/invitations/') && (
        <p className="notice info" role="status" data-testid="sign-in-for-invitation">
          Sign in to answer your invitation. New to Herald? Create an account with the address it
          was sent to.
        </p>
      )}
      {params.get('expired') && !error && (
        <p className="notice info" role="status" data-testid="session-expired">
          Your session has ended. Sign in again to continue where you were.
        </p>
      )}
      <form onSubmit={(event) => void submit(event)} noValidate={false}>
        <Field label="Email">
          {({ id, describedBy }) => (
            <input
              id={id}
              type="email"
              name="email"
              autoComplete="email"
              required
              autoFocus
              value={email}
              aria-describedby={describedBy}
              onChange={(event) => {
                setEmail(event.target.value);
              }}
            />
          )}
        </Field>
        <Field label="Password" error={wrongCredentials ? 'Email or password is wrong' : undefined}>
          {({ id, describedBy, invalid }) => (
            <input
              id={id}
              type="password"
              name="password"
              autoComplete="current-password"
              required
              value={password}
              aria-invalid={invalid}
              aria-describedby={describedBy}
              onChange={(event) => {
                setPassword(event.target.value);
              }}
            />
          )}
        </Field>
        {error !== null && !wrongCredentials && <ErrorNotice error={error} />}
        <button className="button primary wide" type="submit" disabled={pending}>
          {pending ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </AuthCard>
  );
}

export function RegisterPage() {
  const api = useApi();
  const store = useSessionStore();
  const session = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  const [form, setForm] = useState({ name: '', email: '', password: '' });
  const [error, setError] = useState<unknown>(null);
  const [pending, setPending] = useState(false);
  const [checkEmail, setCheckEmail] = useState<string | null>(null);
  const mode = useRegistrationMode().data?.mode ?? 'open';
  const invited = next.startsWith('/invitations/');
  const signInLink = `/login${next === '/' ? '' : `?next=${encodeURIComponent(next)}`}`;

  if (session && !pending) return <Navigate to={next} replace />;
  if (mode === 'closed') {
    return (
      <AuthCard
        title="Create your account"
        footer={
          <>
            Already have an account? <Link to={signInLink}>Sign in</Link>
          </>
        }
      >
        <p className="notice info" role="status" data-testid="registration-closed">
          Sign-up is closed on this Herald server. Ask whoever runs it to create your account.
        </p>
      </AuthCard>
    );
  }
  if (checkEmail !== null) {
    return (
      <AuthCard
        title="Check your email"
        footer={
          <>
            Already have an account? <Link to="/login">Sign in</Link>
          </>
        }
      >
        <p className="notice info" role="status" data-testid="check-email">
          {checkEmail} The link in it finishes creating your account within 24 hours.
        </p>
      </AuthCard>
    );
  }

  async function submit(event: SubmitEvent) {
    event.preventDefault();
    setPending(true);
    setError(null);
    try {
      const answer = await unwrap(
        api.POST('/api/v1/auth/register', { body: form, credentials: 'same-origin' }),
      );
      // With SMTP configured the server answers 202: the account is finished from the email.
      if (!('accessToken' in answer)) {
        setCheckEmail(answer.message);
        return;
      }
      store.signIn(answer);
      void navigate(next === '/' ? '/businesses' : next, { replace: true });
    } catch (caught) {
      setError(caught);
    } finally {
      setPending(false);
    }
  }

  const fields = error instanceof ApiError ? error.fieldErrors() : {};
  const conflict = error instanceof ApiError && error.status === 409;
  const fieldMessage = (name: keyof typeof form) =>
    fields[name] ?? (name === 'email' && conflict ? error.message : undefined);
  const input = (name: keyof typeof form) => ({
    name,
    value: form[name],
    onChange: (event: { target: { value: string } }) => {
      setForm((current) => ({ ...current, [name]: event.target.value }));
    },
  });

  return (
    <AuthCard
      title="Create your account"
      footer={
        <>
          Already have an account? <Link to={signInLink}>Sign in</Link>
        </>
      }
    >
      {mode === 'invite' && (
        <p className="notice info" role="status" data-testid="registration-invite">
          {invited
            ? 'Create your account with the email address your invitation was sent to.'
            : 'Sign-up on this Herald server needs an invitation: open the link you were sent, then create your account with that email address.'}
        </p>
      )}
      <form onSubmit={(event) => void submit(event)}>
        <Field label="Your name" error={fieldMessage('name')}>
          {({ id, describedBy, invalid }) => (
            <input
              id={id}
              autoComplete="name"
              required
              autoFocus
              aria-invalid={invalid}
              aria-describedby={describedBy}
              {...input('name')}
            />
          )}
        </Field>
        <Field label="Work email" error={fieldMessage('email')}>
          {({ id, describedBy, invalid }) => (
            <input
              id={id}
              type="email"
              autoComplete="email"
              required
              aria-invalid={invalid}
              aria-describedby={describedBy}
              {...input('email')}
            />
          )}
        </Field>
        <Field
          label="Password"
          hint="At least 10 characters, mixing letters with digits or symbols; not a common password."
          error={fieldMessage('password')}
        >
          {({ id, describedBy, invalid }) => (
            <input
              id={id}
              type="password"
              autoComplete="new-password"
              required
              minLength={10}
              aria-invalid={invalid}
              aria-describedby={describedBy}
              {...input('password')}
            />
          )}
        </Field>
        {error !== null && Object.keys(fields).length === 0 && !conflict && (
          <ErrorNotice error={error} />
        )}
        <button className="button primary wide" type="submit" disabled={pending}>
          {pending ? 'Creating your account…' : 'Create account'}
        </button>
      </form>
    </AuthCard>
  );
}

/** The page a sign-up email links to: finishes the account with the link's token and signs in. */
export function VerifyEmailPage() {
  const api = useApi();
  const store = useSessionStore();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const [error, setError] = useState<unknown>(null);
  const started = useRef(false);

  useEffect(() => {
    // Once only (a link works once; React may run effects twice in development).
    if (started.current) return;
    started.current = true;
    unwrap(
      api.POST('/api/v1/auth/verify-email', { body: { token }, credentials: 'same-origin' }),
    ).then(
      (tokens) => {
        store.signIn(tokens);
        void navigate('/businesses', { replace: true });
      },
      (caught: unknown) => {
        setError(caught);
      },
    );
  }, [api, store, navigate, token]);

  return (
    <AuthCard
      title="Finishing your account"
      footer={
        <>
          <Link to="/register">Start again</Link> or <Link to="/login">sign in</Link>
        </>
      }
    >
      {error === null ? <p role="status">One moment…</p> : <ErrorNotice error={error} />}
    </AuthCard>
  );
}
