// The dashboard's entry point: one session store, one API client, one query cache.
import './styles.css';

import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

import { createApi } from './api/client';
import { App, createQueryClient } from './app';
import { SessionStore } from './auth/session';

const session = new SessionStore();
const api = createApi(session);
const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

createRoot(root).render(
  <StrictMode>
    <App api={api} session={session} queryClient={createQueryClient()} />
  </StrictMode>,
);
