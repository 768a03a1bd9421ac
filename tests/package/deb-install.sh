#!/usr/bin/env bash
# The installer, for real (issue 17): builds the .deb from the debug build (scripts/package.sh
# --debug), installs it on this machine with apt, checks what it put where, starts the INSTALLED app
# under Xvfb through tauri-driver with no --data-dir (so it must use the OS data directory, here
# $XDG_DATA_HOME/motcua) and checks that a fresh install opens the first-run set-up, then removes and
# purges the package: the program files go, the counter's data stays. Needs root (apt); CI runs as root.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"
export PATH="$HOME/.cargo/bin:$PATH"
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

fail() { echo "deb-install: FAIL: $*" >&2; exit 1; }

./scripts/package.sh --debug >/tmp/motcua-package.log 2>&1 || { tail -30 /tmp/motcua-package.log; fail "packaging"; }
deb=$(ls target/package/debug/bundle/deb/motcua_*_amd64.deb)
echo "deb-install: $deb ($(stat -c %s "$deb") bytes)"

# a previous run's package must not hide anything
if dpkg -s motcua >/dev/null 2>&1; then $SUDO dpkg --purge motcua >/dev/null; fi
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$ROOT/$deb" >/dev/null
dpkg -s motcua | grep -q '^Status: install ok installed' || fail "not installed"
for f in /usr/bin/motcua-app /usr/bin/motcua /usr/bin/motcua-portal /usr/share/applications/motcua.desktop /usr/share/icons/hicolor/128x128/apps/motcua-app.png; do
  dpkg -L motcua | grep -qx "$f" || fail "$f not in the package"
  test -e "$f" || fail "$f not installed"
done
grep -qx 'Name=Một Cửa' /usr/share/applications/motcua.desktop || fail "desktop entry without its Vietnamese name"
grep -qx 'Exec=motcua-app' /usr/share/applications/motcua.desktop || fail "desktop entry does not start motcua-app"
for dep in libwebkit2gtk-4.1-0 cups-client sane-utils; do
  dpkg -s motcua | grep '^Depends:' | grep -q "$dep" || fail "no dependency on $dep"
done
# the installed CLI and hub run from the package
/usr/bin/motcua --help | grep -q 'intake' || fail "installed motcua does not run"
/usr/bin/motcua-portal --help >/dev/null || fail "installed motcua-portal does not run"

# the installed app, first start: the OS data directory and the set-up
xdg=$(mktemp -d /tmp/motcua-deb-xdg-XXXXXX)
export XDG_DATA_HOME="$xdg"
unset MOTCUA_DATA_DIR
MOTCUA_APP=/usr/bin/motcua-app MOTCUA_EXPECT_DATA_DIR="$xdg/motcua" ./tests/e2e/run.sh installed.check.mjs
test -f "$xdg/motcua/motcua.sqlite3" || fail "no database in the OS data directory $xdg/motcua"
ls "$xdg/motcua/logs/"motcua-app.log.* >/dev/null || fail "no log file in the data directory"

# removed, then purged: the programs go, the data stays (dpkg never touches a user's data)
$SUDO apt-get remove -y -qq motcua >/dev/null
test ! -e /usr/bin/motcua-app || fail "motcua-app left after remove"
test ! -e /usr/share/applications/motcua.desktop || fail "desktop entry left after remove"
test -f "$xdg/motcua/motcua.sqlite3" || fail "remove deleted the counter's data"
$SUDO dpkg --purge motcua >/dev/null
if dpkg -s motcua >/dev/null 2>&1; then fail "still known to dpkg after purge"; fi
test -f "$xdg/motcua/motcua.sqlite3" || fail "purge deleted the counter's data"
echo "deb-install: installed, started on the OS data directory into the set-up, removed and purged; data kept"
