"""Fixtures and hooks: a tiny generated dataset, one real training run
and its score dump; which tests are slow and the order files run in.
Helpers live in tests/support/ (``from support import ...``), never here.

Training is the expensive part of the suite, so one session-scoped run
(through tools/train.py, as a user would) feeds the tests of test, resume,
predict and checkpoint loading.

The suite runs on every core with pytest-xdist (``make test``: ``-n auto
--dist loadfile --no-loadscope-reorder``, at most 4 workers): each file
runs on one worker, so its module fixtures are built once; the session
fixtures that several files use (the dataset, the training run) are built
once per session by whichever worker asks first, under a file lock
(support/shared.py), and read by the others. OpenMP threads sleep while
they wait (below). The tools run in processes forked from a server that
has imported the heavy libraries once (support/tools.py, run_tool).
"""
import os
import re
from pathlib import Path

# Before torch loads OpenMP: under xdist two workers (and the tools they
# start, through the environment) share the cores. OpenMP threads that wait
# by spinning then starve each other: two 2-epoch trainings side by side on
# 2 cores took 308 s with 2 spinning threads each, 69 s with 1 thread each
# and 60 s with 2 threads that sleep while they wait (one alone: 45 s).
if os.environ.get('PYTEST_XDIST_WORKER'):
    os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')

# The bf16 check's verdicts (dance_style/bf16_check.py) in a folder of this
# run, not the user's ~/.cache: every run checks this CPU anew.
if not os.environ.get('DANCE_STYLE_CACHE_DIR'):
    import tempfile
    os.environ['DANCE_STYLE_CACHE_DIR'] = tempfile.mkdtemp(
        prefix='dance_style_cache_')
# Checkpoint downloads (dance_style.download) into a torch hub folder of this
# run: the tests serve their own checkpoints and must never find (or leave)
# one in the user's cache.
if not os.environ.get('DANCE_STYLE_TEST_TORCH_HOME'):
    import tempfile
    os.environ['DANCE_STYLE_TEST_TORCH_HOME'] = os.environ['TORCH_HOME'] = \
        tempfile.mkdtemp(prefix='dance_style_torch_home_')

import pytest  # noqa: E402

from dance_style.register import register_all_modules  # noqa: E402
from support import (EASY_CLASSES, REPO, TINY_CONFIG,  # noqa: E402
                     TINY_EPOCHS, TWO_TEST_VIEWS, run_tool, slow_fixture)
from support.shared import shared  # noqa: E402
from support.slow import mark_slow, slow_files_first  # noqa: E402

# What every tool does first; the tests that build models, datasets and
# transforms in this process need the same registries and install fixes.
register_all_modules()

MAX_WORKERS = 4  # more would wait on the shared fixtures, and need memory


@pytest.hookimpl(optionalhook=True)  # pytest without xdist: not called
def pytest_xdist_auto_num_workers(config):
    """``-n auto``: one worker per core, at most MAX_WORKERS."""
    return max(1, min(os.cpu_count() or 1, MAX_WORKERS))


def pytest_collection_modifyitems(config, items):
    # the marks first: the order counts them
    mark_slow(items)
    slow_files_first(items)


@pytest.fixture(autouse=True)
def repo_annotations_untouched():
    """Tests write datasets under tmp_path, never the repository's
    annotations/dance19_*.txt: the configs read those lists, and a stray
    one misleads later tests (and a user) about where the data is. A build
    into the default root, data/dance19, writes them there
    (dance_style.resources.split_lists_dir)."""
    before = set(REPO.glob('annotations/dance19_*.txt'))
    yield
    stray = set(REPO.glob('annotations/dance19_*.txt')) - before
    assert not stray, f'this test wrote {sorted(map(str, stray))}'


@slow_fixture(scope='session')
def easy_dataset(tmp_path_factory):
    """3 classes x (40 train, 4 val, 8 test) clips, 64x64, 32 frames."""
    def build(folder):
        from dance_style.synthetic import generate_dataset
        out = folder / 'easy dataset'  # a space on purpose
        generate_dataset(
            out, clips_per_class=40, val_per_class=4, test_per_class=8,
            classes=list(EASY_CLASSES), size=(64, 64), num_frames=32,
            fps=16.0, seed=0, workers=2, progress=False)
        return out
    return shared(tmp_path_factory, 'easy dataset', build)


@slow_fixture(scope='session')
def trained_run(easy_dataset, tmp_path_factory):
    """One real training run of the tiny NL config through tools/train.py."""
    def build(work_dir):
        # a bare interpreter, as a user's first command: the one training
        # run of the suite that pays for its imports (run_tool's fresh)
        proc = run_tool('tools/train.py', TINY_CONFIG, '--work-dir',
                        work_dir, '--seed', '0', '--data-root', easy_dataset,
                        fresh=True)
        return dict(work_dir=work_dir, data=easy_dataset,
                    stdout=proc.stdout, stderr=proc.stderr)
    return shared(tmp_path_factory, 'trained run', build)


@slow_fixture(scope='session')
def dumped(trained_run, tmp_path_factory):
    """The trained run's last checkpoint tested through tools/test.py, with
    every test video's scores dumped."""
    def build(folder):
        checkpoint = Path(trained_run['work_dir']) / f'epoch_{TINY_EPOCHS}.pth'
        proc = run_tool('tools/test.py', TINY_CONFIG, checkpoint,
                        '--work-dir', folder, '--dump',
                        folder / 'scores.npz', '--data-root',
                        trained_run['data'], '--cfg-options', TWO_TEST_VIEWS)
        top1 = float(re.search(r'top-1:\s+([\d.]+) %', proc.stdout).group(1))
        return dict(path=folder / 'scores.npz', top1=top1,
                    data=trained_run['data'], checkpoint=checkpoint,
                    work_dir=folder, stdout=proc.stdout)
    return shared(tmp_path_factory, 'dumped', build)
