"""Optuna sweeps: the search space, pruning, storage, reruns, parallel and
killed workers, the best config, the dashboard."""
import dataclasses
import json
import os
import re
import signal
import time
import uuid
from pathlib import Path

import optuna
import pytest
from optuna.trial import TrialState

from support import (REPO, run_tool, slow_fixture, start_tool,
                     train_subset)
from dance_style.errors import DanceStyleError
from dance_style.sweep.space import SearchSpace, check_paths
from dance_style.sweep.storage import describe, open_storage
from dance_style.sweep.study import SweepSettings
from dance_style.sweep.workers import split_trials

SWEEP_CONFIG = REPO / 'tests' / 'configs' / 'sweep_tiny.py'
FAST_SPACE = 'model.cls_head.dropout_ratio: {float: [0.1, 0.5]}\n'
EPOCHS = 3  # sweep_tiny.py's max_epochs

optuna.logging.set_verbosity(optuna.logging.WARNING)


def write_space(folder: Path, text: str) -> Path:
    path = folder / 'space.yaml'
    path.write_text(text)
    return path


def load(folder: Path, name: str, db: str = 'study.db'):
    return optuna.load_study(study_name=name,
                             storage=f'sqlite:///{folder / db}')


# --------------------------------------------------------------- the space


def test_space_draws_each_optimizer_with_its_own_arguments():
    space = SearchSpace({
        'optim_wrapper.optimizer.lr': {'float': ['1e-5', 1e-1], 'log': True},
        'optim_wrapper.optimizer': {'choice': {
            'SGD': {'type': 'SGD', 'momentum': 0.9},
            'AdamW': {'type': 'AdamW',
                      'weight_decay': {'float': [1e-4, 1e-1], 'log': True}},
        }},
        'train_cfg.max_epochs': 2,
    })
    # parents first: the chosen dict, then the lr that lands in it
    order = [p.path for p in space.params]
    assert order.index('optim_wrapper.optimizer') < order.index(
        'optim_wrapper.optimizer.lr')
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(0))
    seen = set()
    for _ in range(12):
        trial = study.ask()
        drawn = space.sample(trial)
        optimizer = drawn['optim_wrapper.optimizer']
        seen.add(optimizer['type'])
        assert optimizer['_delete_'] is True  # replaces, never merges
        assert 1e-5 <= drawn['optim_wrapper.optimizer.lr'] <= 1e-1
        assert drawn['train_cfg.max_epochs'] == 2
        if optimizer['type'] == 'AdamW':
            assert 'momentum' not in optimizer
            assert 1e-4 <= optimizer['weight_decay'] <= 1e-1
            assert 'optim_wrapper.optimizer[AdamW].weight_decay' in \
                trial.params
        else:
            assert optimizer['momentum'] == 0.9
            assert not any('[AdamW]' in name for name in trial.params)
        study.tell(trial, 0.0)
    assert seen == {'SGD', 'AdamW'}


def test_the_default_space_is_the_studys_and_fits_the_config():
    from mmengine.config import Config
    space = SearchSpace.from_file(REPO / 'configs/sweeps/study_space.yaml')
    assert {p.path for p in space.params} == {
        'optim_wrapper.optimizer', 'optim_wrapper.optimizer.lr',
        'model.cls_head.dropout_ratio'}
    optimizers = space.params[0].spec['choice']
    assert set(optimizers) == {'SGD', 'Adam', 'AdamW'}
    check_paths(space, Config.fromfile(REPO / 'configs/i3d_nl_dance.py'))


@pytest.mark.parametrize('entries, message', [
    ({'a.b': {'float': [1, 0]}}, 'low < high'),
    ({'a.b': {'float': [0, 1], 'log': True}}, 'low > 0'),
    ({'a.b': {'float': [0, 1], 'lg': True}}, "unknown key(s) ['lg']"),
    ({'a.b': {'choice': []}}, 'non-empty'),
    ({'a.b': {'choice': [{'type': 'SGD'}]}}, 'name dict options'),
    ({'a.b': {'choice': {'SGD': 0.1}}}, 'must be a dict'),
    ({'a b': 1}, 'dotted config paths'),
    ({'a.b': {'float': [1e-3, 1], 'log': True, 'step': 0.1}},
     'log scale with a step'),
    ({'a.b': {'int': [1, 9], 'step': 0}}, 'step must be a number > 0'),
    ([], 'expected a mapping'),
])
def test_space_errors_say_what_is_wrong(entries, message):
    with pytest.raises(DanceStyleError, match=None) as info:
        SearchSpace(entries)
    assert message in str(info.value)


def test_a_misspelt_path_is_caught_before_any_trial():
    from mmengine.config import Config
    space = SearchSpace({'model.cls_haed.dropout_ratio': {'float': [0, 1]}})
    with pytest.raises(DanceStyleError) as info:
        check_paths(space, Config.fromfile(REPO / 'configs/i3d_nl_dance.py'))
    assert "no 'model.cls_haed'" in str(info.value)


def test_trials_are_split_exactly_over_workers():
    assert split_trials(7, 3) == [3, 2, 2]
    assert split_trials(1, 2) == [1, 0]
    assert split_trials(None, 2) == [None, None]


def test_worker_settings_survive_their_json_file(tmp_path):
    settings = SweepSettings(
        config='configs/i3d_nl_dance.py', space_file='space.yaml',
        study_name='s', storage='sqlite:///x.db', study_dir=tmp_path / 'a b',
        n_trials=3, data_root='/data/my set', worker_index=1,
        cfg_options={'train_cfg.max_epochs': 2, 'load_from': None,
                     'model.backbone.inflate': (1, 0)})
    back = SweepSettings.from_json(settings.to_json())
    assert back.study_dir == settings.study_dir
    # tuples come back as lists; the study's identity (JSON) is the same
    assert json.dumps(back.cfg_options) == json.dumps(settings.cfg_options)
    assert dataclasses.replace(back, cfg_options={}) == \
        dataclasses.replace(settings, cfg_options={})


def test_storage_errors_are_clear(tmp_path):
    with pytest.raises(DanceStyleError, match='neither a database URL'):
        open_storage(str(tmp_path / 'study.txt'))
    # a driver that is not installed: the message names its package
    with pytest.raises(DanceStyleError, match='pip install psycopg2-binary'):
        open_storage('postgresql+psycopg2://user:secret@localhost/optuna')
    with pytest.raises(DanceStyleError, match='pip install pymysql'):
        open_storage('mysql+pymysql://user:secret@localhost/optuna')
    # postgresql:// as users type it finds its driver (the sweep extra's
    # psycopg), and a server that is not there is said so
    with pytest.raises(DanceStyleError, match='server is reachable'):
        open_storage('postgresql://user:secret@127.0.0.1:1/optuna')
    assert describe('postgresql://user:secret@host/db') == \
        'postgresql://user:***@host/db'


# ------------------------------------------------------ real sweeps (slow)


@pytest.fixture(scope='module')
def sweep_options(easy_dataset):
    return ['--data-root', easy_dataset]


# Random search with seed 29 draws lr 1e-3, 1e-3, 1e-7, 1e-3, ...: two
# learning trials first (the pruner's start-up trials), then one that cannot
# learn in 3 epochs (lr 1e-7). Measured (2026-12-02) with a fourth trial:
# 3 + 3 + 1 + 2 epochs, the last two trials pruned, best 9/12. Three trials
# show the same (the third pruned after 1 epoch) in 7 epochs instead of 9;
# the rerun's trial is the fourth draw.
PRUNED_TRIALS = 3
PRUNING_SPACE = """\
optim_wrapper.optimizer.lr: {choice: [1.0e-3, 1.0e-7]}
model.cls_head.dropout_ratio: {float: [0.1, 0.5]}
"""


@slow_fixture(scope='module')
def pruned_sweep(sweep_options, tmp_path_factory):
    folder = tmp_path_factory.mktemp('sweep')
    space = write_space(folder, PRUNING_SPACE)
    args = ['tools/sweep.py', SWEEP_CONFIG, '--n-trials', str(PRUNED_TRIALS),
            '--sampler', 'random', '--seed', '29', '--pruner', 'median',
            '--pruner-startup-trials', '2', '--pruner-warmup-epochs', '1',
            '--search-space', space, '--work-dir', folder / 'study',
            *sweep_options]
    proc = run_tool(*args)
    return dict(folder=folder / 'study', args=args, proc=proc)


def test_sweep_prunes_poor_trials_cleanly(pruned_sweep):
    study = load(pruned_sweep['folder'], 'sweep_tiny')
    trials = study.get_trials()
    assert len(trials) == PRUNED_TRIALS
    states = [t.state for t in trials]
    assert TrialState.FAIL not in states and TrialState.RUNNING not in states
    pruned = [t for t in trials if t.state == TrialState.PRUNED]
    assert pruned, [(t.params, t.intermediate_values) for t in trials]
    for trial in pruned:
        # stopped early, and after the warm-up epoch
        assert 1 <= trial.user_attrs['epochs_trained'] < EPOCHS
    for trial in trials:
        if trial.state == TrialState.COMPLETE:
            assert trial.user_attrs['epochs_trained'] == EPOCHS
            assert trial.value == max(trial.intermediate_values.values())
    # the best trial is one that could learn: measured 9/12 validation
    # clips (chance 4/12); the bar, 7/12, leaves two
    assert study.best_params['optim_wrapper.optimizer.lr'] == 1e-3
    assert study.best_value >= 7 / 12


def test_sweep_writes_its_outputs(pruned_sweep):
    folder = pruned_sweep['folder']
    stdout = pruned_sweep['proc'].stdout
    study = load(folder, 'sweep_tiny')
    assert f'top-1 {100 * study.best_value:.2f} %' in stdout
    assert 'optim_wrapper.optimizer.lr = 0.001' in stdout
    summary = json.loads((folder / 'summary.json').read_text())
    assert summary['best']['number'] == study.best_trial.number
    assert summary['states']['PRUNED'] >= 1
    assert summary['epochs_trained'] == sum(
        t.user_attrs['epochs_trained'] for t in study.trials)
    for name in ('optimization_history.png', 'intermediate_values.png',
                 'param_importances.png'):
        assert (folder / name).read_bytes()[:4] == b'\x89PNG', name
    # each trial trained in its own work dir and kept only its best
    # checkpoint (never resumed, so no per-epoch ones)
    best_dir = Path(study.best_trial.user_attrs['work_dir'])
    assert best_dir.parent == folder
    assert [p.name for p in best_dir.glob('*.pth')] == [
        p.name for p in best_dir.glob('best_acc_top1_epoch_*.pth')]
    assert list(best_dir.glob('best_acc_top1_epoch_*.pth'))


def test_best_config_trains_with_train_py(pruned_sweep, tmp_path):
    from mmengine.config import Config
    best_config = pruned_sweep['folder'] / 'best_config.py'
    study = load(pruned_sweep['folder'], 'sweep_tiny')
    cfg = Config.fromfile(best_config)
    assert cfg.optim_wrapper.optimizer.lr == \
        study.best_params['optim_wrapper.optimizer.lr']
    assert cfg.model.cls_head.dropout_ratio == pytest.approx(
        study.best_params['model.cls_head.dropout_ratio'])
    assert 'work_dir' not in cfg
    # one epoch on 8 clips per class: this checks that it trains, not how well
    subset = train_subset(Path(cfg.train_dataloader.dataset.data_prefix.video),
                          tmp_path / 'train.txt')
    proc = run_tool('tools/train.py', best_config, '--work-dir', tmp_path,
                    '--cfg-options', 'train_cfg.max_epochs=1',
                    f'train_dataloader.dataset.ann_file={subset}')
    assert (tmp_path / 'epoch_1.pth').is_file(), proc.stdout[-2000:]


def test_rerunning_the_command_continues_the_study(pruned_sweep, tmp_path):
    # on a copy of the study: the other tests see its trials in any order
    import shutil
    folder = tmp_path / 'study'
    shutil.copytree(pruned_sweep['folder'], folder)
    args = list(pruned_sweep['args'])
    args[args.index('--n-trials') + 1] = '1'
    args[args.index('--work-dir') + 1] = folder
    proc = run_tool(*args)
    study = load(folder, 'sweep_tiny')
    assert len(study.trials) == PRUNED_TRIALS + 1
    assert [t.number for t in study.trials] == list(
        range(PRUNED_TRIALS + 1))
    assert study.trials[-1].state != TrialState.RUNNING
    assert f'{PRUNED_TRIALS + 1} trials' in proc.stdout


def test_a_different_setup_needs_a_new_study_name(pruned_sweep,
                                                  sweep_options, tmp_path):
    space = write_space(tmp_path, 'model.cls_head.dropout_ratio: '
                        '{float: [0.1, 0.2]}\n')
    proc = run_tool('tools/sweep.py', SWEEP_CONFIG, '--n-trials', '1',
                    '--search-space', space, '--work-dir',
                    pruned_sweep['folder'], *sweep_options, check=False)
    assert proc.returncode == 2
    assert 'pass a new --study-name' in proc.stderr


def test_dashboard_reads_the_study(pruned_sweep):
    """optuna-dashboard's own WSGI app lists the study and its trials."""
    import io
    from wsgiref.util import setup_testing_defaults
    import optuna_dashboard
    url = f'sqlite:///{pruned_sweep["folder"] / "study.db"}'
    app = optuna_dashboard.wsgi(url)

    def get(path):
        environ = {'PATH_INFO': path, 'REQUEST_METHOD': 'GET',
                   'wsgi.input': io.BytesIO()}
        setup_testing_defaults(environ)
        status = []
        body = b''.join(app(environ, lambda s, h, *a: status.append(s)))
        assert status[0].startswith('200'), (path, status)
        return json.loads(body)

    studies = get('/api/studies')['study_summaries']
    entry = next(s for s in studies if s['study_name'] == 'sweep_tiny')
    detail = get(f'/api/studies/{entry["study_id"]}')
    assert len(detail['trials']) == PRUNED_TRIALS


def test_a_failing_trial_is_recorded_and_the_sweep_goes_on(sweep_options,
                                                           tmp_path):
    # dropout 1.5 makes the model fail to build: every trial raises
    space = write_space(tmp_path, 'model.cls_head.dropout_ratio: '
                        '{choice: [1.5]}\n')
    proc = run_tool('tools/sweep.py', SWEEP_CONFIG, '--n-trials', '2',
                    '--search-space', space, '--work-dir', tmp_path / 's',
                    *sweep_options, check=False)
    study = load(tmp_path / 's', 'sweep_tiny')
    # the second trial ran after the first failed ...
    assert [t.state for t in study.trials] == [TrialState.FAIL] * 2
    assert 'dropout probability' in study.trials[0].user_attrs['error']
    assert 'no trial has completed yet' in proc.stdout
    # ... and a run in which every trial failed exits non-zero
    assert proc.returncode == 1


def test_two_workers_whose_trials_all_fail_fail_the_sweep(sweep_options,
                                                          tmp_path):
    space = write_space(tmp_path, 'model.cls_head.dropout_ratio: '
                        '{choice: [1.5]}\n')
    proc = run_tool('tools/sweep.py', SWEEP_CONFIG, '--n-trials', '2',
                    '--workers', '2', '--search-space', space, '--work-dir',
                    tmp_path / 's', *sweep_options, check=False)
    study = load(tmp_path / 's', 'sweep_tiny')
    assert [t.state for t in study.trials] == [TrialState.FAIL] * 2
    assert proc.returncode == 1, proc.stderr[-2000:]


def test_a_diverging_trial_fails_with_the_reason_and_the_study_goes_on(
        fast_options, tmp_path):
    # a learning rate that turns the loss to NaN in the first iterations:
    # the trial's own problem (NonFiniteHook), unlike a set-up error below
    space = write_space(tmp_path, 'optim_wrapper.optimizer.lr: '
                        '{choice: [1.0e30]}\n')
    proc = run_tool('tools/sweep.py', SWEEP_CONFIG, '--n-trials', '2',
                    '--search-space', space, '--work-dir', tmp_path / 's',
                    *fast_options, check=False)
    study = load(tmp_path / 's', 'sweep_tiny')
    assert [t.state for t in study.trials] == [TrialState.FAIL] * 2
    for trial in study.trials:
        assert re.search(r'NonFiniteTraining: training stopped at '
                         r'iteration [123] of', trial.user_attrs['error'])
        assert trial.user_attrs['epochs_trained'] == 0
    assert proc.returncode == 1


def test_a_set_up_error_stops_the_sweep_after_one_trial(fast_options,
                                                        tmp_path):
    space = write_space(tmp_path, FAST_SPACE)
    proc = run_tool('tools/sweep.py', SWEEP_CONFIG, '--n-trials', '3',
                    '--monitor', 'acc/top_1', '--search-space', space,
                    '--work-dir', tmp_path / 's', *fast_options, check=False)
    study = load(tmp_path / 's', 'sweep_tiny')
    assert [t.state for t in study.trials] == [TrialState.FAIL]
    assert "pass --monitor with one of these" in \
        study.trials[0].user_attrs['error']
    assert proc.returncode == 1


def test_options_the_space_would_overwrite_are_refused(sweep_options,
                                                       tmp_path):
    space = write_space(tmp_path, 'optim_wrapper.optimizer: {choice: '
                        '{SGD: {type: SGD, momentum: 1.0e-1}}}\n')
    proc = run_tool('tools/sweep.py', SWEEP_CONFIG, '--n-trials', '1',
                    '--search-space', space, '--work-dir', tmp_path / 's',
                    *sweep_options, '--cfg-options',
                    'optim_wrapper.optimizer.momentum=0.95', check=False)
    assert proc.returncode == 2
    assert 'would be overwritten by the search space' in proc.stderr


def test_yaml_floats_without_a_dot_are_numbers():
    space = SearchSpace({'a.b': {'choice': ['1e-4', '3e-3']},
                         'a.c': '1e-2',
                         'a.d': {'choice': {'X': {'wd': '5e-4'}}}})
    study = optuna.create_study()
    drawn = space.sample(study.ask())
    assert drawn['a.b'] in (1e-4, 3e-3) and drawn['a.c'] == 1e-2
    assert drawn['a.d']['wd'] == 5e-4


# ------------------------------------------------------- parallel workers


def test_the_sweep_ends_when_its_last_worker_does(tmp_path, monkeypatch):
    """run_workers waits on its workers, not a fixed poll: with a poll of
    an hour it still returns as soon as they exit (here at once)."""
    import subprocess
    import sys

    from dance_style.sweep import workers
    real_popen = subprocess.Popen
    started = []

    def worker_that_exits(args, **kwargs):
        started.append(args)
        return real_popen([sys.executable, '-c', 'pass'], **kwargs)

    monkeypatch.setattr(workers.subprocess, 'Popen', worker_that_exits)
    settings = SweepSettings(
        config='c.py', space_file='s.yaml', study_name='s',
        storage='sqlite:///s.db', study_dir=tmp_path, n_trials=2)

    def too_late(signum, frame):
        raise AssertionError('run_workers still waiting 60 s after its '
                             'workers exited')

    previous = signal.signal(signal.SIGALRM, too_late)
    signal.alarm(60)
    try:
        code = workers.run_workers(settings, 2, optuna.create_study(),
                                   poll_seconds=3600)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert code == 0 and len(started) == 2


@pytest.fixture(scope='module')
def fast_options(easy_dataset, tmp_path_factory):
    """One-epoch trials on 8 training clips per class: these tests check
    the bookkeeping of workers, not learning."""
    subset = train_subset(easy_dataset,
                          tmp_path_factory.mktemp('subset') / 'train.txt')
    return ['--data-root', easy_dataset, '--cfg-options',
            f'train_dataloader.dataset.ann_file={subset}',
            'train_cfg.max_epochs=1']


POSTGRES = os.environ.get('DANCE_STYLE_TEST_POSTGRES')


@pytest.fixture(params=['sqlite', 'postgresql'])
def storage(request, tmp_path):
    """(storage URL, study name) of a new study: a SQLite file, or the
    PostgreSQL server that DANCE_STYLE_TEST_POSTGRES names (.ci/run starts
    one with docs/sweep.md's recipe)."""
    name = f'shared_{uuid.uuid4().hex[:8]}'
    if request.param == 'sqlite':
        return f'sqlite:///{tmp_path / "shared.db"}', name
    if not POSTGRES:
        message = ('no PostgreSQL server: install and start one with the '
                   'recipe of docs/sweep.md ("PostgreSQL and its '
                   'password": apt-get '
                   'install postgresql ...), then set DANCE_STYLE_TEST_'
                   'POSTGRES=postgresql://optuna:PASSWORD@localhost/optuna')
        if os.environ.get('DANCE_STYLE_REQUIRE_POSTGRES'):
            pytest.fail(message)  # CI starts one: a skip is a failure
        pytest.skip(message)
    return POSTGRES, name


def test_a_killed_worker_leaves_the_study_usable(fast_options, tmp_path,
                                                storage):
    space = write_space(tmp_path, FAST_SPACE)
    storage, name = storage

    def start(n_trials, log_name):
        # one thread each: the two run side by side on the test's core
        return start_tool(
            'tools/sweep.py', SWEEP_CONFIG, '--n-trials', n_trials,
            '--study-name', name, '--storage', storage,
            '--heartbeat-interval', '1', '--pruner', 'none',
            '--search-space', space, '--work-dir', tmp_path / 's',
            *fast_options, log=tmp_path / log_name,
            env=dict(OMP_NUM_THREADS='1'))

    victim = start(3, 'victim.log')
    assert _wait_for(lambda: _has_study(tmp_path / 'shared.db', storage,
                                        name),
                     120), (tmp_path / 'victim.log').read_text()[-2000:]
    survivor = start(2, 'survivor.log')
    study = optuna.load_study(study_name=name, storage=storage)
    tag = f':{victim.pid}'

    spotted = []

    def spot_running_victim_trial():
        spotted.extend(t.number for t in study.get_trials()
                       if t.user_attrs.get('worker', '').endswith(tag)
                       and t.state == TrialState.RUNNING)
        return bool(spotted)

    assert _wait_for(spot_running_victim_trial, 120), \
        (tmp_path / 'victim.log').read_text()[-2000:]
    # a trial lasts seconds; the kill follows its sighting within a
    # millisecond, so the worker dies mid-trial
    victim.send_signal(signal.SIGKILL)
    killed_number = spotted[0]
    victim.wait()
    assert survivor.wait(timeout=600) == 0, \
        (tmp_path / 'survivor.log').read_text()[-3000:]

    trials = {t.number: t for t in study.get_trials()}
    # the survivor finished its two trials; the killed trial was marked
    # FAIL through its stale heartbeat, not left RUNNING
    survivor_trials = [t for t in trials.values()
                       if t.user_attrs.get('worker', '').endswith(
                           f':{survivor.pid}')]
    assert [t.state for t in survivor_trials] == [TrialState.COMPLETE] * 2
    assert trials[killed_number].state == TrialState.FAIL
    assert not [t for t in trials.values() if t.state == TrialState.RUNNING]
    # and the study goes on, with two workers of one command sharing it
    # (one test for both: each sweep process costs seconds of imports)
    run_tool('tools/sweep.py', SWEEP_CONFIG, '--n-trials', '2', '--workers',
             '2', '--pruner', 'none', '--search-space', space, '--work-dir',
             tmp_path / 'two', '--storage', storage, '--study-name', name,
             *fast_options)
    added = study.get_trials()[len(trials):]
    # numbered on from the killed study's trials, without gaps or repeats
    assert [t.number for t in added] == [len(trials), len(trials) + 1]
    assert all(t.state == TrialState.COMPLETE for t in added)
    # one trial from each worker, and no point drawn twice in the study
    assert len({t.user_attrs['worker'] for t in added}) == 2
    points = [t.params['model.cls_head.dropout_ratio']
              for t in study.get_trials() if t.params]
    assert len(set(points)) == len(points)
    for index in (0, 1):
        assert 'finished' in (tmp_path / 'two' / f'worker_{index}.log'
                              ).read_text()


def _has_study(db: Path, storage: str, name: str) -> bool:
    """Whether the worker has created the study, read with a plain SELECT:
    Optuna's storage would create or migrate the tables while the worker
    does, and one of the two would fail."""
    import sqlalchemy
    if storage.startswith('sqlite') and not db.is_file():
        return False  # connecting would create the file
    engine = sqlalchemy.create_engine(storage)
    try:
        with engine.connect() as connection:
            return connection.execute(
                sqlalchemy.text('SELECT 1 FROM studies WHERE study_name = '
                                ':name'), {'name': name}).first() is not None
    except sqlalchemy.exc.SQLAlchemyError:  # no tables yet, or locked
        return False
    finally:
        engine.dispose()


def _wait_for(predicate, seconds: float) -> bool:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.5)
    return False
