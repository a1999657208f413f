// Last line of defence: a rendering bug shows a way out (reload) instead of a blank window.

import { Component, type ErrorInfo, type ReactNode } from 'react';
import { Button } from './ui';

export class ErrorBoundary extends Component<{ children: ReactNode }, { error: Error | null }> {
  state = { error: null as Error | null };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  componentDidCatch(error: Error, info: ErrorInfo) {
    console.error('WhatsFlow UI crashed', error, info.componentStack);
  }

  render() {
    if (!this.state.error) return this.props.children;
    return (
      <div className="flex h-full items-center justify-center p-6">
        <div className="max-w-md text-center">
          <h1 className="text-xl font-semibold tracking-tight">Something went wrong on this screen</h1>
          <p className="mt-2 text-sm text-zinc-500 dark:text-zinc-400">
            Your data is safe. Reloading the window usually fixes it. If it keeps happening, note this message:
          </p>
          <pre className="mt-4 overflow-auto rounded-lg bg-zinc-100 p-3 text-left text-xs text-zinc-700 dark:bg-zinc-900 dark:text-zinc-300">
            {this.state.error.message}
          </pre>
          <Button className="mt-6" onClick={() => window.location.reload()}>
            Reload
          </Button>
        </div>
      </div>
    );
  }
}
