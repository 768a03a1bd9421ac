#!/usr/bin/env bash
# Installs what Một Cửa needs on a fresh Debian 12 machine (idempotent; skips what is there):
# the WebKitGTK stack for the Tauri window, Xvfb and WebKitWebDriver for end-to-end tests,
# poppler/qpdf/zbar for checking documents, xwininfo and bc for the start-up benchmark, CUPS with cups-pdf for real printing, socat (a pty pair standing for a serial scanner), SANE's scanimage with its `test` backend enabled (a real document scanner for tests), heif-convert (iPhone photos), the UI's npm packages and tauri-driver.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

APT_PACKAGES=(
  build-essential pkg-config libssl-dev
  libwebkit2gtk-4.1-dev libsoup-3.0-dev librsvg2-dev libayatana-appindicator3-dev
  xvfb xauth dbus dbus-x11 webkit2gtk-driver
  poppler-utils qpdf zbar-tools fonts-dejavu-core
  cups cups-client cups-bsd printer-driver-cups-pdf sqlite3 socat
  sane-utils libsane1 libheif-examples x11-utils bc
)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# SANE's test backend stands for a document scanner in the tests (they also bring their own config)
if [ -f /etc/sane.d/dll.conf ] && grep -q '^#test$' /etc/sane.d/dll.conf; then
  $SUDO sed -i 's/^#test$/test/' /etc/sane.d/dll.conf
fi

if ! command -v node >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nodejs npm >/dev/null
fi

# npm ci, or npm install when ci refuses the lock file: npm 11.19 here writes lock files without the
# other platforms' optional packages (rollup's native builds) and then its own `npm ci` rejects them.
npm_install() {
  (cd "$1" && { npm ci --no-audit --no-fund 2>/tmp/motcua-npm-ci.log || {
      echo "setup: npm ci refused the lock file in $1 (see /tmp/motcua-npm-ci.log); running npm install" >&2
      npm install --no-audit --no-fund; }; })
}

if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  npm_install ui
fi

if [ "${1:-}" = "--with-e2e" ]; then
  if [ ! -d tests/e2e/node_modules ] || [ tests/e2e/package-lock.json -nt tests/e2e/node_modules/.package-lock.json ]; then
    npm_install tests/e2e
  fi
  if ! command -v tauri-driver >/dev/null 2>&1; then
    cargo install tauri-driver --locked
  fi
fi
