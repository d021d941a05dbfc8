#!/usr/bin/env bash
# gemmcost's CUDA stand-in: a simulation for tests, never a measurement.
#
#   smoke.sh OUT_DIR
#
# Compiles smoke.c and runs it against the stand-in built in OUT_DIR (by build.sh), in several environments;
# also builds, in a temporary folder, a stand-in of the other CUDA major and one with a mismatched cuBLASLt
# (--lt-version 1). Prints "standin smoke: N checks passed" and exits 0, or shows the failures and exits 1.
set -euo pipefail

if [[ $# -ne 1 || ! -d $1 ]]; then
    echo "usage: smoke.sh OUT_DIR (a folder build.sh has built into)" >&2
    exit 2
fi
out=$(cd "$1" && pwd)
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cuda_home=${CUDA_HOME:-/usr/local/cuda}
if [[ -f $out/libcudart.so.13 ]]; then
    major=13
    other=12
elif [[ -f $out/libcudart.so.12 ]]; then
    major=12
    other=13
else
    echo "smoke.sh: no libcudart.so.13 or .12 in $out" >&2
    exit 2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
gcc -std=c11 -O2 -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L -I"$here" -I"$cuda_home/include" \
    "$here/smoke.c" -o "$work/smoke" -ldl -lpthread -lm
"$here/build.sh" "$work/other" --major "$other" >/dev/null
"$here/build.sh" "$work/lt1" --major "$major" --lt-version 1 >/dev/null

# Every run starts from a clean environment as far as the stand-in is concerned.
clean=(-u CUDA_VISIBLE_DEVICES -u CUDA_DEVICE_ORDER -u LD_LIBRARY_PATH -u CUDA_STANDIN_DEVICES
    -u CUDA_STANDIN_MEMORY_BYTES -u CUDA_STANDIN_USED_BYTES -u CUDA_STANDIN_DRIVER_VERSION -u CUDA_STANDIN_GEMM_DELAY_MS
    -u CUDA_STANDIN_STICKY_AFTER -u CUDA_STANDIN_VIRTUAL_ABOVE_BYTES -u CUDA_STANDIN_GEMM_COMPUTE_MAX
    -u CUDA_STANDIN_TRACE -u CUDA_STANDIN_SM_MHZ -u CUDA_STANDIN_MEM_MHZ -u CUDA_STANDIN_CLOCK_EVENT_REASONS)
total=0
failed=0
# run "VAR=VALUE ..." MODE LIB_DIR MAJOR [ARGS...]
run() {
    local vars=$1
    shift
    local output
    # shellcheck disable=SC2086 # vars is a list of VAR=VALUE words
    if output=$(env "${clean[@]}" $vars "$work/smoke" "$@" 2>&1); then
        local n=${output##*$'\n'}
        n=${n%% checks passed*}
        total=$((total + n))
    else
        failed=1
        echo "smoke.sh: FAILED: ${vars:+$vars }smoke $*" >&2
        echo "$output" >&2
    fi
}

uuid0=GPU-5a7d1e00-0000-4000-8000-000000000000
uuid1=GPU-5a7d1e00-0000-4000-8000-000000000001
run "CUDA_STANDIN_TRACE=$work/trace" basic "$out" "$major" "$work/trace"
run "CUDA_STANDIN_TRACE=$work/trace-other" basic "$work/other" "$other" "$work/trace-other"
run "CUDA_STANDIN_DEVICES=2" multi "$out" "$major"
run "CUDA_STANDIN_DEVICES=2" visible "$out" "$major" 2 0000:28:00.0 0000:18:00.0
run "CUDA_STANDIN_DEVICES=2 CUDA_DEVICE_ORDER=FASTEST_FIRST" visible "$out" "$major" 2 0000:28:00.0 0000:18:00.0
run "CUDA_STANDIN_DEVICES=2 CUDA_DEVICE_ORDER=PCI_BUS_ID" visible "$out" "$major" 2 0000:18:00.0 0000:28:00.0
run "CUDA_STANDIN_DEVICES=2 CUDA_VISIBLE_DEVICES=$uuid0" visible "$out" "$major" 1 0000:18:00.0
run "CUDA_STANDIN_DEVICES=2 CUDA_VISIBLE_DEVICES=$uuid1,1" visible "$out" "$major" 2 0000:28:00.0 0000:18:00.0
run "CUDA_STANDIN_DEVICES=1 CUDA_VISIBLE_DEVICES=GPU-5a7d" visible "$out" "$major" 1 0000:18:00.0
run "CUDA_STANDIN_DEVICES=2 CUDA_VISIBLE_DEVICES=GPU-5a7d" visible "$out" "$major" 0
run "CUDA_STANDIN_DEVICES=2 CUDA_VISIBLE_DEVICES=1,0" visible "$out" "$major" 2 0000:18:00.0 0000:28:00.0
run "CUDA_STANDIN_DEVICES=2 CUDA_VISIBLE_DEVICES=1,7,0" visible "$out" "$major" 1 0000:18:00.0
run "CUDA_STANDIN_DEVICES=2 CUDA_VISIBLE_DEVICES=-1" visible "$out" "$major" 0
run "CUDA_STANDIN_DEVICES=2 CUDA_VISIBLE_DEVICES=" visible "$out" "$major" 0
run "CUDA_STANDIN_DEVICES=0" visible "$out" "$major" 0
if [[ $major == 13 ]]; then
    run "CUDA_STANDIN_DRIVER_VERSION=12040" driver "$out" 13 35
    run "CUDA_STANDIN_DRIVER_VERSION=12040" driver "$work/other" 12 0
else
    run "CUDA_STANDIN_DRIVER_VERSION=12040" driver "$out" 12 0
    run "CUDA_STANDIN_DRIVER_VERSION=12040" driver "$work/other" 13 35
fi
run "CUDA_STANDIN_STICKY_AFTER=2" sticky "$out" "$major"
run "" oob "$out" "$major"
run "CUDA_STANDIN_GEMM_DELAY_MS=300" delay "$out" "$major"
run "CUDA_STANDIN_MEMORY_BYTES=1073741824 CUDA_STANDIN_USED_BYTES=268435456 CUDA_STANDIN_VIRTUAL_ABOVE_BYTES=4096 CUDA_STANDIN_SM_MHZ=1500
    CUDA_STANDIN_MEM_MHZ=1000 CUDA_STANDIN_CLOCK_EVENT_REASONS=0x44" knobs "$out" "$major"
run "LD_LIBRARY_PATH=$work/lt1" lt "$out" "$major" mismatch
run "LD_LIBRARY_PATH=$work/lt1" lt "$out" "$major" sibling

if [[ $failed != 0 ]]; then
    echo "standin smoke: FAILED ($total checks passed in the runs that passed)" >&2
    exit 1
fi
echo "standin smoke: $total checks passed"
