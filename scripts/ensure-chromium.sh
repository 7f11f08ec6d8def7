#!/usr/bin/env bash
# The HTML report test opens the page in a real headless Chromium (Debian's package), at
# $CHROMIUM_PATH or /usr/bin/chromium. When it is missing, this says so before doing anything, and
# installs it only where it must and can: no other Chromium or Chrome on the PATH, root, apt-get,
# and not refused with LIFEGUARD_INSTALL_CHROMIUM=no. Anywhere else it says what to do and lets the
# tests run: the HTML report test then fails with the same advice.
set -euo pipefail
chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"
[ -x "$chromium" ] && exit 0

say() { echo "ensure-chromium: $*" >&2; }
say "the HTML report test needs a headless Chromium at $chromium, and there is none."

for other in chromium chromium-browser google-chrome-stable google-chrome; do
  found="$(command -v "$other" 2>/dev/null || true)"
  if [ -n "$found" ] && [ "$found" != "$chromium" ]; then
    say "$found is installed: nothing is installed; run the tests with CHROMIUM_PATH=$found to use it."
    exit 0
  fi
done

if [ "${LIFEGUARD_INSTALL_CHROMIUM:-}" = "no" ]; then
  say "LIFEGUARD_INSTALL_CHROMIUM=no: nothing is installed (apt-get install chromium, or set CHROMIUM_PATH)."
  exit 0
fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
  say "install Debian's chromium package (sudo apt-get install chromium) or set CHROMIUM_PATH to a Chromium or Chrome."
  exit 0
fi

say "installing Debian's chromium package now, as root: apt-get update, then apt-get install chromium (once per machine, a few hundred MB)."
say "to decline, stop now and set LIFEGUARD_INSTALL_CHROMIUM=no or CHROMIUM_PATH."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq chromium >/dev/null
say "installed $(command -v chromium || echo chromium)."
