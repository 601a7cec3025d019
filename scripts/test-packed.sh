#!/usr/bin/env bash
# Installs codex-task the way a user does and runs it: `npm pack` of this checkout (built by the
# package's own prepack/prepare), installed globally into a throwaway npm prefix (production
# dependencies only, by npm running on the oldest supported Node with --engine-strict), then
#   - on the oldest Node package.json's engines allow (the npm `node` package at that version):
#     `codex-task --version`, `agents list -C <project>` and the offline `demo` must work;
#   - on an older Node (the system's if it is older, else node@20 from npm): the bin must exit 1 with
#     the message saying which Node it needs, and no stack trace.
# Everything (npm cache, Node binaries, HOME, TMPDIR, compile cache) lives in one temp directory,
# removed at the end. Needs `npm ci` first (the build uses the devDependencies' tsc and Node).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
started=$SECONDS
tmp="$(mktemp -d "${TMPDIR:-/tmp}/codex-task-packed.XXXXXX")"
node_download=""
# KEEP_TMP=1 keeps the directory (its path is printed) to look into a failure.
# A download still running is waited for (killing npm would leave its child writing into $tmp).
trap '[ -z "$node_download" ] || wait "$node_download" 2>/dev/null || true
  if [ -n "${KEEP_TMP:-}" ]; then echo "test-packed: kept $tmp"; else rm -rf "$tmp"; fi' EXIT
mkdir -p "$tmp/home" "$tmp/tmp" "$tmp/project/.claude/agents"
export npm_config_cache="$tmp/npm-cache" npm_config_update_notifier=false npm_config_audit=false \
  npm_config_fund=false npm_config_loglevel=error
say() { printf "test-packed: [%3ds] %s\n" $((SECONDS - started)) "$*"; }
fail() {
  printf 'test-packed: FAIL: %s\n' "$*" >&2
  exit 1
}

dev_node="$root/node_modules/.bin/node"
[ -x "$dev_node" ] || fail "no $dev_node: run npm ci first"
check() { "$dev_node" --input-type=module -e "const c = await import('$root/bin/node-check.js'); $1" "${@:2}"; }
min="$(check 'console.log(c.minimumNode())')"
version="$("$dev_node" -p "require('$root/package.json').version")"
# The oldest supported Node downloads meanwhile. --prefix: without it npm installs into the nearest
# directory up the tree that has a node_modules.
npm install --prefix "$tmp/node-min" "node@$min" >"$tmp/node-min.log" 2>&1 &
node_download=$!

# 1. Pack a copy of the checkout (tracked and new files, not ignored ones), so that the build neither
# touches this checkout's dist/ nor packs stale files from it.
copy="$tmp/src"
mkdir -p "$copy"
if git -C "$root" rev-parse --git-dir >/dev/null 2>&1; then
  (cd "$root" && git ls-files -z --cached --others --exclude-standard |
    while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
    tar --null -T - -cf -) | tar -C "$copy" -xf -
else
  tar -C "$root" --exclude=./node_modules --exclude=./dist --exclude=./.git --exclude=./coverage -cf - . |
    tar -C "$copy" -xf -
fi
ln -s "$root/node_modules" "$copy/node_modules"
(cd "$copy" && npm pack --pack-destination "$tmp" >"$tmp/pack.log" 2>&1) ||
  fail "npm pack (prepack, prepare: the build) failed:"$'\n'"$(cat "$tmp/pack.log")"
tarball="$tmp/codex-task-$version.tgz"
[ -f "$tarball" ] || fail "npm pack did not write $tarball"
listing="$(tar -tzf "$tarball")"
junk="$(grep -E '\.test\.|/test/|/bench/|/scripts/|\.map$|/testing\.|/node_modules/' <<<"$listing" || true)"
[ -z "$junk" ] || fail "the package holds files users do not need:"$'\n'"$junk"
for needed in package/bin/codex-task.js package/bin/node-check.js package/dist/cli/bin.js package/LICENSE; do
  grep -qx "$needed" <<<"$listing" || fail "the package lacks $needed"
done
kib=$(($(wc -c <"$tarball") / 1024))
[ "$kib" -lt 3072 ] || fail "the package is ${kib} KiB: something large slipped into files"
say "packed $(basename "$tarball"): $(wc -l <<<"$listing") files, ${kib} KiB"

wait "$node_download" || fail "cannot install node@$min from npm: $(cat "$tmp/node-min.log")"
node_download=""
min_bin="$tmp/node-min/node_modules/.bin"
[ "$("$min_bin/node" --version)" = "v$min" ] || fail "node@$min from npm is $("$min_bin/node" --version)"

# 2. Install it as a user does: the registry's newest matching dependencies, none of this checkout's.
# npm runs on the oldest supported Node with --engine-strict, so a dependency needing a newer one
# fails here: the engines field stays the truth when a dependency raises its floor.
PATH="$min_bin:$PATH" npm install --global --engine-strict --prefix "$tmp/prefix" "$tarball" >"$tmp/install.log" 2>&1 ||
  fail "npm install -g of the tarball on Node $min failed:"$'\n'"$(cat "$tmp/install.log")"

# A user's shell: that Node first on PATH (the bin's `#!/usr/bin/env node` finds it), nothing of ours.
as_user() {
  local node_dir="$1"
  shift
  env -i PATH="$node_dir:$tmp/prefix/bin:/usr/local/bin:/usr/bin:/bin" HOME="$tmp/home" TMPDIR="$tmp/tmp" \
    NODE_COMPILE_CACHE="$tmp/compile-cache" NO_COLOR=1 "$@"
}

out="$(as_user "$min_bin" codex-task --version 2>&1)" || fail "codex-task --version on Node $min: $out"
[ "$out" = "$version" ] || fail "codex-task --version on Node $min printed: $out"
printf -- '---\nname: packed-check\ndescription: Checks the packed install\ntools: Read\n---\nSay hi.\n' \
  >"$tmp/project/.claude/agents/packed-check.md"
out="$(as_user "$min_bin" codex-task agents list -C "$tmp/project" 2>&1)" || fail "agents list on Node $min: $out"
grep -q 'packed-check' <<<"$out" || fail "agents list -C on Node $min did not list the project's agent: $out"
out="$(as_user "$min_bin" codex-task demo 2>&1)" || fail "demo on Node $min:"$'\n'"$out"
grep -q '3 of 3 tasks completed' <<<"$out" || fail "demo on Node $min did not complete its tasks:"$'\n'"$out"
say "Node $min: --version, agents list -C, demo: ok"

# 3. An older Node must be told what to do, not crash.
old=""
for candidate in $(which -a node 2>/dev/null) /usr/local/bin/node /usr/bin/node; do
  [ -x "$candidate" ] || continue
  if ! check 'process.exit(c.satisfies(process.argv[1]) ? 0 : 1)' "$("$candidate" -p process.versions.node)"; then
    old="$candidate"
    break
  fi
done
if [ -z "$old" ]; then
  npm install --prefix "$tmp/node-old" node@20 >/dev/null || fail "cannot install node@20 from npm"
  old="$tmp/node-old/node_modules/.bin/node"
fi
old_version="$("$old" -p process.versions.node)"
set +e
out="$(as_user "$(dirname "$old")" codex-task demo 2>&1)"
code=$?
set -e
[ "$code" = 1 ] || fail "on Node $old_version codex-task exited $code, not 1:"$'\n'"$out"
grep -q "codex-task needs Node.js .*; this is Node.js $old_version" <<<"$out" ||
  fail "on Node $old_version the message does not say which Node is needed:"$'\n'"$out"
! grep -qE '^\s+at |Error|node:internal' <<<"$out" || fail "on Node $old_version there is a stack trace:"$'\n'"$out"
say "Node $old_version ($old): exit 1 with: $(head -1 <<<"$out")"
say "ok in $((SECONDS - started)) s"
