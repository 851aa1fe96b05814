// @vitest-environment happy-dom
// What the user sees for each kind of failure.
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { ApiError, NetworkError } from '../api/errors';
import { ErrorNotice, LoadFailure } from './error-notice';

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe('ErrorNotice', () => {
  it('a 429 shows the wait from Retry-After, counts down and then allows a retry', () => {
    vi.useFakeTimers();
    const retry = vi.fn();
    const error = new ApiError({
      status: 429,
      code: 'RATE_LIMITED',
      message: 'Too many requests',
      retryAfterSeconds: 3,
    });
    render(<ErrorNotice error={error} onRetry={retry} />);
    expect(screen.getByTestId('retry-after').textContent).toBe('3 seconds');
    const button = screen.getByRole('button', { name: 'Try again' });
    expect((button as HTMLButtonElement).disabled).toBe(true);
    act(() => {
      vi.advanceTimersByTime(3_100);
    });
    expect(screen.queryByTestId('retry-after')).toBeNull();
    expect((button as HTMLButtonElement).disabled).toBe(false);
    fireEvent.click(button);
    expect(retry).toHaveBeenCalledTimes(1);
  });

  it('a 500 shows a fallback with the correlation ID, never the server’s internals', () => {
    const error = new ApiError({
      status: 500,
      code: 'INTERNAL',
      message: 'Internal server error',
      correlationId: '7d1c-correlation',
    });
    render(<ErrorNotice error={error} onRetry={() => undefined} />);
    expect(screen.getByTestId('server-error').textContent).toContain('Something went wrong');
    expect(screen.getByTestId('correlation-id').textContent).toBe('7d1c-correlation');
  });

  it('an AI failure (502) shows the server’s message, which is written for the user', () => {
    const error = new ApiError({
      status: 502,
      code: 'AI_OUTPUT_INVALID',
      message: 'The AI answered with something unusable; try again.',
      correlationId: 'c-502',
    });
    render(<ErrorNotice error={error} />);
    expect(screen.getByRole('alert').textContent).toContain(
      'The AI answered with something unusable',
    );
  });

  it('a network failure offers a retry', () => {
    const retry = vi.fn();
    render(<ErrorNotice error={new NetworkError()} onRetry={retry} />);
    expect(screen.getByTestId('network-error').textContent).toContain('Can’t reach Herald');
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(retry).toHaveBeenCalledTimes(1);
  });

  it('other refusals show the server’s message', () => {
    render(
      <ErrorNotice
        error={new ApiError({ status: 409, code: 'CONFLICT', message: 'Already scheduled' })}
      />,
    );
    expect(screen.getByTestId('request-error').textContent).toContain('Already scheduled');
  });
});

describe('LoadFailure', () => {
  function renderFailure(error: unknown, retry = vi.fn()) {
    render(
      <MemoryRouter>
        <LoadFailure
          error={error}
          notFoundTitle="Campaign not found"
          back={{ label: 'See the campaigns', to: '/campaigns' }}
          errorTitle="Could not load this campaign"
          onRetry={retry}
        >
          <p>It may have been deleted.</p>
        </LoadFailure>
      </MemoryRouter>,
    );
  }

  it('a 404 or a 400 (a mistyped id) is "not found" with the way back', () => {
    for (const status of [404, 400]) {
      renderFailure(new ApiError({ status, code: 'NOT_FOUND', message: 'Not found' }));
      expect(screen.getByRole('heading', { name: 'Campaign not found' })).toBeDefined();
      expect(screen.getByRole('link', { name: 'See the campaigns' }).getAttribute('href')).toBe(
        '/campaigns',
      );
      cleanup();
    }
  });

  it('any other failure is the error with a retry', () => {
    const retry = vi.fn();
    renderFailure(new NetworkError(), retry);
    expect(screen.queryByText('Campaign not found')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(retry).toHaveBeenCalledTimes(1);
  });
});
