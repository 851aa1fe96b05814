// Optimistic updates: the cache shows the change at once; if the server refuses (a 409 on a
// content status change, a validation error, a lost connection) the cache goes back to exactly
// what it was, and the refusal is kept so the page can say why.
import { type QueryKey, useMutation, useQueryClient } from '@tanstack/react-query';

export interface OptimisticOptions<TData, TVariables, TResult> {
  queryKey: QueryKey;
  /** The request; its answer replaces the optimistic value. */
  mutationFn: (variables: TVariables) => Promise<TResult>;
  /** The cached value as it will be once the server agrees. */
  apply: (current: TData, variables: TVariables) => TData;
  /** How the server's answer lands in the cache (default: it is the new value). */
  settle?: (result: TResult, current: TData | undefined) => TData;
}

interface Snapshot<TData> {
  previous: TData | undefined;
}

export function useOptimisticMutation<TData, TVariables, TResult = TData>(
  options: OptimisticOptions<TData, TVariables, TResult>,
) {
  const queryClient = useQueryClient();
  const { queryKey } = options;
  return useMutation<TResult, Error, TVariables, Snapshot<TData>>({
    mutationFn: options.mutationFn,
    onMutate: async (variables) => {
      // A refetch landing now would overwrite the optimistic value with stale data.
      await queryClient.cancelQueries({ queryKey });
      const previous = queryClient.getQueryData<TData>(queryKey);
      if (previous !== undefined) {
        queryClient.setQueryData<TData>(queryKey, options.apply(previous, variables));
      }
      return { previous };
    },
    onError: (_error, _variables, snapshot) => {
      if (snapshot) queryClient.setQueryData(queryKey, snapshot.previous);
    },
    onSuccess: (result) => {
      const settle = options.settle ?? ((value: TResult) => value as unknown as TData);
      queryClient.setQueryData<TData>(queryKey, (current) => settle(result, current));
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey }),
  });
}
