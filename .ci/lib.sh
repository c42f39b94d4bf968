# Shared by .ci/serve and .ci/test: install what is missing, quietly skip what is there.
# Versions are pinned as measured in ../shared/TOOLCHAIN.md.

set -euo pipefail

CARGO_LEPTOS_VERSION=0.3.10
WASM_BINDGEN_VERSION=0.2.130

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# Builds here are from scratch (a fresh clone in CI): incremental caches would only take disk.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

apt_updated=""
apt_install() {
  if [ -z "$apt_updated" ]; then
    as_root apt-get update -qq
    apt_updated=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

ensure_rust_tools() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    step "Adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  if [ "$(cargo leptos --version 2>/dev/null | awk '{print $2}')" != "$CARGO_LEPTOS_VERSION" ]; then
    step "Installing cargo-leptos $CARGO_LEPTOS_VERSION (about 20 minutes, once per machine)"
    cargo install --locked "cargo-leptos@$CARGO_LEPTOS_VERSION"
  fi
  if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
    step "Installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
    # Without --locked: its lock file wants a crate version the registry lacks.
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
  fi
}

# The end2end npm packages: Playwright, and binaryen's wasm-opt for release builds (Debian's
# binaryen produces Wasm that fails to hydrate).
ensure_node_packages() {
  local stamp="end2end/node_modules/.switchboard-lock"
  if [ ! -f "$stamp" ] || ! cmp -s end2end/package-lock.json "$stamp"; then
    step "Installing the end2end npm packages"
    (cd end2end && npm ci --no-audit --no-fund --loglevel=error)
    cp end2end/package-lock.json "$stamp"
  fi
  export PATH="$ROOT/end2end/node_modules/.bin:$PATH"
}

build_release() {
  step "Building the release site (server and WebAssembly)"
  # --split: the routes and panels marked lazy (#[lazy_route], #[lazy]) become WebAssembly
  # chunks fetched when first opened; without it their imports cannot be resolved.
  # --precompress: every built file beside its Brotli (quality 11) and gzip forms, which the
  # server sends as they are to a browser that accepts them (a quarter smaller than the
  # Brotli it makes on the fly, and no CPU per download).
  cargo leptos build --release --split --precompress
  # cargo-leptos' own gzip is a sixth larger than gzip -9's; zopfli writes the same format
  # 4% smaller again (the desktop's first load: 475 KB, 402 KB, 385 KB), in a few seconds.
  if ! command -v zopfli >/dev/null; then
    step "Installing zopfli (Debian)"
    apt_install zopfli
  fi
  # Each written beside, then moved over cargo-leptos' own: never a half-written form.
  local gz
  while IFS= read -r -d '' gz; do
    [ -f "${gz%.gz}" ] || continue
    zopfli -c "${gz%.gz}" > "$gz.tmp"
    mv "$gz.tmp" "$gz"
  done < <(find target/site -name '*.gz' -print0)
  report_bundle_sizes
}

# What a browser downloads of the built site, file by file: its size, then its gzip and
# Brotli forms as the server sends them.
report_bundle_sizes() {
  local f
  echo "  built files (bytes; gzip bytes; Brotli bytes):"
  for f in target/site/pkg/*.wasm target/site/pkg/*.js target/site/pkg/*.css; do
    [ -f "$f" ] || continue
    printf '    %-56s %9d %9d %9d\n' "$(basename "$f")" "$(stat -c%s "$f")" \
      "$(stat -c%s "$f.gz")" "$(stat -c%s "$f.br")"
  done
}
