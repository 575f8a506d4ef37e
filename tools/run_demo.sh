#!/usr/bin/env bash
# The main job on the embedded synthetic dataset, start to end, through the
# real data path: synthetic Kinetics-700-2020 and Let's Dance downloads ->
# data_prep/build_dataset.py -> tools/train.py -> tools/test.py ->
# tools/predict.py on a held-out clip. Run through `make demo` (which first
# builds .venv), or directly with the environment active. Knobs
# (environment variables):
#   CLIPS_PER_CLASS  Kinetics train.csv clips per class      (default 56)
#   VAL_PER_CLASS    Kinetics validate.csv clips per class   (default 4)
#   LETSDANCE_CLIPS  Let's Dance clips per class             (default 6)
#   RAW_DIR          synthetic downloads  (default data/synthetic_raw)
#   DATA_DIR         built dataset        (default data/synthetic_dance19)
#   WORK_DIR         outputs              (default work_dirs/demo)
#   TRAIN_OPTIONS    extra config overrides, e.g. "train_cfg.max_epochs=2"
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python}
config=configs/demo/i3d_nl_dance_synthetic.py
raw=${RAW_DIR:-data/synthetic_raw}
data=${DATA_DIR:-data/synthetic_dance19}
work_dir=${WORK_DIR:-work_dirs/demo}
start=$(date +%s)

# The config's data paths, restated so that DATA_DIR can move them.
data_options=()
for split in train val test; do
    data_options+=(
        "${split}_dataloader.dataset.ann_file=$data/annotations/dance19_$split.txt"
        "${split}_dataloader.dataset.data_prefix.video=$data")
done

echo "== 1/6 synthetic Kinetics-700-2020 and Let's Dance downloads -> $raw"
PYTHON=$python tools/demo_data.sh downloads "$raw"

echo "== 2/6 build the dataset (data_prep/build_dataset.py) -> $data"
PYTHON=$python tools/demo_data.sh build "$raw" "$data"

echo "== 3/6 train I3D R50 NonLocal from scratch ($config)"
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

echo "== 4/6 test $checkpoint on held-out clips"
"$python" tools/test.py "$config" "$checkpoint" --work-dir "$work_dir" \
    --cfg-options "${data_options[@]}"

echo "== 5/6 predict the style of a held-out clip"
line=$(head -n 1 "$data/annotations/dance19_test.txt")
clip="$data/${line% *}"     # the path may contain spaces
label="${line##* }"
"$python" tools/predict.py "$config" "$checkpoint" "$clip" --top-k 3
echo "true style: $(sed -n "$((label + 1))p" annotations/label_map.txt)"

echo "== 6/6 training curves (loss and accuracy per epoch)"
"$python" tools/plot_curves.py "$work_dir" --labels demo \
    --out "$work_dir/curves.png" --md "$work_dir/curves.md"

echo "== done in $(( $(date +%s) - start )) s; outputs in $work_dir" \
     "(confusion_matrix.png, per_class_accuracy.md, curves.png, logs) and" \
     "$data" \
     "(manifest.csv, class_counts.png)"
