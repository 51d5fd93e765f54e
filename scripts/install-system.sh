#!/usr/bin/env bash
# Install the Debian packages the tests use, when they are missing (idempotent).
#
#   scripts/install-system.sh [PACKAGE...]   # default: chromium (the matrix page test)
#
# Needs root and apt-get; otherwise it says what to run and exits 0, and the tests that
# need the package skip with the same command. Tests never install packages themselves.
set -euo pipefail

packages=("$@")
[[ ${#packages[@]} -gt 0 ]] || packages=(chromium)

binary_of() {
  case "$1" in
    chromium) echo chromium ;;
    *) echo "$1" ;;
  esac
}

missing=()
for pkg in "${packages[@]}"; do
  command -v "$(binary_of "$pkg")" >/dev/null 2>&1 || missing+=("$pkg")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ "$(id -u)" != 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
  echo "install-system: missing ${missing[*]}; install with: sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
for attempt in 1 2 3; do
  if apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
    echo "install-system: installed ${missing[*]}"
    exit 0
  fi
  echo "install-system: attempt $attempt of 3 failed" >&2
  sleep $((attempt * 2))
done
echo "install-system: could not install ${missing[*]}; the tests that need them skip" >&2
exit 0
