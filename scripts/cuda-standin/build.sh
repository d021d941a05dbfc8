#!/usr/bin/env bash
# gemmcost's CUDA stand-in: a simulation for tests, never a measurement.
#
# Builds the stand-in libraries into OUT_DIR:
#   libcudart.so.<major>  libcublasLt.so.<major>  libcublas.so.<major>  libnvidia-ml.so.1
#
#   build.sh OUT_DIR [--major 13|12] [--lt-version N]
#
# --major        the CUDA major version to imitate (default 13): runtime version 13000 or 12080, cuBLAS
#                version 130000 or 120802
# --lt-version   make cublasLtGetVersion answer N instead of the build's cuBLAS version (a deliberately
#                mismatched cuBLASLt, for tests)
#
# Needs gcc and the CUDA toolkit's headers ($CUDA_HOME/include, default /usr/local/cuda); no driver, no GPU,
# no cuBLAS. The libraries are built in a temporary folder inside OUT_DIR and renamed into place one by one,
# so a concurrent reader sees whole files only.
set -euo pipefail

usage() {
    echo "usage: build.sh OUT_DIR [--major 13|12] [--lt-version N]" >&2
    exit 2
}

[[ $# -ge 1 && $1 != -* ]] || usage
out=$1
shift
major=13
lt_version=
while [[ $# -gt 0 ]]; do
    case $1 in
        --major)
            [[ $# -ge 2 && ( $2 == 13 || $2 == 12 ) ]] || usage
            major=$2
            shift 2
            ;;
        --lt-version)
            [[ $# -ge 2 && $2 =~ ^[0-9]+$ ]] || usage
            lt_version=$2
            shift 2
            ;;
        *)
            usage
            ;;
    esac
done

# (builtins only until gcc has been found: a bare PATH must still give the one-line message)
src=${BASH_SOURCE[0]}
[[ $src == */* ]] && here=${src%/*} || here=.
here=$(cd "$here" && pwd)
cuda_home=${CUDA_HOME:-/usr/local/cuda}
if ! command -v gcc >/dev/null 2>&1; then
    echo "cuda-standin: gcc not found" >&2
    exit 2
fi
if [[ ! -f $cuda_home/include/cuda_runtime_api.h || ! -f $cuda_home/include/library_types.h ]]; then
    echo "cuda-standin: CUDA headers not found in $cuda_home/include (set CUDA_HOME)" >&2
    exit 2
fi

if [[ $major == 13 ]]; then
    cublas_version=130000
else
    cublas_version=120802
fi
lt_version=${lt_version:-$cublas_version}

mkdir -p "$out"
tmp=$(mktemp -d "$out/.cuda-standin-build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

cflags=(-std=c11 -O2 -fPIC -Wall -Wextra -Werror -fvisibility=hidden -ffp-contract=off
    -D_POSIX_C_SOURCE=200809L -DSTANDIN_MAJOR="$major" -DSTANDIN_CUBLAS_VERSION="$cublas_version"
    -DSTANDIN_LT_VERSION="$lt_version" -I"$here" -I"$cuda_home/include")
lib() { # lib SONAME SOURCES... [-- LINK ARGS...]
    local soname=$1
    shift
    gcc "${cflags[@]}" -shared -Wl,-soname,"$soname" -Wl,--no-undefined -o "$tmp/$soname" "$@" -lpthread -lm
}

lib "libcudart.so.$major" "$here/cudart.c" "$here/devices.c"
lib "libcublasLt.so.$major" "$here/cublaslt.c"
# libcudart is bound by path at load (cublas.c): by soname, a real libcudart loaded first would be taken instead
lib "libcublas.so.$major" "$here/cublas.c" -L"$tmp" -l:"libcublasLt.so.$major" -ldl \
    -Wl,--enable-new-dtags -Wl,-rpath,'$ORIGIN'
lib "libnvidia-ml.so.1" "$here/nvml.c" "$here/devices.c"

for f in "libcudart.so.$major" "libcublasLt.so.$major" "libnvidia-ml.so.1" "libcublas.so.$major"; do
    mv -f "$tmp/$f" "$out/$f"
done
echo "cuda-standin: built CUDA $major stand-in (cuBLAS $cublas_version, cuBLASLt $lt_version) in $out"
