#!/bin/sh
# Make sure adr-tools 3.x (`adr`) is installed, for the interoperation tests (tests/test_adr_tools.py):
# install Debian's adr-tools package with apt-get when we are root on a Debian-like machine,
# otherwise say how to install it.
set -eu
if command -v adr >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "adr-tools is missing: installing it with apt-get..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends adr-tools >/dev/null
  command -v adr >/dev/null 2>&1 && exit 0
fi
cat >&2 <<'MSG'
adr-tools is not installed: archkit's tests prove that adr-tools 3.x and archkit work on the same
records folder, with the real `adr` command. Install it, then run make again:
  Debian, Ubuntu:  sudo apt-get install adr-tools
  macOS:           brew install adr-tools
MSG
exit 1
