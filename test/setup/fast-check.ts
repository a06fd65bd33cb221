/**
 * Property tests draw the same inputs on every run unless asked otherwise, as Hypothesis's `derandomize` does for CI:
 * a counterexample found by chance should be a finding to look at, not a red build on an unrelated change.
 * `NGINX_LINT_FC_SEED=<n>` replays seed n (fast-check prints the seed of a failure); `NGINX_LINT_FC_SEED=random`
 * explores new inputs on each run.
 */
import fc from 'fast-check';

const DEFAULT_SEED = 20261204;
const requested = process.env.NGINX_LINT_FC_SEED;
if (requested !== 'random') fc.configureGlobal({ seed: requested === undefined ? DEFAULT_SEED : Number(requested) });
