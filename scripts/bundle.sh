#!/usr/bin/env bash
# Builds a self-contained tarball for GPU nodes without Java: a jlink'd Temurin 25 runtime, the gemmcost jar and a
# launcher. On the node: tar xzf gemmcost-bundle-*.tar.gz && gemmcost/bin/gemmcost probe
# Usage: scripts/bundle.sh [OUT_DIR]   (default: dist/; the tarball must stay <= 60 MB)
set -euo pipefail

root=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
source "$root/scripts/lib/java.sh" || exit 2
out=$(mkdir -p "${1:-$root/dist}" && cd "${1:-$root/dist}" && pwd)
jar="$root/bench/target/gemmcost.jar"
max_bytes=$((60 * 1024 * 1024))
# java.desktop is needed only by optional parts of Jackson and commons-math3: leaving it out saves ~15 MB
modules=java.base,java.management,java.sql,jdk.unsupported

"$root/scripts/gemmcost" --version >/dev/null # builds the jar if it is missing or stale
arch=$(uname -m)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/gemmcost/bin" "$stage/gemmcost/lib"
"$JAVA_HOME/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages \
    --compress=zip-9 --output "$stage/gemmcost/runtime"
cp "$jar" "$stage/gemmcost/lib/gemmcost.jar"
cat >"$stage/gemmcost/bin/gemmcost" <<'LAUNCHER'
#!/bin/sh
# gemmcost with its own Java runtime; JCuda's natives are extracted to a private temp directory at run time.
here=$(cd "$(dirname "$0")/.." && pwd)
exec "$here/runtime/bin/java" -XX:+UseParallelGC --enable-native-access=ALL-UNNAMED -jar "$here/lib/gemmcost.jar" "$@"
LAUNCHER
chmod +x "$stage/gemmcost/bin/gemmcost"
tarball="$out/gemmcost-bundle-linux-$arch.tar.gz"
tar -czf "$tarball" -C "$stage" gemmcost
bytes=$(stat -c %s "$tarball")
if ((bytes > max_bytes)); then
    echo "bundle.sh: $tarball is $bytes bytes, over the 60 MB limit" >&2
    exit 1
fi
echo "$tarball ($((bytes / 1024 / 1024)) MB; runtime: Temurin $("$JAVA_HOME/bin/java" -version 2>&1 | head -1 | cut -d'"' -f2), modules $modules)"
