/** English lists for messages: "a", "a and b", "a, b, and c" (Intl.ListFormat, so no hand-rolled joining). */
const conjunction = new Intl.ListFormat('en', { style: 'long', type: 'conjunction' });
const disjunction = new Intl.ListFormat('en', { style: 'long', type: 'disjunction' });

export function listAnd(items: readonly string[]): string {
  return conjunction.format(items);
}

export function listOr(items: readonly string[]): string {
  return disjunction.format(items);
}
