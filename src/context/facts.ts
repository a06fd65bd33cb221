import type { Node } from 'yaml';
import { parseDuration, parseNginxOffset } from '../nginx/units.js';
import { ServiceFactsError } from './errors.js';
import type { PortMapping, PortRange } from './ports.js';
import type { Fact, FactOrigin, PortFact, ServiceFacts } from './types.js';
import type { YamlDocument } from './yaml.js';

/** The facts about an application's timing and headers, under the same names in every kind of source. */
export const APPLICATION_FACT_KEYS = ['p99', 'keepAliveTimeout', 'maxResponseHeaderSize', 'restartInterval'] as const;
export type ApplicationFactKey = (typeof APPLICATION_FACT_KEYS)[number];
export type ApplicationFacts = Pick<ServiceFacts, ApplicationFactKey>;

/** A value as found in a source, before it is checked. */
export interface RawValue {
  readonly value: unknown;
  readonly origin: FactOrigin;
  /** The key as the user wrote it (`x-nginx-lint.p99`), for error messages whose origin does not name it. */
  readonly writtenAs?: string;
}

/** How an error message names the value: `x-nginx-lint.p99 "slow"`, or just `"slow"`. */
function quoted(raw: RawValue): string {
  const value = JSON.stringify(raw.value);
  return raw.writtenAs === undefined ? value : `${raw.writtenAs} ${value}`;
}

function readDuration(raw: RawValue): Fact<number> | ServiceFactsError {
  const text = raw.value;
  const milliseconds = typeof text === 'string' ? parseDuration(text) : null;
  if (milliseconds === null) {
    return new ServiceFactsError(raw.origin, `${quoted(raw)} is not a duration with a unit, such as "2.5s" or "800ms"`);
  }
  return { value: milliseconds, text: String(text), origin: raw.origin };
}

function readSize(raw: RawValue): Fact<number> | ServiceFactsError {
  const { value } = raw;
  const bytes =
    typeof value === 'number'
      ? Number.isSafeInteger(value) && value >= 0
        ? value
        : null
      : typeof value === 'string'
        ? parseNginxOffset(value)
        : null;
  if (bytes === null) {
    const reason = `${quoted(raw)} is not a size in bytes or nginx's syntax, such as 16384 or "16k"`;
    return new ServiceFactsError(raw.origin, reason);
  }
  return { value: bytes, text: String(value), origin: raw.origin };
}

const READERS: Readonly<Record<ApplicationFactKey, (raw: RawValue) => Fact<number> | ServiceFactsError>> = {
  p99: readDuration,
  keepAliveTimeout: readDuration,
  maxResponseHeaderSize: readSize,
  restartInterval: readDuration,
};

/** Checks and converts the application facts a source gives; invalid ones are left out and go to `errors`. */
export function readApplicationFacts(lookup: (key: ApplicationFactKey) => RawValue | undefined, errors: ServiceFactsError[]): ApplicationFacts {
  const facts: Record<ApplicationFactKey, Fact<number> | null> = {
    p99: null,
    keepAliveTimeout: null,
    maxResponseHeaderSize: null,
    restartInterval: null,
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

/** How a YAML source spells the keys of application facts. */
export interface YamlFactKeys {
  /** Put before each key in the map: `nginx-lint/` for annotations, nothing in `x-nginx-lint`. */
  readonly keyPrefix: string;
  /** Put before each key in messages, to name it where the line alone does not: `x-nginx-lint.`. */
  readonly messagePrefix: string;
}

/** Checks and converts the application facts in a YAML map. */
export function readYamlApplicationFacts(
  document: YamlDocument,
  map: Node | null,
  keys: YamlFactKeys,
  errors: ServiceFactsError[],
): ApplicationFacts {
  return readApplicationFacts((key) => {
    const node = document.at(map, `${keys.keyPrefix}${key}`);
    if (node === null) return undefined;
    return { value: document.value(node), origin: document.origin(node), writtenAs: `${keys.messagePrefix}${key}` };
  }, errors);
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
