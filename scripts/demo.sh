#!/usr/bin/env bash
# The main job, run by ./run.sh demo after set-up: start a local Nova twin (6 computes, 40
# servers), drain compute-1 with playbooks/drain_compute.yml (progress and report printed), run it
# a second time to show there is nothing left to do, then stop the twin.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
STATE=$ROOT/.cache/demo-twin
export OS_CLIENT_CONFIG_FILE=$STATE/clouds.yaml
export VMOPS_REPORT_DIR=$ROOT/reports
export VMOPS_PROGRESS_FILE=$STATE/progress.jsonl
export ANSIBLE_CONFIG=$ROOT/playbooks/ansible.cfg

twin() { "$ROOT/.venv-twin/bin/python" -m twin.nova "$@"; }

if [ -f "$STATE/twin.json" ]; then twin down --state-dir "$STATE" || true; fi
rm -rf "$STATE" && mkdir -p "$STATE" "$VMOPS_REPORT_DIR"
printf '\n==> starting the Nova twin (6 computes, 40 servers)\n'
twin up --computes 6 --servers 40 --time-factor 50 --state-dir "$STATE" --detach
trap 'twin down --state-dir "$STATE" >/dev/null 2>&1 || true' EXIT

drain() {
    ansible-playbook playbooks/drain_compute.yml -e vmops_cloud=vmops-twin -e '{"drain_hosts": ["compute-1"]}'
}
printf '\n==> draining compute-1\n'
drain
printf '\n==> the same command again: nothing left to do\n'
drain | tee "$STATE/second-run.log"
grep -q 'changed=0' "$STATE/second-run.log"
printf '\n==> reports in %s:\n' "$VMOPS_REPORT_DIR"
ls -1 "$VMOPS_REPORT_DIR"
