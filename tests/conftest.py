"""Shared fixtures: a tiny generated dataset and one real training run.

Training is the expensive part of the suite, so one session-scoped run
(through tools/train.py, as a user would) feeds the tests of test, resume,
predict and checkpoint loading.
"""
import os
import subprocess
import sys

import pytest

from dance_style.register import register_all_modules
from dance_style.resources import REPO_ROOT as REPO

# What every tool does first; the tests that build models, datasets and
# transforms in this process need the same registries and install fixes.
register_all_modules()

TINY_CONFIG = REPO / 'tests' / 'configs' / 'tiny_nl_synthetic.py'

# Three of the 19 synthetic choreographies that differ most in motion (see
# dance_style/synthetic/choreography.py): a whole-body spin, travel round a
# circle, fast shaking of the lower legs. The "easy 3-class subset".
EASY_CLASSES = (1, 14, 17)  # breakdancing, square dancing, tap dancing
TINY_EPOCHS = 10


def run_tool(*args, check=True, timeout=900, env=None):
    """Run ``python tools/<args>`` from the repo root; returns the
    CompletedProcess with text stdout/stderr."""
    full_env = dict(os.environ)
    for key, value in (env or {}).items():  # None removes a variable
        if value is None:
            full_env.pop(key, None)
        else:
            full_env[key] = value
    full_env.setdefault('PYTHONUNBUFFERED', '1')
    proc = subprocess.run(
        [sys.executable, *map(str, args)], cwd=REPO, capture_output=True,
        text=True, timeout=timeout, env=full_env)
    if check and proc.returncode != 0:
        raise AssertionError(
            f'{args} exited {proc.returncode}\nstdout:\n{proc.stdout[-4000:]}'
            f'\nstderr:\n{proc.stderr[-4000:]}')
    return proc


@pytest.fixture(scope='session')
def easy_dataset(tmp_path_factory):
    """3 classes x (40 train, 4 val, 8 test) clips, 64x64, 32 frames."""
    from dance_style.synthetic import generate_dataset
    out = tmp_path_factory.mktemp('easy dataset')  # a space on purpose
    generate_dataset(
        out, clips_per_class=40, val_per_class=4, test_per_class=8,
        classes=list(EASY_CLASSES), size=(64, 64), num_frames=32, fps=16.0,
        seed=0, workers=2, progress=False)
    return out


@pytest.fixture(scope='session')
def trained_run(easy_dataset, tmp_path_factory):
    """One real training run of the tiny NL config through tools/train.py."""
    work_dir = tmp_path_factory.mktemp('train')
    proc = run_tool('tools/train.py', TINY_CONFIG, '--work-dir', work_dir,
                    '--seed', '0', '--data-root', easy_dataset)
    return dict(work_dir=work_dir, data=easy_dataset, stdout=proc.stdout,
                stderr=proc.stderr)


@pytest.fixture(scope='session')
def dumped(trained_run, tmp_path_factory):
    """The trained run's last checkpoint tested through tools/test.py, with
    every test video's scores dumped."""
    import re
    from pathlib import Path
    folder = tmp_path_factory.mktemp('dump')
    checkpoint = Path(trained_run['work_dir']) / f'epoch_{TINY_EPOCHS}.pth'
    proc = run_tool('tools/test.py', TINY_CONFIG, checkpoint, '--work-dir',
                    folder, '--dump', folder / 'scores.npz', '--data-root',
                    trained_run['data'])
    top1 = float(re.search(r'top-1:\s+([\d.]+) %', proc.stdout).group(1))
    return dict(path=folder / 'scores.npz', top1=top1, data=trained_run[
        'data'], checkpoint=checkpoint)
