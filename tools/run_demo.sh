#!/usr/bin/env bash
# The main job on the embedded synthetic dataset, start to end:
# data -> tools/train.py -> tools/test.py -> tools/predict.py on a held-out
# clip. Run through `make demo` (which first builds .venv), or directly with
# the environment active. Knobs (environment variables):
#   CLIPS_PER_CLASS  training clips per class   (default 40)
#   VAL_PER_CLASS, TEST_PER_CLASS               (default 5 each)
#   DATA_DIR         synthetic dataset folder   (default data/synthetic)
#   WORK_DIR         output folder              (default work_dirs/demo)
#   TRAIN_OPTIONS    extra config overrides for training, e.g. "train_cfg.max_epochs=2"
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python}
config=configs/demo/i3d_nl_dance_synthetic.py
data=${DATA_DIR:-data/synthetic}
work_dir=${WORK_DIR:-work_dirs/demo}
start=$(date +%s)

# The config's data paths, restated so that DATA_DIR can move them.
data_options=()
for split in train val test; do
    data_options+=(
        "${split}_dataloader.dataset.ann_file=$data/annotations/dance19_$split.txt"
        "${split}_dataloader.dataset.data_prefix.video=$data/videos")
done

echo "== 1/4 synthetic dance clips -> $data"
"$python" data_prep/make_synthetic.py --out "$data" \
    --clips-per-class "${CLIPS_PER_CLASS:-40}" \
    --val-per-class "${VAL_PER_CLASS:-5}" \
    --test-per-class "${TEST_PER_CLASS:-5}" --workers 2

echo "== 2/4 train I3D R50 NonLocal from scratch ($config)"
# shellcheck disable=SC2086  # TRAIN_OPTIONS is a list of words on purpose
"$python" tools/train.py "$config" --work-dir "$work_dir" \
    --cfg-options "${data_options[@]}" ${TRAIN_OPTIONS:-}

# the best by validation top-1, or the last one when training ran without
# validation (|| true: under pipefail a glob that matches nothing would stop
# the script here)
checkpoint=$(ls -t "$work_dir"/best_*.pth 2>/dev/null | head -n 1 || true)
if [ -z "$checkpoint" ]; then
    checkpoint=$(cat "$work_dir/last_checkpoint")
fi

echo "== 3/4 test $checkpoint on held-out clips"
"$python" tools/test.py "$config" "$checkpoint" --work-dir "$work_dir" \
    --cfg-options "${data_options[@]}"

echo "== 4/4 predict the style of a held-out clip"
line=$(head -n 1 "$data/annotations/dance19_test.txt")
clip="$data/videos/${line% *}"     # the path may contain spaces
label="${line##* }"
"$python" tools/predict.py "$config" "$checkpoint" "$clip" --top-k 3
echo "true style: $(sed -n "$((label + 1))p" annotations/label_map.txt)"

echo "== done in $(( $(date +%s) - start )) s; outputs in $work_dir" \
     "(confusion_matrix.png, per_class_accuracy.md, logs)"
