#!/usr/bin/env bash
# The main job, run by ./run.sh demo after set-up: plan a drain of two hosts of the example
# cluster and print the plan summary and the first moves.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p reports
python scripts/vmops-plan docs/examples/snapshot-10x60.json --workflow drain --hosts compute-1,compute-2 > reports/plan.json
python - <<'PY'
import json
plan = json.load(open("reports/plan.json"))
for move in plan["moves"][:10]:
    print("  wave %(wave)2d  %(instance)s  %(source)s -> %(target)s  %(type)s  ~%(estimated_seconds).0f s" % move)
print("plan written to reports/plan.json")
PY
