#!/bin/sh
# Make sure Graphviz's `dot` is installed: install it with apt-get when we are root on a
# Debian-like machine, otherwise say how to install it.
set -eu
if command -v dot >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Graphviz is missing: installing it with apt-get..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends graphviz fonts-dejavu-core >/dev/null
  command -v dot >/dev/null 2>&1 && exit 0
fi
cat >&2 <<'MSG'
Graphviz is not installed: archkit needs its 'dot' program to lay out diagrams.
Install it, then run make again:
  Debian/Ubuntu:  sudo apt-get install graphviz
  macOS:          brew install graphviz
  Windows:        winget install graphviz   (or: choco install graphviz)
MSG
exit 1
