import type { FactOrigin } from './types.js';

/**
 * A source of service facts that could not be read: bad YAML, an unreadable file, a value that is not a port or a
 * duration, a `serviceFiles` pattern that matches nothing. The catalog collects these instead of throwing, so one
 * bad file costs only its own facts; the engine reports each as a warning at `origin`.
 */
export class ServiceFactsError extends Error {
  override readonly name = 'ServiceFactsError';

  constructor(
    readonly origin: FactOrigin,
    /** What is wrong, without the place: `invalid YAML: …`. */
    readonly reason: string,
    /** 1-based column within `origin.line`, when known. */
    readonly column: number | null = null,
  ) {
    super(`${origin.label}${column === null ? '' : `:${column}`}: ${reason}`);
  }
}
