import { parseDuration, parseNginxOffset } from '../units.js';
import { ServiceFactsError } from './errors.js';
import type { PortMapping, PortRange } from './ports.js';
import type { Fact, FactOrigin, PortFact, ServiceFacts } from './types.js';

/** The facts about an application's timing and headers, under the same names in every kind of source. */
export const APPLICATION_FACT_KEYS = ['p99', 'keepAliveTimeout', 'maxResponseHeaderSize'] as const;
export type ApplicationFactKey = (typeof APPLICATION_FACT_KEYS)[number];
export type ApplicationFacts = Pick<ServiceFacts, ApplicationFactKey>;

/** A value as found in a source, before it is checked. */
export interface RawValue {
  readonly value: unknown;
  readonly origin: FactOrigin;
  /** The key as the user wrote it (`x-nginx-lint.p99`, `nginx-lint/p99`), for error messages. */
  readonly writtenAs: string;
}

function readDuration(raw: RawValue): Fact<number> | ServiceFactsError {
  const milliseconds = typeof raw.value === 'string' ? parseDuration(raw.value) : null;
  if (milliseconds === null) {
    return new ServiceFactsError(
      raw.origin,
      `${raw.writtenAs} ${JSON.stringify(raw.value)} is not a duration with a unit, such as "2.5s" or "800ms"`,
    );
  }
  return { value: milliseconds, text: raw.value as string, origin: raw.origin };
}

function readSize(raw: RawValue): Fact<number> | ServiceFactsError {
  const { value } = raw;
  const bytes =
    typeof value === 'number' ? (Number.isSafeInteger(value) && value >= 0 ? value : null)
    : typeof value === 'string' ? parseNginxOffset(value)
    : null;
  if (bytes === null) {
    return new ServiceFactsError(
      raw.origin,
      `${raw.writtenAs} ${JSON.stringify(value)} is not a size in bytes or nginx's syntax, such as 16384 or "16k"`,
    );
  }
  return { value: bytes, text: String(value), origin: raw.origin };
}

const READERS: Readonly<Record<ApplicationFactKey, (raw: RawValue) => Fact<number> | ServiceFactsError>> = {
  p99: readDuration,
  keepAliveTimeout: readDuration,
  maxResponseHeaderSize: readSize,
};

/** Checks and converts the application facts a source gives; invalid ones are left out and go to `errors`. */
export function readApplicationFacts(
  lookup: (key: ApplicationFactKey) => RawValue | undefined,
  errors: ServiceFactsError[],
): ApplicationFacts {
  const facts: Record<ApplicationFactKey, Fact<number> | null> = {
    p99: null,
    keepAliveTimeout: null,
    maxResponseHeaderSize: null,
  };
  for (const key of APPLICATION_FACT_KEYS) {
    const raw = lookup(key);
    if (raw === undefined) continue;
    const fact = READERS[key](raw);
    if (fact instanceof ServiceFactsError) errors.push(fact);
    else facts[key] = fact;
  }
  return facts;
}

/** A port fact from a parsed range; `text` is the specification as written. */
export function portFact(range: PortRange | PortMapping, text: string, origin: FactOrigin): PortFact {
  return {
    value: range.first,
    lastPort: range.last,
    protocol: range.protocol,
    published: 'published' in range ? range.published : null,
    text,
    origin,
  };
}
