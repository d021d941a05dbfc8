# Sourced by scripts/test and scripts/gemmcost: gemmcost_install_missing PACKAGE... installs, from Debian's archive,
# the packages that are not installed yet (as root, or through sudo), without a question on any terminal.
gemmcost_install_missing() {
    local missing=() package sudo=()
    for package in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
            missing+=("$package")
        fi
    done
    (( ${#missing[@]} > 0 )) || return 0
    if [[ $(id -u) -ne 0 ]]; then
        if ! command -v sudo >/dev/null; then
            echo "gemmcost: ${missing[*]} missing, and installing them needs root or sudo" >&2
            return 2
        fi
        sudo=(sudo)
    fi
    echo "gemmcost: installing ${missing[*]}" >&2
    # env passes DEBIAN_FRONTEND through sudo, whose env_reset would drop it
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q &&
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}
