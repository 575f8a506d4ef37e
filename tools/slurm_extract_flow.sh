#!/usr/bin/env bash
# Optical flow of a whole dataset on a Slurm cluster, one shard per array
# task (data_prep/extract_flow.py --shard K/N), then one job that writes the
# annotation lists once every shard has succeeded:
#   tools/slurm_extract_flow.sh PARTITION SHARDS [extract_flow.py options]
# e.g. tools/slurm_extract_flow.sh cpu 16 --root data/dance19 --method tvl1
# Each task runs with --workers $CPUS_PER_TASK unless the options set it.
# A failed or killed task can be resubmitted alone (sbatch --array=K ...):
# its finished clips are skipped.
# Environment: CPUS_PER_TASK (default 32), TIME (per task, default 24:00:00),
# SBATCH_ARGS (extra sbatch options), PYTHON.
set -euo pipefail

# Inside the jobs: this script, spooled by sbatch, is called with the
# repository's path (its own is the spool's copy) and a mode.
if [ "${1:-}" = --run-shard ] || [ "${1:-}" = --run-lists ]; then
    mode=$1
    repo=$2
    shards=$3
    shift 3
    extract=("${PYTHON:-python}" -u "$repo/data_prep/extract_flow.py"
             --workers "${SLURM_CPUS_PER_TASK:-1}" --no-progress)
    if [ "$mode" = --run-lists ]; then
        exec "${extract[@]}" "$@"
    fi
    # --array=1-N or 0-(N-1): shard K = the task's place in the array
    index=$((SLURM_ARRAY_TASK_ID - ${SLURM_ARRAY_TASK_MIN:-1} + 1))
    exec "${extract[@]}" --shard "$index/$shards" "$@"
fi

if [ $# -lt 2 ]; then
    echo "usage: $0 PARTITION SHARDS [data_prep/extract_flow.py options]" >&2
    exit 2
fi
partition=$1
shards=$2
shift 2
case $shards in
    '' | *[!0-9]* | 0)
        echo "SHARDS must be a positive whole number, got '$shards'" >&2
        exit 2 ;;
esac
repo=$(cd "$(dirname "$0")/.." && pwd)
script=$repo/tools/slurm_extract_flow.sh
cpus=${CPUS_PER_TASK:-32}
common=(-p "$partition" --cpus-per-task="$cpus" --ntasks=1
        --time="${TIME:-24:00:00}")
# shellcheck disable=SC2086  # SBATCH_ARGS is a list of words on purpose
array=$(sbatch --parsable "${common[@]}" --job-name=flow-shards \
    --array=1-"$shards" ${SBATCH_ARGS:-} \
    "$script" --run-shard "$repo" "$shards" "$@")
array=${array%%;*}  # --parsable prints "id" or "id;cluster"
# shellcheck disable=SC2086
lists=$(sbatch --parsable "${common[@]}" --job-name=flow-lists \
    --dependency=afterok:"$array" ${SBATCH_ARGS:-} \
    "$script" --run-lists "$repo" "$shards" "$@")
echo "submitted: shards job array $array (1-$shards), then lists job" \
    "${lists%%;*} after all shards succeed"
