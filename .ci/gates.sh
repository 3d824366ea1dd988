#!/usr/bin/env bash
# Every test and quality gate. Called by ./run.sh test after set-up (venvs, Debian packages,
# collection link); the pytest lanes' summaries are the closing lines. Steps that mostly wait for a
# twin run beside others (the machine has two cores): the static gates beside the benchmarks and
# molecule, then the reliability subset beside the other tests.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
WORK=$ROOT/.cache/ci
rm -rf "$WORK" && mkdir -p "$WORK"

step() { printf '\n==> [%d s] %s\n' "$SECONDS" "$*"; }

static_gates() {
    step "collection build, install into an empty path, ansible-doc"
    ansible-galaxy collection build --force --output-path "$WORK" >/dev/null
    # Only the empty path is configured here, or ansible-galaxy finds the checkout's link and installs nothing.
    ANSIBLE_COLLECTIONS_PATH="$WORK/installed" ansible-galaxy collection install "$WORK"/vmops-migration-*.tar.gz -p "$WORK/installed" >/dev/null
    for kind in module filter; do
        for plugin in $(ANSIBLE_COLLECTIONS_PATH="$WORK/installed" ansible-doc -t "$kind" -l vmops.migration | awk '{print $1}'); do
            ANSIBLE_COLLECTIONS_PATH="$WORK/installed" ansible-doc -t "$kind" "$plugin" >/dev/null
        done
    done
    ANSIBLE_COLLECTIONS_PATH="$WORK/installed" ansible-doc -t filter vmops.migration.live_migration_blockers | head -3

    step "changelog fragments"
    antsibull-changelog lint

    step "ansible-test sanity"
    # The sanity tree holds what the collection ships plus its unit tests; the twins, benchmarks,
    # integration and reliability tests are development tools outside the built collection (galaxy.yml build_ignore).
    # Outside the checkout: inside it, ansible-test would list files with git, which ignores .cache/.
    SANITY_ROOT=$(mktemp -d)
    trap 'rm -rf "$SANITY_ROOT"' EXIT
    SANITY=$SANITY_ROOT/ansible_collections/vmops/migration
    mkdir -p "$SANITY"
    git ls-files -co --exclude-standard | grep -v -E '^(twin|benchmarks|tests/(twin|integration|reliability|fixtures))/' \
        | tar -cf - -T - | tar -xf - -C "$SANITY"
    # ansible-test fetches its pip bootstrap from a host these machines cannot reach.
    mkdir -p ~/.ansible/test/cache
    cp .ci/get_pip_offline.py ~/.ansible/test/cache/get_pip_24_2.py
    sanity_status=0
    (cd "$SANITY" && ansible-test sanity --local --python 3.11 --color no) > "$WORK/sanity.log" 2>&1 || sanity_status=$?
    grep -v -E '^(WARNING: (Location|Using locale|Required program)|Requirement already|\s+━|  Attempting|    (Found|Uninstalling))' \
        "$WORK/sanity.log" || true
    if grep -q 'All targets skipped' "$WORK/sanity.log"; then echo "ansible-test sanity saw no files" >&2; exit 1; fi
    [ "$sanity_status" -eq 0 ]

    step "ansible-lint (production profile)"
    ansible-lint roles playbooks

    step "docs: antsibull-docs lint-collection-docs --plugin-docs"
    bash docs/build.sh lint

    step "docs: docsite build (antsibull-docs RST, Sphinx HTML, offline)"
    bash docs/build.sh html
}

# The static gates need no twin: they run beside the benchmarks and molecule, which mostly wait for theirs.
static_gates > "$WORK/static.log" 2>&1 &
static_lane=$!

step "benchmarks, small versions (they must still run and find no violation)"
python benchmarks/plan_scale.py --quick
python benchmarks/plan_quality.py --quick
python benchmarks/drain_makespan.py --quick --per-host 5
python benchmarks/overhead.py --quick

step "molecule: the drain_node role converges, is idempotent and verifies against a Nova twin"
(cd extensions && molecule test -s drain_node)

step "static gates (run beside the two steps above): build, ansible-doc, changelog, sanity, ansible-lint, docs"
static_status=0
wait "$static_lane" || static_status=$?
cat "$WORK/static.log"
[ "$static_status" -eq 0 ]

step "pytest in two lanes at once: the fast subset of the reliability suite | unit, twins, integration"
# Both lanes mostly wait for their twins' simulated migrations, so together they take little longer
# than the longer one alone. The seed cache is safe to share: a seed is saved under its name atomically.
pytest_lane() {
    local name=$1
    shift
    python -m pytest "$@" -q -p no:cacheprovider --durations=15 > "$WORK/pytest-$name.log" 2>&1
}
pytest_lane reliability tests/reliability -m "not full" &
reliability_lane=$!
main_status=0
pytest_lane main tests/unit tests/twin tests/integration || main_status=$?
reliability_status=0
wait "$reliability_lane" || reliability_status=$?
cat "$WORK/pytest-reliability.log" "$WORK/pytest-main.log"
printf '\npytest reliability lane: %s\npytest main lane: %s\n' \
    "$(tail -n 1 "$WORK/pytest-reliability.log")" "$(tail -n 1 "$WORK/pytest-main.log")"
[ "$main_status" -eq 0 ] && [ "$reliability_status" -eq 0 ]
