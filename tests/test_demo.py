"""The main job's script, end to end at the smallest size (the full-size run
is `make demo`; its figures are in README.md)."""
import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_demo_script_runs_every_stage(tmp_path):
    env = dict(
        os.environ, PYTHON=sys.executable, RAW_DIR=str(tmp_path / 'raw'),
        DATA_DIR=str(tmp_path / 'synthetic data'),
        WORK_DIR=str(tmp_path / 'work'), CLIPS_PER_CLASS='3',
        VAL_PER_CLASS='1', LETSDANCE_CLIPS='1',
        TRAIN_OPTIONS='train_cfg.max_epochs=1')
    proc = subprocess.run(['bash', 'tools/run_demo.sh'], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    out = proc.stdout
    for stage in range(1, 7):
        assert f'== {stage}/6' in out
    assert re.search(r'top-1:\s+[\d.]+ %', out)
    assert re.search(r'top-5:\s+[\d.]+ %', out)
    assert re.search(r'^  1\. \S.* +[\d.]+ %$', out, re.M)  # a prediction
    assert 'true style: ' in out
    assert (tmp_path / 'work' / 'confusion_matrix.png').is_file()
    assert (tmp_path / 'work' / 'curves.png').is_file()
    assert re.search(r'^\| 1 \| [\d.]+ \| [\d.]+ \| [\d.]+ \|$', out, re.M)
    # the real data path ran: manifest and chart of the built dataset
    manifest = (tmp_path / 'synthetic data' / 'manifest.csv').read_text()
    assert ',letsdance,' not in manifest and 'letsdance,' in manifest
    for status in ('missing', 'corrupt', 'too_short', 'unmapped'):
        assert f',{status},' in manifest
    assert (tmp_path / 'synthetic data' / 'class_counts.png').is_file()
