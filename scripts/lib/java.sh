# Sourced by scripts/gemmcost and .ci/run (and by hand: `source scripts/lib/java.sh`):
# selects a JDK whose major version is >= 25 and exports JAVA_HOME and PATH.
# Looks at $JAVA_HOME, then every JDK beside the default `java` (e.g. /usr/lib/jvm/*), newest first.
# Returns 2 with a one-line message when there is none.

gemmcost_java_major() { # JDK home -> major version from its `release` file, or nothing
    [[ -x "$1/bin/java" && -r "$1/release" ]] || return 0
    sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release"
}

gemmcost_select_jdk() {
    local min=25 best="" best_major=0 dir major java_bin
    major=$(gemmcost_java_major "${JAVA_HOME:-/nonexistent}")
    if [[ -n "$major" ]] && (( major >= min )); then
        best=$JAVA_HOME
    else
        java_bin=$(command -v java || true)
        if [[ -n "$java_bin" ]]; then
            # <jdks>/<jdk>/bin/java -> <jdks>
            for dir in "$(dirname "$(dirname "$(dirname "$(readlink -f "$java_bin")")")")"/*/; do
                dir=${dir%/}
                major=$(gemmcost_java_major "$dir")
                if [[ -n "$major" ]] && (( major >= min && major > best_major )); then
                    best=$dir best_major=$major
                fi
            done
        fi
    fi
    if [[ -z "$best" ]]; then
        echo "gemmcost: no JDK $min or newer found (looked at JAVA_HOME and beside the default java); install one or set JAVA_HOME" >&2
        return 2
    fi
    export JAVA_HOME=$best
    export PATH="$JAVA_HOME/bin:$PATH"
}

if gemmcost_select_jdk; then
    unset -f gemmcost_java_major gemmcost_select_jdk
else
    unset -f gemmcost_java_major gemmcost_select_jdk
    return 2
fi
