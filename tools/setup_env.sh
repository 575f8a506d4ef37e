#!/usr/bin/env bash
# Create (or update) a virtual environment with the pinned stack: every pin
# of requirements.txt (the package's dependencies and all its extras), then
# the package itself, editable, which is how every tool, test and config
# imports dance_style (nothing edits sys.path).
# Usage: tools/setup_env.sh [VENV_DIR]
set -euo pipefail
venv=${1:-.venv}
requirements=requirements.txt
python=${PYTHON:-python3}

if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
fi
pip=("$venv/bin/python" -m pip --disable-pip-version-check)
"${pip[@]}" install -q --upgrade pip
"${pip[@]}" install -q -r "$requirements"

# mmengine and mmcv-lite pull opencv-python, mmaction2 wants
# opencv-contrib-python; both write the same cv2/ folder, so the last one
# installed wins and removing either one breaks cv2. Keep exactly one:
# remove the plain package, then lay contrib's files down again.
contrib=$(grep -E '^opencv-contrib-python==' "$requirements" | cut -d' ' -f1)
if "$venv/bin/python" -m pip show -q opencv-python >/dev/null 2>&1; then
    "${pip[@]}" uninstall -q -y opencv-python
    "${pip[@]}" install -q --no-deps --force-reinstall "$contrib"
fi
"$venv/bin/python" -m pip install -q --no-deps -e . >/dev/null
"$venv/bin/python" - <<'PY'
import importlib.metadata as md
import cv2
names = {d.metadata['Name'].lower() for d in md.distributions()}
opencv = sorted(n for n in names if n.startswith('opencv'))
assert opencv == ['opencv-contrib-python'], f'expected only contrib, got {opencv}'
assert hasattr(cv2, 'optflow'), 'cv2 lacks the contrib modules'
print(f'environment ready: {opencv[0]} {cv2.__version__}')
PY
