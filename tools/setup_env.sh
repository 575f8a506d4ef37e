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
# --no-compile, then one compileall on every core at the end: pip compiles
# on one core (measured 2026-12-05 on 2 cores, into two new environments
# side by side: this whole setup 57 s, against 68 s with pip compiling).
# The compiled files must exist: nothing else writes them where
# PYTHONDONTWRITEBYTECODE is set, and every tool would then compile torch
# and mmaction anew at each start (the check at the end).
"${pip[@]}" install -q --no-compile -r "$requirements"

# mmengine and mmcv-lite pull opencv-python, mmaction2 wants
# opencv-contrib-python; both write the same cv2/ folder, so the last one
# installed wins and removing either one breaks cv2. Keep exactly one:
# remove the plain package, then lay contrib's files down again.
contrib=$(grep -E '^opencv-contrib-python==' "$requirements" | cut -d' ' -f1)
if "$venv/bin/python" -m pip show -q opencv-python >/dev/null 2>&1; then
    "${pip[@]}" uninstall -q -y opencv-python
    "${pip[@]}" install -q --no-compile --no-deps --force-reinstall "$contrib"
fi
"$venv/bin/python" -m pip install -q --no-compile --no-deps -e . >/dev/null
# as pip does, skip the few files this Python cannot compile (torch ships
# test helpers in Python 3.12 syntax): compileall exits 1 for them
site=$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
"$venv/bin/python" -m compileall -q -j 0 "$site" >/dev/null || true
"$venv/bin/python" - <<'PY'
import importlib.metadata as md
import importlib.util
import os

import cv2
import mmaction
import torch

names = {d.metadata['Name'].lower() for d in md.distributions()}
opencv = sorted(n for n in names if n.startswith('opencv'))
assert opencv == ['opencv-contrib-python'], f'expected only contrib, got {opencv}'
assert hasattr(cv2, 'optflow'), 'cv2 lacks the contrib modules'
for module in (torch, mmaction):
    cached = importlib.util.cache_from_source(module.__file__)
    assert os.path.isfile(cached), f'compileall left {module.__name__} uncompiled'
print(f'environment ready: {opencv[0]} {cv2.__version__}')
PY
