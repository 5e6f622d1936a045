#!/bin/sh
# Make sure Chromium is installed at /usr/bin/chromium, for the browser tests: install it with
# apt-get when we are root on a Debian-like machine, otherwise say how to install it.
set -eu
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Chromium is missing: installing it with apt-get..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
  [ -x /usr/bin/chromium ] && exit 0
fi
cat >&2 <<'MSG'
Chromium is not installed: archkit's browser tests (tests/test_browser.py) load the built site
in headless Chromium, run from /usr/bin/chromium (Playwright's own browser download is not used).
Install it, then run make again:
  Debian:  sudo apt-get install chromium
  Ubuntu:  its chromium package is a snap, not /usr/bin/chromium: install Debian's chromium,
           or run the tests in a Debian container (e.g. python:3.12-bookworm)
MSG
exit 1
