#!/bin/sh
# Install mermaid-cli (npm's @mermaid-js/mermaid-cli) into .venv/mermaid-cli for the Mermaid test
# (tests/test_mermaid.py), which drives it with Debian's Chromium: Puppeteer's own browser
# download is skipped. Without npm the test is skipped and says why; nothing else needs it.
set -eu
DIR="${VENV:-.venv}/mermaid-cli"
if [ -x "$DIR/node_modules/.bin/mmdc" ]; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "note: npm is not installed, so the mermaid-cli test will be skipped (Debian: sudo apt-get install npm)"
  exit 0
fi
echo "Installing mermaid-cli with npm into $DIR..."
mkdir -p "$DIR"
PUPPETEER_SKIP_DOWNLOAD=1 PUPPETEER_SKIP_CHROMIUM_DOWNLOAD=1 \
  npm install --prefix "$DIR" --no-audit --no-fund --loglevel=error @mermaid-js/mermaid-cli@11 >/dev/null \
  || echo "note: npm could not install mermaid-cli; the mermaid-cli test will be skipped"
