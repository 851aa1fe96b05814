// The last line of defence: a rendering bug shows a way out instead of a blank page.
import { Component, type ErrorInfo, type ReactNode } from 'react';

interface State {
  error: Error | null;
}

export class ErrorBoundary extends Component<{ children: ReactNode }, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: Error): State {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error('dashboard crashed', error, info.componentStack);
  }

  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <main className="boot" id="main">
        <div className="notice error" role="alert">
          <strong className="notice-title">The dashboard hit a problem</strong>
          <p>Your data is safe. Reloading the page usually fixes it.</p>
          <button
            type="button"
            className="button secondary"
            onClick={() => {
              window.location.reload();
            }}
          >
            Reload
          </button>
        </div>
      </main>
    );
  }
}
