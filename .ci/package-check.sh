#!/usr/bin/env bash
# Packaging: `cargo package --workspace` must succeed, and a crate OUTSIDE the workspace must
# build against the packaged library crates and run against the emulator. The `.crate` files are
# unpacked into a temporary directory and patched in for crates.io, as a service taking them
# from an internal registry would see them: only what the packages carry, no path into this
# workspace (so a spec or file left out of a package fails here).
#
# `--no-verify`: verification would build each package alone; the outside crate below builds
# all six library packages (codegen, TLS, api with its build script and packed spec, e164,
# telnyx-reputation, the emulator) from the unpacked files anyway, and runs them.
set -euo pipefail
cd "$(dirname "$0")/.."

target="${CARGO_TARGET_DIR:-$PWD/target}"
case "$target" in /*) ;; *) target="$PWD/$target" ;; esac
# The outside crate shares the target dir, so a dependency the tests built with the same features
# is not built again. At 551f574 this step still compiled 52 crates in 1m 19s: the six packages,
# this one, and 45 dependencies. The workspace turns on features a service would not (tokio's
# test-util and process, serde_json's unbounded_depth, log's std, ...), and a crate built with
# other features is built again here, with every crate that depends on it.
export CARGO_TARGET_DIR="$target"

# --allow-dirty: the check is on what the packages carry, also for uncommitted work run locally.
cargo package --workspace --no-verify --allow-dirty --quiet

version="$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)"
outside="$(mktemp -d)"
trap 'rm -rf "$outside"' EXIT
mkdir -p "$outside/packages" "$outside/src"
patch=""
for name in telnyx-reputation-codegen telnyx-reputation-tls telnyx-reputation-api telnyx-e164 \
  telnyx-reputation telnyx-reputation-mock; do
  crate="$target/package/$name-$version.crate"
  tar -xzf "$crate" -C "$outside/packages"
  patch+="$name = { path = \"packages/$name-$version\" }"$'\n'
done
# The packaged api crate must carry the spec it generates the client from.
test -s "$outside/packages/telnyx-reputation-api-$version/spec/phone-numbers.yml"

cat > "$outside/Cargo.toml" <<TOML
[package]
name = "package-check"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
telnyx-reputation = "$version"
telnyx-reputation-mock = "$version"
tokio = { version = "1", features = ["macros", "rt-multi-thread"] }

[patch.crates-io]
$patch
[workspace]

# The workspace's dev profile, so that the dependencies it built are used as they are.
[profile.dev]
debug = "line-tables-only"

[profile.dev.package."*"]
debug = false

[profile.dev.package.curve25519-dalek]
opt-level = 3
TOML
cp .ci/package-check/main.rs "$outside/src/main.rs"
# The workspace's lock pins the outside crate's dependencies to the versions already built.
cp Cargo.lock "$outside/Cargo.lock"

(cd "$outside" && cargo run --quiet)
