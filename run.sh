#!/usr/bin/env bash
# One entry point for a fresh machine: installs everything the project needs (pinned), then
#   ./run.sh demo   runs the main job against the local twin and prints a report
#   ./run.sh test   runs every test and quality gate (CI runs exactly this)
#   ./run.sh reliability   the whole fault suite, long versions included (docs/reliability.md)
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$PWD
PYTHON=${PYTHON:-python3.11}
export ANSIBLE_COLLECTIONS_PATH="$ROOT/.cache/collections"
export ANSIBLE_NOCOLOR=1 PIP_DISABLE_PIP_VERSION_CHECK=1

say() { printf '\n==> %s\n' "$*"; }

# A venv is rebuilt only when its pinned requirements change.
ensure_venv() {
    local dir=$1 requirements=$2 stamp
    stamp=$(sha256sum "$requirements" | cut -c1-16)
    if [ -f "$dir/.stamp" ] && [ "$(cat "$dir/.stamp")" = "$stamp" ]; then return; fi
    say "installing $requirements into $dir"
    rm -rf "$dir"
    "$PYTHON" -m venv "$dir"
    "$dir/bin/pip" install -q --no-deps -r "$requirements" 2> >(grep -v 'is ignored: it is neither' >&2)
    "$dir/bin/pip" check
    echo "$stamp" > "$dir/.stamp"
}

ensure_debian_packages() {
    local missing=()
    command -v kubectl >/dev/null || missing+=(kubernetes-client)
    command -v shellcheck >/dev/null || missing+=(shellcheck)
    command -v chromium >/dev/null || missing+=(chromium)  # tests/integration/test_report_html.py
    [ ${#missing[@]} -eq 0 ] && return
    say "installing Debian packages: ${missing[*]}"
    if [ "$(id -u)" -ne 0 ]; then echo "run as root or install: ${missing[*]}" >&2; exit 1; fi
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Ansible finds the collection through a link, so edits in the checkout take effect at once.
link_collection() {
    mkdir -p .cache/collections/ansible_collections/vmops
    ln -sfn "$ROOT" .cache/collections/ansible_collections/vmops/migration
}

setup() {
    # Both at once: pip mostly waits for downloads.
    ensure_venv .venv requirements/dev.txt &
    local dev_venv=$!
    ensure_venv .venv-twin requirements/twin-nova.txt
    wait "$dev_venv"
    ensure_debian_packages
    link_collection
    export PATH="$ROOT/.venv/bin:$PATH"
}

demo() {
    setup
    bash scripts/demo.sh
}

run_tests() {
    setup
    bash .ci/gates.sh
}

reliability() {
    setup
    python -m pytest tests/reliability -p no:cacheprovider
}

case "${1:-}" in
    demo) demo ;;
    test) run_tests ;;
    reliability) reliability ;;
    setup) setup ;;
    *) echo "usage: ./run.sh demo|test|reliability|setup" >&2; exit 2 ;;
esac
