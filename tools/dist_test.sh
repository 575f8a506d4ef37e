#!/usr/bin/env bash
# Distributed testing with torchrun, one process per GPU (CPU: gloo).
#   tools/dist_test.sh CONFIG CHECKPOINT GPUS [tools/test.py options]
# NNODES, NODE_RANK, MASTER_ADDR, PORT and PYTHON as in dist_train.sh.
set -euo pipefail
if [ $# -lt 3 ]; then
    echo "usage: $0 CONFIG CHECKPOINT GPUS [tools/test.py options]" >&2
    exit 2
fi
config=$1
checkpoint=$2
gpus=$3
shift 3
exec "${PYTHON:-python}" -m torch.distributed.run \
    --nnodes="${NNODES:-1}" --node_rank="${NODE_RANK:-0}" \
    --master_addr="${MASTER_ADDR:-127.0.0.1}" --master_port="${PORT:-29500}" \
    --nproc_per_node="$gpus" \
    "$(dirname "$0")/test.py" "$config" "$checkpoint" --launcher pytorch "$@"
