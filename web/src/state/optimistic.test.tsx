// @vitest-environment happy-dom
// Optimistic updates: the cache changes at once, and goes back exactly when the server refuses.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, renderHook, waitFor } from '@testing-library/react';
import type { ReactNode } from 'react';
import { describe, expect, it } from 'vitest';

import { ApiError } from '../api/errors';
import { useOptimisticMutation } from './optimistic';

interface Content {
  id: string;
  status: 'draft' | 'approved' | 'scheduled';
}

const key = ['business', 'b1', 'content', 'c1'];

function setup(mutationFn: (status: Content['status']) => Promise<Content>) {
  const queryClient = new QueryClient({
    defaultOptions: { queries: { retry: false, staleTime: Infinity }, mutations: { retry: false } },
  });
  queryClient.setQueryData<Content>(key, { id: 'c1', status: 'draft' });
  const wrapper = ({ children }: { children: ReactNode }) => (
    <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>
  );
  const hook = renderHook(
    () =>
      useOptimisticMutation<Content, Content['status']>({
        queryKey: key,
        mutationFn,
        apply: (current, status) => ({ ...current, status }),
      }),
    { wrapper },
  );
  return { queryClient, hook };
}

describe('useOptimisticMutation', () => {
  it('shows the change before the server answers, then keeps the server’s version', async () => {
    let answer!: (content: Content) => void;
    const { queryClient, hook } = setup(
      () =>
        new Promise<Content>((resolve) => {
          answer = resolve;
        }),
    );
    act(() => {
      hook.result.current.mutate('approved');
    });
    await waitFor(() => {
      expect(queryClient.getQueryData<Content>(key)?.status).toBe('approved');
    });
    act(() => {
      answer({ id: 'c1', status: 'approved' });
    });
    await waitFor(() => {
      expect(hook.result.current.isSuccess).toBe(true);
    });
    expect(queryClient.getQueryData<Content>(key)).toEqual({ id: 'c1', status: 'approved' });
  });

  it('when the server answers 409, rolls the cache back and keeps the refusal to show', async () => {
    let refuse!: (error: Error) => void;
    const { queryClient, hook } = setup(
      () =>
        new Promise<Content>((_resolve, reject) => {
          refuse = reject;
        }),
    );
    act(() => {
      hook.result.current.mutate('scheduled');
    });
    await waitFor(() => {
      expect(queryClient.getQueryData<Content>(key)?.status).toBe('scheduled');
    });
    const conflict = new ApiError({
      status: 409,
      code: 'CONFLICT',
      message: 'Only approved content can be scheduled',
      correlationId: 'corr-409',
    });
    act(() => {
      refuse(conflict);
    });
    await waitFor(() => {
      expect(hook.result.current.isError).toBe(true);
    });
    expect(queryClient.getQueryData<Content>(key)).toEqual({ id: 'c1', status: 'draft' });
    expect(hook.result.current.error).toBe(conflict);
  });

  it('rolls back on a network failure too', async () => {
    const { queryClient, hook } = setup(() => Promise.reject(new TypeError('Failed to fetch')));
    act(() => {
      hook.result.current.mutate('approved');
    });
    await waitFor(() => {
      expect(hook.result.current.isError).toBe(true);
    });
    expect(queryClient.getQueryData<Content>(key)?.status).toBe('draft');
  });
});
