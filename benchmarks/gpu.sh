#!/usr/bin/env bash
# Everything only a GPU can measure, in at most 10 minutes of wall time, written to ONE JSON file:
#   1. bench_training on CUDA: the seeds' DataLoader loop against fer_bench's TorchClassifier (images/s, ratio);
#   2. the `full` profile (the seed recipe) for every network on the real FER-2013, timings synchronised with
#      the GPU, each network under a time limit that fits them all in the budget (status timed_out past it).
# Every step runs under `timeout`; a step that fails is recorded in the JSON with its exit status, and the
# script goes on. Nothing here estimates a number: what did not run is null.
#
# Usage (from the repository root, with the project's environment active):
#   FER2013=/path/to/fer2013.csv.gz benchmarks/gpu.sh [OUT.json]     # default OUT.json: ${OUT:-.}/gpu.json
#   benchmarks/gpu.sh --dry-run [OUT.json]    # CPU, synthetic faces, smoke profile, one tiny network: checks the
#                                             # script end to end in a minute or two and measures nothing
set -uo pipefail

DRY_RUN=0
if [[ "${1:-}" == "--dry-run" ]]; then
  DRY_RUN=1
  shift
fi
RESULT="${1:-${OUT:-.}/gpu.json}"
BUDGET=600                  # seconds for the whole script
RESERVE=120                 # the summary, the run's start-up (data, audit) and each network's child start (imports)
WORK="$(dirname "$RESULT")/gpu-work"
RUN_DIR="$WORK/run-full"
mkdir -p "$WORK"
rm -rf "$RUN_DIR"

fail() { echo "benchmarks/gpu.sh: $*" >&2; exit 2; }

if (( DRY_RUN )); then
  DEVICE=cpu
  BENCH_ARGS=(--device cpu --steps 2 --repeats 1 --batch-size 16 --width 0.25)
  RUN_ARGS=(--profile smoke)
  NETWORKS=(shallow_cnn)
else
  DEVICE=cuda
  FER2013="${FER2013:-data/fer2013.csv.gz}"
  [[ -f "$FER2013" ]] || fail "FER2013=$FER2013: no such file; set FER2013 to the real fer2013.csv[.gz]"
  timeout 60 python -c "import sys, torch; sys.exit(0 if torch.cuda.is_available() else 2)" \
    || fail "no CUDA GPU here (torch.cuda.is_available() is False, or torch is missing); nothing measured"
  BENCH_ARGS=(--device cuda)
  RUN_ARGS=(--profile full --data "$FER2013")
  read -r -a NETWORKS <<< "$(timeout 120 python -c "from fer_bench.estimators import available_estimators
print(' '.join(name for name, spec in available_estimators().items() if spec.family == 'network'))")"
  (( ${#NETWORKS[@]} )) || fail "no network estimator registered (is fer_bench importable from $PWD?)"
fi

STEPS=()
step() {  # [STEP_LOG=FILE] step NAME LIMIT_SECONDS COMMAND...: run under timeout, record exit status and seconds
  local name=$1 limit=$2 started=$SECONDS status
  shift 2
  if [[ -n "${STEP_LOG:-}" ]]; then
    timeout -s INT -k 20 "$limit" "$@" > "$STEP_LOG" 2>&1
  else
    timeout -s INT -k 20 "$limit" "$@"
  fi
  status=$?
  STEPS+=(--step "$name" "$status" "$(( SECONDS - started ))")
  echo "benchmarks/gpu.sh: step $name ended with exit status $status after $(( SECONDS - started )) s" >&2
}

STEP_LOG="$WORK/bench_training.txt" step bench_training 150 python -m benchmarks.bench_training "${BENCH_ARGS[@]}"

LEFT=$(( BUDGET - SECONDS - RESERVE ))
PER_NETWORK=$(( LEFT / ${#NETWORKS[@]} ))
(( PER_NETWORK >= 10 )) || fail "only $LEFT s left for ${#NETWORKS[@]} networks; nothing more fits in $BUDGET s"
echo "benchmarks/gpu.sh: ${#NETWORKS[@]} networks on $DEVICE, at most $PER_NETWORK s each: ${NETWORKS[*]}" >&2
step run_full $(( BUDGET - SECONDS - 15 )) python -m fer_bench run "${NETWORKS[@]}" "${RUN_ARGS[@]}" \
  --save-models none --quiet --time-limit "$PER_NETWORK" --out "$RUN_DIR"

SUMMARY_ARGS=(--out "$RESULT" --bench "$WORK/bench_training.txt" --run "$RUN_DIR" "${STEPS[@]}")
(( DRY_RUN )) && SUMMARY_ARGS+=(--dry-run)
timeout 60 python -m benchmarks.gpu_summary "${SUMMARY_ARGS[@]}" || fail "the summary step failed; see $WORK"
echo "benchmarks/gpu.sh: done in $SECONDS s" >&2
