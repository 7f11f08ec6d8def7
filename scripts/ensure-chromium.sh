#!/usr/bin/env bash
# The HTML report test opens the page in a real headless Chromium (Debian's package). Install it
# when it is missing and this machine can (root with apt-get); otherwise say what to do.
set -euo pipefail
chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"
[ -x "$chromium" ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian's chromium for the HTML report test (once per machine)..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "the HTML report test needs Chromium at $chromium: install Debian's chromium package (apt-get install chromium) or set CHROMIUM_PATH" >&2
exit 1
