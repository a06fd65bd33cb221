#!/usr/bin/env bash
# The Lint step of action.yml, kept in a file so that test/action.test.ts runs exactly what the runner runs, with the
# action's inputs as environment. Prints the report in NGINX_LINT_FORMAT, writes SARIF when asked, and exits as the
# fail level says.
set -uo pipefail
cli="${GITHUB_ACTION_PATH:-$(cd "$(dirname "$0")/.." && pwd)}/bin/nginx-lint.cjs"
read -r -a paths <<< "${NGINX_LINT_PATHS:-.}"
common=()
[ -n "${NGINX_LINT_CONFIG:-}" ] && common+=(--config "$NGINX_LINT_CONFIG")
[ -n "${NGINX_LINT_NGINX_VERSION:-}" ] && common+=(--nginx-version "$NGINX_LINT_NGINX_VERSION")
[ "${NGINX_LINT_FAIL_LEVEL:-error}" = "warning" ] && common+=(--max-warnings 0)

if [ -n "${NGINX_LINT_SARIF_FILE:-}" ]; then
  node "$cli" "${common[@]}" --format sarif --output-file "$NGINX_LINT_SARIF_FILE" "${paths[@]}"
  sarif_status=$?
  [ "$sarif_status" -ge 2 ] && exit "$sarif_status"
fi
node "$cli" "${common[@]}" --format "${NGINX_LINT_FORMAT:-github}" "${paths[@]}"
