#!/usr/bin/env bash
# Distributed training with torchrun (PyTorch's own launcher), one process
# per GPU; on a CPU-only machine the processes train on CPU with gloo.
#   tools/dist_train.sh CONFIG GPUS [tools/train.py options]
# Several machines: run the same command on each, with
#   NNODES=2 NODE_RANK=0|1 MASTER_ADDR=<node 0's address> PORT=29500
# PYTHON picks the interpreter (default: python).
set -euo pipefail
if [ $# -lt 2 ]; then
    echo "usage: $0 CONFIG GPUS [tools/train.py options]" >&2
    exit 2
fi
config=$1
gpus=$2
shift 2
exec "${PYTHON:-python}" -m torch.distributed.run \
    --nnodes="${NNODES:-1}" --node_rank="${NODE_RANK:-0}" \
    --master_addr="${MASTER_ADDR:-127.0.0.1}" --master_port="${PORT:-29500}" \
    --nproc_per_node="$gpus" \
    "$(dirname "$0")/train.py" "$config" --launcher pytorch "$@"
