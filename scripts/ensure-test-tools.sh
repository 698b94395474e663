#!/bin/sh
# Installs the Debian packages some tests drive, when they are missing: chromium (the
# end-to-end tests, through playwright-core; no browser is downloaded by npm) and
# systemd (systemd-analyze verifies the unit files). Idempotent. Never fails the build:
# when a package cannot be installed it says why and exits 0, and the tests that need it
# skip with a clear message.
set -u

missing=""
[ -x /usr/bin/chromium ] || missing="$missing chromium"
command -v systemd-analyze >/dev/null 2>&1 || missing="$missing systemd"
[ -z "$missing" ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-test-tools: missing:$missing, and apt-get is not available; the tests that need them will be skipped." >&2
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO="sudo -n"
else
  echo "ensure-test-tools: missing:$missing; installing needs root (apt-get install -y$missing); the tests that need them will be skipped." >&2
  exit 0
fi

echo "ensure-test-tools: installing$missing from Debian's packages…"
# shellcheck disable=SC2086
if $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null; then
  echo "ensure-test-tools: installed$missing."
else
  echo "ensure-test-tools: apt-get could not install$missing; the tests that need them will be skipped." >&2
fi
exit 0
