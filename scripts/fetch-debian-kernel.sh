#!/usr/bin/env bash
# Fetches Debian's i386 kernel 6.1.0-50-686 (the oracle of the decoder's differential tests) into
# .cache/debian-6.1.0-50-686/: the unpacked package (root/), the ELF vmlinux taken out of the
# bzImage, and `objdump -d -j .text` of it. Idempotent: each step is skipped when its output exists.
# Exits non-zero with a message when the package cannot be had. KBOOST_KERNEL_DEB=path/to.deb skips
# the download (offline machines).
set -euo pipefail

PACKAGE=linux-image-6.1.0-50-686-unsigned
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="$REPO_ROOT/.cache/debian-6.1.0-50-686"
ROOT="$CACHE/root"
VMLINUX="$CACHE/vmlinux"
LISTING="$CACHE/vmlinux.objdump.txt"

fail() {
  echo "fetch-debian-kernel: $*" >&2
  exit 1
}

for tool in dpkg-deb xz objdump od grep; do
  command -v "$tool" >/dev/null || fail "'$tool' is not installed"
done
mkdir -p "$CACHE"
# Test files run in parallel: one fetch at a time, the others wait and then find the files.
if command -v flock >/dev/null; then
  exec 9>"$CACHE/.lock"
  flock 9
fi

# 1. The .deb: from KBOOST_KERNEL_DEB, from an earlier run, or from apt.
find_deb() { ls "$CACHE"/"$PACKAGE"_*_i386.deb 2>/dev/null | head -n 1 || true; }

can_apt_see_package() {
  apt-cache show "$PACKAGE:i386" >/dev/null 2>&1
}

DEB="${KBOOST_KERNEL_DEB:-}"
if [ -z "$DEB" ]; then DEB="$(find_deb)"; fi
if [ -z "$DEB" ]; then
  command -v apt-get >/dev/null || fail "apt-get is not available, cannot download $PACKAGE:i386"
  if ! can_apt_see_package; then
    # The i386 package lists are needed once. A mirror in mid-sync makes `apt-get update` fail for
    # some lists while the one we need is fine, so its status is not trusted: the lookup decides.
    if ! dpkg --print-foreign-architectures | grep -qx i386; then
      dpkg --add-architecture i386 || fail "cannot add the i386 architecture (not root?)"
    fi
    apt-get update >&2 || echo "fetch-debian-kernel: apt-get update reported errors; trying anyway" >&2
    can_apt_see_package || fail "apt cannot find $PACKAGE:i386 (no network, or not in the configured suites)"
  fi
  (cd "$CACHE" && apt-get download "$PACKAGE:i386" >&2) || fail "apt-get download $PACKAGE:i386 failed"
  DEB="$(find_deb)"
  [ -n "$DEB" ] || fail "apt-get download finished but no $PACKAGE .deb is in $CACHE"
fi
[ -f "$DEB" ] || fail "no such .deb: $DEB"

# 2. The package tree.
if ! ls "$ROOT"/boot/vmlinuz-* >/dev/null 2>&1; then
  rm -rf "$ROOT.partial"
  mkdir -p "$ROOT.partial"
  dpkg-deb -x "$DEB" "$ROOT.partial" || fail "dpkg-deb -x $DEB failed"
  rm -rf "$ROOT"
  mv "$ROOT.partial" "$ROOT"
fi
BZIMAGE="$(ls "$ROOT"/boot/vmlinuz-* | head -n 1)"

# 3. The ELF vmlinux: the bzImage's payload is one xz stream; data after it is not ours.
if [ ! -s "$VMLINUX" ]; then
  # Byte offset of the first xz stream header (FD 37 7A 58 5A 00).
  OFFSET="$(LC_ALL=C grep -obUaP '\xFD\x37\x7A\x58\x5A\x00' "$BZIMAGE" | head -n 1 | cut -d: -f1 || true)"
  [ -n "$OFFSET" ] || fail "no xz stream in $BZIMAGE"
  # --single-stream: the padding and data after the stream are not an error.
  xz -dc --single-stream < <(tail -c +"$((OFFSET + 1))" "$BZIMAGE") >"$VMLINUX.partial" ||
    fail "xz could not decompress the payload of $BZIMAGE"
  [ "$(od -A n -t x1 -N 5 "$VMLINUX.partial" | tr -d ' \n')" = "7f454c4601" ] ||
    fail "the xz payload of $BZIMAGE is not an ELF32 vmlinux"
  mv "$VMLINUX.partial" "$VMLINUX"
fi

# 4. The objdump listing of .text (about 150 MB, 2.9 million instructions).
if [ ! -s "$LISTING" ]; then
  objdump -d -j .text "$VMLINUX" >"$LISTING.partial" || fail "objdump -d failed on $VMLINUX"
  mv "$LISTING.partial" "$LISTING"
fi

echo "package:  $DEB"
echo "tree:     $ROOT"
echo "bzImage:  $BZIMAGE"
echo "vmlinux:  $VMLINUX"
echo "listing:  $LISTING"
