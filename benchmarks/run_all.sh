#!/usr/bin/env bash
# Run every benchmark in one go; the output is what benchmarks/RESULTS.md quotes.
#   benchmarks/run_all.sh            # accuracy (QEvasion, hearings, UK months), then speed
#   PYTHON=/path/to/python benchmarks/run_all.sh --quick    # speed at 1k and 10k pairs only
# Reads ../shared/benchmarks/ (beside the repository); says so and skips when it is absent.
# Full logs go to benchmarks/out/ (gitignored).
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python}"
SPEED_ARGS=()
if [[ "${1:-}" == "--quick" ]]; then
    SPEED_ARGS=(--sizes 1000,10000 --train-sizes 1000,3448)
fi
mkdir -p benchmarks/out
start=$(date +%s)
echo "benchmarks/run_all.sh $*  ($(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs)"
"$PY" benchmarks/accuracy.py | tee benchmarks/out/accuracy.txt
"$PY" benchmarks/speed.py "${SPEED_ARGS[@]}" | tee benchmarks/out/speed.txt
echo "run_all: $(( $(date +%s) - start )) s in total"
