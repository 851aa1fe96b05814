// Hands the API client and the session store to every component (tests pass their own).
import { createContext, type ReactNode, useContext, useSyncExternalStore } from 'react';

import type { Session, SessionStore } from '../auth/session';
import type { Api } from './client';

interface ApiContextValue {
  api: Api;
  session: SessionStore;
}

const ApiContext = createContext<ApiContextValue | null>(null);

export function ApiProvider(props: ApiContextValue & { children: ReactNode }) {
  const { api, session, children } = props;
  return <ApiContext value={{ api, session }}>{children}</ApiContext>;
}

function useApiContext(): ApiContextValue {
  const value = useContext(ApiContext);
  if (!value) throw new Error('ApiProvider is missing');
  return value;
}

export function useApi(): Api {
  return useApiContext().api;
}

export function useSessionStore(): SessionStore {
  return useApiContext().session;
}

/** The current session, re-rendering when it changes (sign-in, refresh, sign-out). */
export function useSession(): Session | null {
  const store = useSessionStore();
  return useSyncExternalStore(
    (onChange) => store.subscribe(onChange),
    () => store.current,
  );
}
