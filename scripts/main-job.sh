#!/usr/bin/env bash
# The main job on a fresh data dir: initialize, start the daemon, import a CRM
# export through the API, run an audited cross-partner query of won deals by
# partner, verify the audit chain, and stop the daemon.
set -euo pipefail
cd "$(dirname "$0")/.."

source_dir="${1:-../shared/data/crm}"
work="$(mktemp -d "${TMPDIR:-/tmp}/partneros-main.XXXXXX")"
export PARTNEROS_CONFIG_DIR="$work/config"
export NO_COLOR="${NO_COLOR:-1}"
cli=(node bin/partneros)

stop_daemon() {
  "${cli[@]}" daemon stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap stop_daemon EXIT

port="$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
password="$(node -e 'console.log(require("crypto").randomBytes(24).toString("base64url"))')"

echo "== init (data dir $work/data)"
printf '%s\n' "$password" | "${cli[@]}" init --data-dir "$work/data" \
  --email operator@partneros.example --password-stdin --url "http://127.0.0.1:$port"

echo "== daemon start"
"${cli[@]}" daemon start --port "$port"

echo "== import $source_dir"
time "${cli[@]}" import "$source_dir" --on-error abort --yes

echo "== won deals by partner (audited cross-partner query)"
"${cli[@]}" query deals --all-partners --stage Won --group-by partner \
  --reason "main job: won deals by partner"

echo "== audit verify"
"${cli[@]}" audit verify

echo "== daemon stop"
"${cli[@]}" daemon stop
