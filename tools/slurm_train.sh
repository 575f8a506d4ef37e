#!/usr/bin/env bash
# Training on a Slurm cluster: one task per GPU, Slurm starts them all.
#   tools/slurm_train.sh PARTITION JOB_NAME CONFIG [tools/train.py options]
# Environment: GPUS (total, default 8), GPUS_PER_NODE (default 8),
# CPUS_PER_TASK (default 5), SRUN_ARGS (extra srun options), PYTHON.
# mmengine reads Slurm's variables (--launcher slurm) to set up NCCL.
set -euo pipefail
if [ $# -lt 3 ]; then
    echo "usage: $0 PARTITION JOB_NAME CONFIG [tools/train.py options]" >&2
    exit 2
fi
partition=$1
job_name=$2
config=$3
shift 3
gpus=${GPUS:-8}
gpus_per_node=${GPUS_PER_NODE:-8}
# shellcheck disable=SC2086  # SRUN_ARGS is a list of words on purpose
exec srun -p "$partition" --job-name="$job_name" \
    --gres=gpu:"$gpus_per_node" --ntasks="$gpus" \
    --ntasks-per-node="$gpus_per_node" \
    --cpus-per-task="${CPUS_PER_TASK:-5}" --kill-on-bad-exit=1 \
    ${SRUN_ARGS:-} \
    "${PYTHON:-python}" -u "$(dirname "$0")/train.py" "$config" \
    --launcher slurm "$@"
