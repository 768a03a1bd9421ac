#!/usr/bin/env bash
# Builds the installable packages of Một Cửa with the Tauri bundler (tauri-cli from npm, no download at
# build time): a .deb and an .rpm holding the counter app (/usr/bin/motcua-app, its desktop entry in
# Vietnamese and icon), the CLI (/usr/bin/motcua) and the office hub / reference portal
# (/usr/bin/motcua-portal). The window's assets are inside the app binary; the catalog, calendar,
# administrative map and form templates are inside every binary.
#
#   scripts/package.sh            release build (what a ward installs): target/package/release/bundle/
#   scripts/package.sh --debug    the debug binaries the tests already made (not rebuilt), stripped
#                                 (CI's install test)
#
# AppImage is not built: its tools (linuxdeploy and plugins) are downloaded by the bundler at build
# time, which this machine cannot do (docs/packaging.md).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
profile=release
cargo_flag=(--release)
if [ "${1:-}" = "--debug" ]; then profile=debug; cargo_flag=(); fi

if [ "$profile" = release ]; then
  (cd ui && npm run build --silent)
  cargo build "${cargo_flag[@]}" -p motcua-app -p motcua-cli -p motcua-portal
else
  # the debug binaries `cargo test --workspace` made (building them here with another package set
  # would resolve features differently and rebuild half the dependencies)
  for bin in motcua-app motcua motcua-portal; do
    test -x "target/debug/$bin" || { echo "package: target/debug/$bin missing: run the tests (or cargo build) first" >&2; exit 1; }
  done
fi

# the bundler packs target/<profile>/motcua-app: it is given a target directory of its own holding
# stripped copies (no debug info or symbol table; a debug build carries ~1 GB of debug info), so
# cargo's own outputs, with their symbols for reading a crash record's backtrace, stay untouched
stage="$PWD/target/package"
mkdir -p "$stage/$profile"
for bin in motcua-app motcua motcua-portal; do
  strip --strip-all -o "$stage/$profile/$bin" "target/$profile/$bin"
done
overlay="$stage/overlay.json"
cat >"$overlay" <<JSON
{ "productName": "motcua", "bundle": { "linux": {
  "deb": { "files": { "/usr/bin/motcua": "$stage/$profile/motcua", "/usr/bin/motcua-portal": "$stage/$profile/motcua-portal" } },
  "rpm": { "files": { "/usr/bin/motcua": "$stage/$profile/motcua", "/usr/bin/motcua-portal": "$stage/$profile/motcua-portal" } }
} } }
JSON
rm -rf "$stage/$profile/bundle"
flags=()
[ "$profile" = debug ] && flags+=(--debug)
# run from src-tauri: the bundler's project is the crate beside tauri.conf.json
(cd src-tauri && CARGO_TARGET_DIR="$stage" CI=true ../ui/node_modules/.bin/tauri bundle "${flags[@]}" --bundles deb,rpm --config "$overlay")
# the bundler compresses the .deb with gzip; the three binaries share most of their code, which xz's
# large window finds (25 MB with gzip, about 10 MB with xz -9 for the release build)
for deb in "$stage/$profile/bundle/deb/"*.deb; do
  tree="$stage/$profile/bundle/deb/tree"
  rm -rf "$tree"
  dpkg-deb -R "$deb" "$tree"
  dpkg-deb --root-owner-group -Zxz -z9 --build "$tree" "$deb" >/dev/null
  rm -rf "$tree"
done
find "$stage/$profile/bundle" -name '*.deb' -o -name '*.rpm' | while read -r f; do
  printf '%s\t%s bytes\n' "$f" "$(stat -c %s "$f")"
done
