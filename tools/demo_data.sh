#!/usr/bin/env bash
# The demos' synthetic dataset, through the real data path. Shared by
# tools/run_demo.sh and tools/run_two_stream_demo.sh.
#   tools/demo_data.sh downloads RAW_DIR        synthetic Kinetics-700-2020 and
#                                               Let's Dance downloads
#   tools/demo_data.sh build RAW_DIR DATA_DIR   data_prep/build_dataset.py
# Knobs (environment): CLIPS_PER_CLASS (Kinetics train.csv clips per class,
# default 56), VAL_PER_CLASS (validate.csv, default 4), LETSDANCE_CLIPS
# (default 6), PYTHON.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python}
usage="usage: $0 downloads RAW_DIR | build RAW_DIR DATA_DIR"
step=${1:?$usage}
raw=${2:?$usage}
case "$step" in
downloads)
    # 80x80 clips, 3 s at 16 fps; every 6th Kinetics clip is missing, empty,
    # truncated, garbage or too short, as in real downloads
    "$python" data_prep/make_synthetic.py --format kinetics --layout spaces \
        --out "$raw/kinetics700" --clips-per-class "${CLIPS_PER_CLASS:-56}" \
        --val-per-class "${VAL_PER_CLASS:-4}" --size 80 --workers 2
    # 10 s frame sequences at 24/25/30 fps, 16:9, as the real ones
    "$python" data_prep/make_synthetic.py --format letsdance \
        --out "$raw/letsdance" --clips-per-class "${LETSDANCE_CLIPS:-6}" \
        --size 72x128 --workers 2
    ;;
build)
    data=${3:?$usage}
    # 80/10/10 instead of the study's 90/5/5: enough held-out clips to
    # measure
    "$python" data_prep/build_dataset.py --kinetics-root "$raw/kinetics700" \
        --letsdance-root "$raw/letsdance" --out "$data" \
        --ann-dir "$data/annotations" --short-side 64 --fps 16 \
        --split 80,10,10 --workers 2
    ;;
*)
    echo "$usage" >&2
    exit 2
    ;;
esac
