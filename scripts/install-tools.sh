#!/usr/bin/env bash
# Installs, idempotently, every tool Gatehouse's build and tests need on a Debian machine:
# the wasm32 target, cargo-leptos, wasm-bindgen (the exact version in Cargo.lock), wasm-opt
# (binaryen 116, built from crates.io: Debian's binaryen 108 breaks hydration), Chromium for the
# end-to-end tests, and the end2end Node packages. Nothing is downloaded from outside the package
# registries. Usage: scripts/install-tools.sh [--no-browser]   (--no-browser: skip Chromium only)
set -euo pipefail
cd "$(dirname "$0")/.."

want_browser=1
[ "${1:-}" = "--no-browser" ] && want_browser=0

log() { printf '[install-tools] %s\n' "$*" >&2; }
export PATH="$HOME/.cargo/bin:$PATH"

# Tool builds do not need link-time optimisation; without it they build several times faster.
fast_install() {
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 cargo install "$@"
}

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if [ "$want_browser" = 1 ] && ! command -v chromium >/dev/null 2>&1; then
  log "installing Chromium from Debian's packages"
  if command -v apt-get >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -qq
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq chromium >/dev/null
  else
    log "no apt-get: install Chromium so that /usr/bin/chromium exists"; exit 1
  fi
fi

if ! cargo leptos --version 2>/dev/null | grep -q '0\.3\.10'; then
  log "installing cargo-leptos 0.3.10"
  fast_install cargo-leptos --version 0.3.10 --locked
fi

if ! wasm-opt --version 2>/dev/null | grep -q 'version 116'; then
  log "installing wasm-opt 0.116.1 (binaryen 116, about 10 minutes)"
  fast_install wasm-opt --version 0.116.1 --locked
fi

if [ -f Cargo.lock ]; then
  wb=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
  if [ -n "$wb" ] && ! wasm-bindgen --version 2>/dev/null | grep -q " $wb\$"; then
    log "installing wasm-bindgen-cli $wb (matching Cargo.lock)"
    fast_install wasm-bindgen-cli --version "$wb" --locked || fast_install wasm-bindgen-cli --version "$wb" --force
  fi
fi

if [ -f end2end/package.json ]; then
  if [ ! -d end2end/node_modules/@playwright/test ]; then
    log "installing the end2end Node packages (no browser download)"
    (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
  fi
fi
log "tools ready"
