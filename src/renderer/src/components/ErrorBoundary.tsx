import { Component, type ReactNode } from 'react';

/**
 * A page that throws while drawing (say, an imported run whose numbers do not fit together)
 * shows what went wrong instead of blanking the whole app; the other pages keep working.
 */
export class ErrorBoundary extends Component<
  { children: ReactNode; fallback: (message: string) => ReactNode },
  { message: string | null }
> {
  override state = { message: null as string | null };

  static getDerivedStateFromError(e: unknown) {
    return { message: e instanceof Error ? e.message : String(e) };
  }

  override render() {
    return this.state.message === null
      ? this.props.children
      : this.props.fallback(this.state.message);
  }
}
