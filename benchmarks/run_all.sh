#!/usr/bin/env bash
# Run every benchmark in one go; the output is what benchmarks/RESULTS.md quotes.
#   benchmarks/run_all.sh           # accuracy (QEvasion, hearings, UK months), then speed
#   benchmarks/run_all.sh --full    # speed also at --n-jobs 2 for 100k pairs (~4 min more)
#   benchmarks/run_all.sh --quick   # speed at 1k and 10k pairs only
#   PYTHON=/path/to/venv/bin/python benchmarks/run_all.sh
# Reads ../shared/benchmarks/ (beside the repository); says so and skips when it is absent.
# Logs go to benchmarks/out/ (gitignored: it may hold benchmark text).
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python}"
SPEED_ARGS=()
case "${1:-}" in
    --quick) SPEED_ARGS=(--sizes 1000,10000 --train-sizes 1000,3448) ;;
    --full) SPEED_ARGS=(--full) ;;
    "") ;;
    *) echo "usage: $0 [--quick|--full]" >&2; exit 2 ;;
esac
mkdir -p benchmarks/out
start=$(date +%s)
echo "benchmarks/run_all.sh $*  ($(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs)"
"$PY" benchmarks/accuracy.py | tee benchmarks/out/accuracy.txt
"$PY" benchmarks/speed.py "${SPEED_ARGS[@]}" | tee benchmarks/out/speed.txt
echo "run_all: $(( $(date +%s) - start )) s in total"
