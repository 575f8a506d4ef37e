"""Run an Optuna study whose trials are real training runs of a config.

A trial = the config + ``--cfg-options`` + the overrides the search space
draws, trained by :func:`dance_style.train.train` (what ``tools/train.py``
runs) in ``<study dir>/trial_<number>/``. Its objective is the best
validation top-1 over its epochs, the metric the config's CheckpointHook
keeps the best checkpoint by.
"""
import gc
import hashlib
import json
import os
import os.path as osp
import socket
import zlib
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Dict, Optional

from ..config import load_config
from ..errors import DanceStyleError
from .space import SearchSpace, check_paths
from .storage import describe, open_storage

PRUNERS = ('median', 'hyperband', 'none')
SAMPLERS = ('tpe', 'random')


@dataclass
class SweepSettings:
    """Everything one sweep worker needs; ``tools/sweep.py`` fills it
    (:func:`dance_style.sweep.command.settings_from_args`), and a worker
    process started by ``--workers`` reads it from a JSON file."""

    config: str
    space_file: str
    study_name: str
    # password included: never in repr, never in the JSON file (to_json)
    storage: str = field(repr=False)
    study_dir: Path
    n_trials: Optional[int] = None
    timeout: Optional[float] = None
    max_trials: Optional[int] = None
    pruner: str = 'median'
    pruner_startup_trials: int = 5
    pruner_warmup_epochs: int = 1
    sampler: str = 'tpe'
    seed: int = 0
    monitor: str = 'acc/top1'
    keep_checkpoints: str = 'best'
    heartbeat_interval: Optional[int] = 60
    worker_index: int = 0
    data_root: Optional[str] = None
    cfg_options: Dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        """The settings as JSON (paths as strings), the storage URL with its
        password masked: a worker reads the full URL from the environment
        (:func:`.storage.worker_storage`)."""
        values = asdict(self)
        values['study_dir'] = str(self.study_dir)
        values['storage'] = describe(self.storage)
        return json.dumps(values, indent=2)

    @classmethod
    def from_json(cls, text: str) -> 'SweepSettings':
        """The inverse of :meth:`to_json`, but for the storage password."""
        values = json.loads(text)
        values['study_dir'] = Path(values['study_dir'])
        return cls(**values)


def make_sampler(kind: str, seed: int):
    """TPE (the study's choice, Optuna's default) or random search.

    TPE runs with ``constant_liar``: Optuna's advice for parallel workers,
    so that two workers do not propose nearly the same point while the
    first one's trial is still running."""
    import optuna
    if kind == 'tpe':
        return optuna.samplers.TPESampler(seed=seed, constant_liar=True)
    if kind == 'random':
        return optuna.samplers.RandomSampler(seed=seed)
    raise DanceStyleError(f'unknown sampler {kind!r}; one of {SAMPLERS}')


def make_pruner(kind: str, startup_trials: int, warmup_epochs: int):
    """Median: stop a trial whose accuracy after an epoch is below the
    median of earlier trials at that epoch. Hyperband: successive halving
    over epochs. None: every trial trains to the end."""
    import optuna
    if kind == 'median':
        return optuna.pruners.MedianPruner(n_startup_trials=startup_trials,
                                           n_warmup_steps=warmup_epochs)
    if kind == 'hyperband':
        return optuna.pruners.HyperbandPruner(min_resource=max(
            1, warmup_epochs))
    if kind == 'none':
        return optuna.pruners.NopPruner()
    raise DanceStyleError(f'unknown pruner {kind!r}; one of {PRUNERS}')


def study_identity(settings: SweepSettings) -> Dict[str, str]:
    """What makes trials comparable: the config, its options and the space.
    Stored on the study; a rerun with other ones is refused."""
    space_text = Path(settings.space_file).read_text(encoding='utf-8')
    return {
        'config': osp.normpath(settings.config),
        'cfg_options': json.dumps(settings.cfg_options, sort_keys=True,
                                  default=str),
        'search_space_sha1': hashlib.sha1(
            space_text.encode('utf-8')).hexdigest()[:12],
        'monitor': settings.monitor,
        'data_root': str(settings.data_root),
    }


def open_study(settings: SweepSettings, sampler_seed: Optional[int] = None):
    """Create the study, or load it when it exists (a rerun continues it)."""
    import optuna
    storage = open_storage(settings.storage, settings.heartbeat_interval)
    seed = settings.seed if sampler_seed is None else sampler_seed
    study = optuna.create_study(
        study_name=settings.study_name, storage=storage,
        direction='maximize', load_if_exists=True,
        sampler=make_sampler(settings.sampler, seed),
        pruner=make_pruner(settings.pruner, settings.pruner_startup_trials,
                           settings.pruner_warmup_epochs))
    identity = study_identity(settings)
    stored = study.user_attrs
    differing = [key for key, value in identity.items()
                 if key in stored and stored[key] != value]
    if differing and not study.get_trials(deepcopy=False):
        # nothing ran under the old setup (e.g. a first run that stopped
        # at a bad search space): the study takes the new one
        for key in differing:
            study.set_user_attr(key, identity[key])
        differing = []
    if differing:
        details = '; '.join(
            f'{key}: study has {stored[key]!r}, this run {identity[key]!r}'
            for key in differing)
        raise DanceStyleError(
            f'study {settings.study_name!r} in {describe(settings.storage)} '
            f'was run with another setup ({details}). Trials of different '
            'setups do not compare: pass a new --study-name.')
    # workers starting together may both get here; they write equal values
    for key, value in identity.items():
        if key not in stored:
            study.set_user_attr(key, value)
    return study


def trial_config(settings: SweepSettings, overrides: Dict[str, Any],
                 work_dir: Optional[str], experiment_name: Optional[str]):
    """The config of one trial: file + --cfg-options + drawn overrides."""
    from ..train import apply_train_args
    cfg = load_config(settings.config)
    cfg = apply_train_args(cfg, settings.config, work_dir=work_dir,
                           seed=settings.seed, data_root=settings.data_root,
                           cfg_options=settings.cfg_options)
    for path, value in overrides.items():  # in order: parents first
        cfg.merge_from_dict({path: value})
    if experiment_name:
        # mmengine keys its logger, message hub and visualizer by this
        # name; a unique one keeps trials of one process apart
        cfg.experiment_name = experiment_name
    return cfg


def _checkpoint_policy(cfg, keep: str) -> None:
    """Trials are never resumed, so per-epoch checkpoints are dead weight
    (416 MB each for I3D NL with AdamW): keep the best one, or none."""
    hook = cfg.default_hooks.get('checkpoint')
    if hook is None:
        return
    hook.interval = -1
    hook.save_last = False
    if keep == 'none':
        hook.save_best = None


def make_objective(settings: SweepSettings, space: SearchSpace):
    """The function Optuna calls: one real training run per trial."""

    def objective(trial) -> float:
        import optuna

        from ..nonfinite import NonFiniteTraining
        from ..train import train
        from .hook import OptunaPruningHook
        try:
            overrides = space.sample(trial)
        except Exception as error:
            trial.set_user_attr('error',
                                f'{type(error).__name__}: {error}'[:500])
            raise
        work_dir = settings.study_dir / f'trial_{trial.number:03d}'
        trial.set_user_attr('work_dir', str(work_dir))
        # which process ran it: a dashboard user can tell a dead worker's
        # trial from a live one
        trial.set_user_attr('worker', f'{socket.gethostname()}:{os.getpid()}')
        trial.set_user_attr('overrides', json.dumps(overrides, default=str))
        cfg = trial_config(
            settings, overrides, str(work_dir),
            f'{settings.study_name}_trial_{trial.number:03d}')
        _checkpoint_policy(cfg, settings.keep_checkpoints)
        hook = OptunaPruningHook(trial, monitor=settings.monitor)
        try:
            train(cfg, hooks=[hook])
        except Exception as error:
            # Optuna records the trial FAILED and goes on (catch=Exception);
            # the reason stays with the trial for the report and dashboard
            trial.set_user_attr('error',
                                f'{type(error).__name__}: {error}'[:500])
            if isinstance(error, DanceStyleError) and not isinstance(
                    error, NonFiniteTraining):
                # a set-up problem (wrong --monitor, missing data) would
                # fail every trial the same way: stop after this one. A
                # NaN is this trial's (its learning rate, say): go on
                trial.study.stop()
            raise
        finally:
            trial.set_user_attr('epochs_trained', hook.epochs_trained)
            _free_accelerator_memory()
        if hook.pruned_at is not None:
            raise optuna.TrialPruned(
                f'pruned after epoch {hook.pruned_at}')
        if hook.best is None:
            raise DanceStyleError(
                f'trial {trial.number} trained without validating; a sweep '
                'needs val_dataloader/val_cfg in the config')
        return hook.best

    return objective


def _free_accelerator_memory() -> None:
    """Give back what a finished (or out-of-memory) trial held, so the next
    trial starts from an empty GPU."""
    gc.collect()
    import torch
    if torch.cuda.is_available():
        torch.cuda.empty_cache()


def validate(settings: SweepSettings) -> SearchSpace:
    """Everything that would fail every trial, checked once up front: the
    space file, its paths against the config, and --cfg-options that the
    space would silently overwrite."""
    from ..train import apply_train_args
    space = SearchSpace.from_file(settings.space_file)
    check_paths(space, apply_train_args(
        load_config(settings.config), settings.config,
        data_root=settings.data_root, cfg_options=settings.cfg_options))
    for key in settings.cfg_options:
        for param in space.params:
            if key == param.path or key.startswith(param.path + '.'):
                raise DanceStyleError(
                    f'--cfg-options {key} would be overwritten by the search '
                    f'space entry {param.path!r} (a drawn value, or a '
                    'replaced dict): set it in the space file instead')
    return space


def sampler_seed(settings: SweepSettings, trials_so_far: int) -> int:
    """A rerun or a second worker must not replay the random draws of the
    first: the seed moves with the worker index and the study's size, and
    with the host when the storage can be shared between machines (the
    same command started on each machine has the same worker indices)."""
    seed = settings.seed + 1000 * settings.worker_index + trials_so_far
    if not settings.storage.startswith('sqlite'):
        seed += zlib.crc32(socket.gethostname().encode('utf-8'))
    return seed % 2**31


def run_worker(settings: SweepSettings):
    """Run this process's share of trials; returns the study and the
    trials this call ran."""
    import optuna
    from optuna.trial import TrialState
    space = validate(settings)
    study = open_study(settings)
    finished_states = (TrialState.COMPLETE, TrialState.PRUNED,
                       TrialState.FAIL)
    if settings.max_trials and len(study.get_trials(
            deepcopy=False, states=finished_states)) >= settings.max_trials:
        print(f'study {settings.study_name!r} already holds '
              f'{settings.max_trials} finished trials (--max-trials); '
              'nothing to do', file=sys.stderr)
        return study, []
    before = {t.number for t in study.get_trials(deepcopy=False)}
    study.sampler = make_sampler(settings.sampler,
                                 sampler_seed(settings, len(before)))
    callbacks = []
    if settings.max_trials:
        # counts finished trials of every worker after each trial: the
        # study-wide budget (running trials may overshoot it by up to the
        # number of workers - 1)
        callbacks.append(optuna.study.MaxTrialsCallback(
            settings.max_trials, states=finished_states))
    try:
        study.optimize(make_objective(settings, space),
                       n_trials=settings.n_trials, timeout=settings.timeout,
                       catch=(Exception,), callbacks=callbacks,
                       gc_after_trial=True)
    finally:
        if settings.heartbeat_interval:
            # trials of workers that died long enough ago: FAIL, not RUNNING
            optuna.storages.fail_stale_trials(study)
    ran = [t for t in study.get_trials(deepcopy=False)
           if t.number not in before]
    return study, ran


def print_header(settings: SweepSettings) -> None:
    """Where the study lives and how to watch it."""
    shown = describe(settings.storage)
    hint = ' (with the password for ***)' if shown != settings.storage else ''
    print(f'study {settings.study_name!r} in {shown}\n'
          f'trial work dirs: {settings.study_dir}/trial_NNN\n'
          f'watch it: optuna-dashboard {shown}{hint}', file=sys.stderr)
