/**
 * Every rule's wording, in one place. Rule tests assert `messageId` and `data`; the words themselves are pinned by the
 * snapshot below, so rewording a message changes one snapshot, not unrelated tests. Headlines must stay one short
 * line: measured on what the rules really say about the example app, not on templates.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinRules } from '../rules/index.js';
import { lint } from '../src/run.js';

const repoRoot = path.resolve(import.meta.dirname, '..');
const HEADLINE_LIMIT = 160;

describe('rule messages', () => {
  it.each(builtinRules.map((rule) => [rule.meta.id, rule] as const))('%s: wording', (_id, rule) => {
    expect({ messages: rule.meta.messages, details: rule.meta.details ?? {} }).toMatchSnapshot();
  });

  it.each(builtinRules.map((rule) => [rule.meta.id, rule] as const))(
    '%s: every message is one line, every detail belongs to a message',
    (_id, rule) => {
      const messages = rule.meta.messages ?? {};
      expect(Object.keys(messages).length).toBeGreaterThan(0);
      for (const template of Object.values(messages)) expect(template).not.toMatch(/\n/);
      for (const id of Object.keys(rule.meta.details ?? {})) expect(messages).toHaveProperty(id);
    },
  );

  it('keeps every headline on the example apps under 160 characters, on one line', async () => {
    const run = await lint([path.join(repoRoot, 'examples/shop')], { cwd: repoRoot });
    const messages = run.results.flatMap((result) => result.messages);
    expect(messages.length).toBeGreaterThan(3);
    for (const message of messages) {
      expect(message.message.length, message.message).toBeLessThanOrEqual(HEADLINE_LIMIT);
      expect(message.message).not.toMatch(/\n/);
    }
  });
});
