"""Shared fixtures: a tiny generated dataset and one real training run.

Training is the expensive part of the suite, so one session-scoped run
(through tools/train.py, as a user would) feeds the tests of test, resume,
predict and checkpoint loading.

The suite runs on every core with pytest-xdist (``make test``: ``-n auto
--dist loadfile --no-loadscope-reorder``, at most 4 workers): each file
runs on one worker, so its module fixtures are built once; the session
fixtures that several files use (the dataset, the training run) are built
once per session by whichever worker asks first, under a file lock
(:func:`shared`), and read by the others. OpenMP threads sleep while they
wait (below). The tools run in processes forked from a server that has
imported the heavy libraries once (:func:`run_tool`,
tests/forked_tools.py).
"""
import json
import os
import subprocess
import sys
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
from dance_style.resources import REPO_ROOT as REPO  # noqa: E402
from forked_tools import run_forked, start_forked  # noqa: E402

# What every tool does first; the tests that build models, datasets and
# transforms in this process need the same registries and install fixes.
register_all_modules()

TINY_CONFIG = REPO / 'tests' / 'configs' / 'tiny_nl_synthetic.py'

# Three of the 19 synthetic choreographies that differ most in motion (see
# dance_style/synthetic/choreography.py): a whole-body spin, travel round a
# circle, fast shaking of the lower legs. The "easy 3-class subset".
EASY_CLASSES = (1, 14, 17)  # breakdancing, square dancing, tap dancing
TINY_EPOCHS = 10  # tests/configs/tiny_nl_synthetic.py's max_epochs
# tools/test.py on the easy dataset's clips with 2 test clips instead of the
# config's 8: the clips are 32 frames, one 16x2 window, and SampleFrames
# starts 4 of 8 clips at frame 0 and 4 at frame 1, so 2 clips are the same
# two views once each: the same scores (a dump compared, 2026-12-02) for a
# quarter of the work. tools/predict.py keeps the 8: on longer clips they
# are 8 different windows.
TWO_TEST_VIEWS = 'test_dataloader.dataset.pipeline.1.num_clips=2'

MAX_WORKERS = 4  # more would wait on the shared fixtures, and need memory


@pytest.hookimpl(optionalhook=True)  # pytest without xdist: not called
def pytest_xdist_auto_num_workers(config):
    """``-n auto``: one worker per core, at most MAX_WORKERS."""
    return max(1, min(os.cpu_count() or 1, MAX_WORKERS))


# The modules that take longest, first (measured: make test's durations),
# so that no long one starts last and leaves the other workers idle; make
# test passes --no-loadscope-reorder, without which xdist orders files by
# their number of tests instead. The training run's first user comes first
# (its worker builds the run at once, for the many files that use it), then
# the two longest files.
SLOW_FIRST = ('test_training.py', 'test_sweep.py', 'test_two_stream.py',
              'test_benchmark.py', 'test_real_configs.py',
              'test_distributed.py', 'test_backbones.py', 'test_demo.py',
              'test_reproducibility.py', 'test_analysis.py',
              'test_data_prep.py', 'test_transfer.py',
              'test_kinetics_heads.py', 'test_zoo.py',
              'test_transfer_rehearsal.py')


# Fixtures that train, sweep, build a dataset or start a server: a test
# that uses one is slow (make test-fast leaves it out) without a mark of its
# own; slow tests without such a fixture carry @pytest.mark.slow.
SLOW_FIXTURES = {
    'easy_dataset', 'trained_run', 'dumped', 'flow_dataset',
    'two_stream_run', 'pruned_sweep', 'fast_options', 'sweep_options',
    'small_runs', 'server', 'samples', 'built', 'letsdance_tree', 'model',
    'three_styles', 'tiny_run',
}


def pytest_collection_modifyitems(config, items):
    rank = {name: index for index, name in enumerate(SLOW_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, 'fixturenames', ())):
            item.add_marker(pytest.mark.slow)


def _encode(value):
    if isinstance(value, Path):
        return {'__path__': str(value)}
    if isinstance(value, dict):
        return {key: _encode(item) for key, item in value.items()}
    return value


def _decode(value):
    if isinstance(value, dict):
        if set(value) == {'__path__'}:
            return Path(value['__path__'])
        return {key: _decode(item) for key, item in value.items()}
    return value


def shared(tmp_path_factory, name: str, build):
    """``build(folder)`` once per test session, whichever xdist worker asks
    first; the others wait on the lock and get the same (JSON-able) result.
    Without xdist it is an ordinary session fixture's body."""
    from filelock import FileLock
    base = tmp_path_factory.getbasetemp()
    if os.environ.get('PYTEST_XDIST_WORKER'):
        base = base.parent  # the session's folder, above every worker's
    record = base / f'shared {name}.json'
    with FileLock(str(record) + '.lock'):
        if record.is_file():
            return _decode(json.loads(record.read_text()))
        folder = base / f'shared {name}'
        if folder.exists():  # a worker's build raised before: say so once
            raise RuntimeError(f'the shared fixture {name!r} failed to '
                               'build earlier in this session; its first '
                               'error is in the first test that used it')
        folder.mkdir()
        value = build(folder)
        record.write_text(json.dumps(_encode(value)))
        return value


def train_subset(dataset: Path, out: Path, per_class: int = 8) -> Path:
    """The first ``per_class`` training clips of each class of ``dataset``,
    as a list file at ``out``: for tests of bookkeeping, not learning."""
    per_label = {}
    for line in (dataset / 'annotations' / 'dance19_train.txt'
                 ).read_text().splitlines():
        per_label.setdefault(line.rsplit(' ', 1)[1], []).append(line)
    out.write_text(''.join(f'{line}\n' for group in per_label.values()
                           for line in group[:per_class]))
    return out


def _tool_env(env):
    """This process's environment with ``env`` on top (None removes)."""
    full_env = dict(os.environ)
    for key, value in (env or {}).items():
        if value is None:
            full_env.pop(key, None)
        else:
            full_env[key] = value
    full_env.setdefault('PYTHONUNBUFFERED', '1')
    return full_env


def run_tool(*args, check=True, timeout=900, env=None, fresh=False):
    """Run ``python tools/<args>`` from the repo root; returns the
    CompletedProcess with text stdout/stderr.

    The process is forked from a server that has imported the heavy
    libraries already (tests/forked_tools.py: 4-6 s saved per run);
    ``fresh=True`` starts a bare interpreter instead."""
    full_env = _tool_env(env)
    if fresh:
        proc = subprocess.run(
            [sys.executable, *map(str, args)], cwd=REPO, capture_output=True,
            text=True, timeout=timeout, env=full_env)
    else:
        proc = run_forked(args, cwd=REPO, env=full_env, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(
            f'{args} exited {proc.returncode}\nstdout:\n{proc.stdout[-4000:]}'
            f'\nstderr:\n{proc.stderr[-4000:]}')
    return proc


def start_tool(*args, log: Path, env=None):
    """Start ``python tools/<args>`` from the repo root, forked from the
    tool server as :func:`run_tool` does, with stdout and stderr into
    ``log``; returns the running process (``pid``, ``send_signal``,
    ``wait``), for tests that act on it while it runs."""
    return start_forked(args, cwd=REPO, env=_tool_env(env), log=log)


@pytest.fixture(autouse=True)
def repo_annotations_untouched():
    """Tests write datasets under tmp_path, never the repository's
    annotations/dance19_*.txt: the configs read those lists, and a stray
    one misleads later tests (and a user) about where the data is. A tool
    run without --ann-dir writes them there by default."""
    before = set(REPO.glob('annotations/dance19_*.txt'))
    yield
    stray = set(REPO.glob('annotations/dance19_*.txt')) - before
    assert not stray, f'this test wrote {sorted(map(str, stray))}'


@pytest.fixture(scope='session')
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


@pytest.fixture(scope='session')
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


@pytest.fixture(scope='session')
def dumped(trained_run, tmp_path_factory):
    """The trained run's last checkpoint tested through tools/test.py, with
    every test video's scores dumped."""
    import re

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
