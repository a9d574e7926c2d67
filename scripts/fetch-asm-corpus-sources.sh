#!/usr/bin/env bash
# Fetches the C sources of the assembler's real-world corpus into .cache/asm-corpus/: the sqlite
# amalgamation (public domain) shipped in the better-sqlite3 npm package, and lz4's library (BSD)
# shipped in the lz4 npm package. Pinned versions, checked by SHA-256. Idempotent: nothing is
# downloaded when the sources are already there. Exit status 3 means the registry could not be
# reached (tests skip on it); any other non-zero status is a real failure.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="$REPO_ROOT/.cache/asm-corpus"

# name@version, the tarball's SHA-256, the folder inside the package, the folder under $CACHE.
PACKAGES=(
  "better-sqlite3@12.11.1 ebf0ed75a7a59dbcb3b24bbd014ef49d9f15bc328e4adcbf516f2a8fadfa2835 package/deps/sqlite3 sqlite"
  "lz4@0.6.5 fdb90b41c5a56d27f74b2c42a9861b0893f225ddb637f79e1b67a4e4b5f5f93f package/deps/lz4/lib lz4"
)

fail() {
  echo "fetch-asm-corpus-sources: $*" >&2
  exit 1
}

unreachable() {
  echo "fetch-asm-corpus-sources: $*" >&2
  exit 3
}

for tool in tar sha256sum; do
  command -v "$tool" >/dev/null || fail "'$tool' is not installed"
done
mkdir -p "$CACHE/tarballs"
# Test files run in parallel: one fetch at a time, the others wait and then find the files.
if command -v flock >/dev/null; then
  exec 9>"$CACHE/.lock"
  flock 9
fi

for entry in "${PACKAGES[@]}"; do
  read -r spec sha256 inner folder <<<"$entry"
  done_marker="$CACHE/$folder/.from-$spec"
  [ -f "$done_marker" ] && continue

  name="${spec%@*}"
  version="${spec##*@}"
  tarball="$CACHE/tarballs/$name-$version.tgz"
  if [ ! -s "$tarball" ]; then
    command -v npm >/dev/null || unreachable "npm is not installed, cannot fetch $spec"
    # No retries and a short timeout: an offline machine should learn it in seconds, not minutes.
    if ! npm pack "$spec" --pack-destination "$CACHE/tarballs" --fetch-retries=0 --fetch-timeout=30000 \
      --loglevel=error >/dev/null 2>"$CACHE/tarballs/npm-pack.log"; then
      # npm's first lines say why (ECONNREFUSED, ENOTFOUND, ETIMEDOUT...); the stack trace is noise.
      grep -m 1 -i 'error' "$CACHE/tarballs/npm-pack.log" | sed 's/^/  /' >&2 || true
      unreachable "npm pack $spec failed: the npm registry cannot be reached (see above)"
    fi
    [ -s "$tarball" ] || fail "npm pack $spec finished but $tarball is missing"
  fi
  actual="$(sha256sum "$tarball" | cut -d' ' -f1)"
  if [ "$actual" != "$sha256" ]; then
    rm -f "$tarball"
    fail "$spec: SHA-256 $actual, expected $sha256 (tarball removed)"
  fi

  rm -rf "$CACHE/$folder.partial"
  mkdir -p "$CACHE/$folder.partial"
  tar -xzf "$tarball" -C "$CACHE/$folder.partial" --strip-components="$(($(tr -cd / <<<"$inner" | wc -c) + 1))" \
    --wildcards "$inner/*.c" "$inner/*.h" || fail "cannot unpack the sources of $tarball"
  touch "$CACHE/$folder.partial/.from-$spec"
  rm -rf "${CACHE:?}/$folder"
  mv "$CACHE/$folder.partial" "$CACHE/$folder"
done

echo "sources: $CACHE"
