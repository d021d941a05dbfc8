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

version=$("$root/scripts/gemmcost" --version) # builds the jar if it is missing or stale
# the tables a bundle writes record the commit its jar was built from: refuse a jar of another commit (bench built
# alone against an older installed analyzer: the first H200 table says ef77dda-dirty for this reason)
built=$(sed -n 's/.*(git \([0-9a-f]*\).*/\1/p' <<<"$version")
head=$(git -C "$root" rev-parse --short=7 HEAD 2>/dev/null || true)
if [[ -n "$head" && "${built:0:7}" != "${head:0:7}" ]]; then
    echo "bundle.sh: $jar records git commit '${built:-unknown}', the tree is at $head: rebuild at the root first" \
        "(mvn -o -q -B -DskipTests package)" >&2
    exit 1
fi
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
# tried before it is packed: a module jlink left out shows here, not on the GPU node
if ! version=$("$stage/gemmcost/bin/gemmcost" --version 2>&1); then
    echo "bundle.sh: the bundle does not run: $version" >&2
    exit 1
fi
tarball="$out/gemmcost-bundle-linux-$arch.tar.gz"
tar -czf "$tarball" -C "$stage" gemmcost
bytes=$(stat -c %s "$tarball")
if ((bytes > max_bytes)); then
    echo "bundle.sh: $tarball is $bytes bytes, over the 60 MB limit" >&2
    exit 1
fi
echo "$tarball ($((bytes / 1024 / 1024)) MB; runtime: Temurin $("$JAVA_HOME/bin/java" -version 2>&1 | head -1 | cut -d'"' -f2), modules $modules)"
