/**
 * schema.json as an editor uses it: every rule id with its own options, unknown ids rejected unless the config names
 * plugins (whose rules the schema cannot know), plugin ids written "plugin/rule" always accepted. The CLI's own
 * validator leaves the rule list out (scripts/build-config-validator.mjs) and checks ids against its registry.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { builtinRules } from '../rules/index.js';
import { validateConfig } from '../src/config/validate-config.generated.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const schema = JSON.parse(readFileSync(path.join(root, 'schema.json'), 'utf8')) as {
  definitions: { rules: { properties: Record<string, { then: { items: unknown[]; maxItems: number } }> } };
};
// The settings an editor's validator works with: draft-07, every error, tuples with an optional second item.
const validate = new Ajv({ allErrors: true, strict: true, strictTuples: false }).compile(schema);

function errorsOf(config: unknown): string[] {
  return validate(config) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message}`);
}

describe('schema.json', () => {
  it('lists every rule of the registry, with its own options schema (none: [severity] only)', () => {
    const listed = schema.definitions.rules.properties;
    expect(Object.keys(listed).sort()).toEqual(builtinRules.map((rule) => rule.meta.id).sort());
    for (const rule of builtinRules) {
      const entry = listed[rule.meta.id]!;
      if (rule.meta.schema) {
        expect(entry.then.items[1], rule.meta.id).toEqual(rule.meta.schema);
        expect(entry.then.maxItems).toBe(2);
      } else {
        expect(entry.then.maxItems, rule.meta.id).toBe(1);
      }
    }
  });

  it('rejects a misspelt rule id, at the top level and in overrides', () => {
    expect(errorsOf({ rules: { 'proxy-pass-port-mismatch': 'error' } })).toEqual([]);
    expect(errorsOf({ rules: { 'proxy-pas-port-mismatch': 'error' } })).toContain('/rules property name must be valid');
    expect(errorsOf({ overrides: [{ files: ['a.conf'], rules: { 'syntax-eror': 'off' } }] })).toContain(
      '/overrides/0/rules property name must be valid',
    );
  });

  it("checks a rule's options with that rule's schema, and options for a rule that takes none", () => {
    expect(errorsOf({ rules: { 'proxy-timeout-below-p99': ['warn', { headroom: 0.5 }] } })).toEqual([]);
    expect(errorsOf({ rules: { 'proxy-timeout-below-p99': ['warn', { headrom: 0.5 }] } })).toContain(
      '/rules/proxy-timeout-below-p99/1 must NOT have additional properties',
    );
    expect(errorsOf({ rules: { 'proxy-timeout-below-p99': ['warn', { headroom: -1 }] } })).toContain(
      '/rules/proxy-timeout-below-p99/1/headroom must be >= 0',
    );
    expect(errorsOf({ rules: { 'syntax-error': ['error', {}] } })).toContain('/rules/syntax-error must NOT have more than 1 items');
  });

  it('accepts any id where the config names plugins, and "plugin/rule" ids everywhere', () => {
    expect(errorsOf({ plugins: ['./require-request-id.mjs'], rules: { 'require-request-id': 'error' } })).toEqual([]);
    expect(errorsOf({ rules: { 'require-request-id': 'error' } })).toContain('/rules property name must be valid');
    expect(errorsOf({ plugins: [], rules: { 'require-request-id': 'error' } })).toContain('/rules property name must be valid');
    expect(errorsOf({ rules: { 'acme/require-request-id': 'error' } })).toEqual([]);
    // A plugin's rule is still a severity or [severity, options].
    expect(errorsOf({ plugins: ['./p.mjs'], rules: { 'require-request-id': 'eror' } })).not.toEqual([]);
  });

  it('is not what the CLI validates with: its validator leaves ids to the registry (plugins, --plugin, did-you-mean)', () => {
    expect(validateConfig({ rules: { 'proxy-pas-port-mismatch': 'error' } })).toBe(true);
    expect(validateConfig({ rules: { 'proxy-pass-port-mismatch': 'eror' } })).toBe(false);
  });
});
