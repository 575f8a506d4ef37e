"""Tune a config with Optuna: ``python tools/sweep.py CONFIG [options]``.

Each trial trains CONFIG with overrides drawn from a search space, through
the same train function as tools/train.py. Rerunning the command adds
trials to the same study. See README.md, "Hyper-parameter search".
"""
import argparse
import os.path as osp
import sys
from pathlib import Path

import _bootstrap  # noqa: F401  repo root on sys.path

import dance_style  # noqa: F401  compat fixes before mmaction

from dance_style.cli import ConfigOptionsAction, run_cli
from dance_style.errors import DanceStyleError
from dance_style.sweep.storage import default_storage_url
from dance_style.sweep.study import (PRUNERS, SAMPLERS, SweepSettings,
                                     open_study, print_header, run_worker,
                                     validate)

DEFAULT_SPACE = 'configs/sweeps/study_space.yaml'


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Hyper-parameter search over a config with Optuna: '
        'pruning, resumable storage, parallel workers.')
    parser.add_argument('config', help='config to tune, e.g. '
                        'configs/i3d_nl_dance.py')
    parser.add_argument(
        '--n-trials', type=int, default=20,
        help='trials this command runs, added to the study (default 20); '
        'split over --workers')
    parser.add_argument(
        '--timeout', type=float, default=None,
        help='stop starting new trials after this many seconds')
    parser.add_argument(
        '--max-trials', type=int, default=None,
        help='stop once the study holds this many finished trials, counting '
        'every worker and earlier runs (a study-wide budget for workers '
        'started on several machines; trials already running when it is '
        'reached still finish)')
    parser.add_argument(
        '--study-name',
        help='study to create or continue (default: the config file name)')
    parser.add_argument(
        '--storage',
        help='Optuna storage: a database URL (sqlite:///F.db, '
        'postgresql://user:pw@host/db) or a journal file (*.journal). '
        'Default: sqlite in the study folder')
    parser.add_argument(
        '--search-space', default=DEFAULT_SPACE,
        help=f'YAML file of dotted config paths and how to draw them '
        f'(default {DEFAULT_SPACE}: the study\'s lr, dropout, optimizer)')
    parser.add_argument('--pruner', choices=PRUNERS, default='median',
                        help='stop poor trials early (default median)')
    parser.add_argument(
        '--pruner-startup-trials', type=int, default=5,
        help='median pruner: trials that always run to the end before '
        'pruning starts (default 5)')
    parser.add_argument(
        '--pruner-warmup-epochs', type=int, default=1,
        help='epochs a trial always trains before it can be pruned '
        '(default 1)')
    parser.add_argument('--sampler', choices=SAMPLERS, default='tpe',
                        help='how trials are proposed (default tpe)')
    parser.add_argument(
        '--seed', type=int, default=0,
        help='seeds the sampler and every trial\'s training (default 0)')
    parser.add_argument(
        '--monitor', default='acc/top1',
        help='validation metric to maximise (default acc/top1)')
    parser.add_argument(
        '--workers', type=int, default=1,
        help='worker processes on this machine, one GPU each when there '
        'are GPUs (default 1)')
    parser.add_argument(
        '--keep-checkpoints', choices=('best', 'none'), default='best',
        help='per trial, keep the best checkpoint or none (default best)')
    parser.add_argument(
        '--heartbeat-interval', type=int, default=60,
        help='seconds between a running trial\'s heartbeats; a trial '
        'silent for twice as long (its worker died) is marked FAIL. '
        '0 turns it off (default 60)')
    parser.add_argument(
        '--work-dir',
        help='study folder: trials, plots, best config (default '
        'work_dirs/sweeps/<study name>)')
    parser.add_argument(
        '--cfg-options', nargs='+', action=ConfigOptionsAction,
        help='fixed overrides for every trial, key=value (e.g. '
        'train_cfg.max_epochs=3)')
    # set by --workers for the processes it starts
    parser.add_argument('--worker-index', type=int, default=0,
                        help=argparse.SUPPRESS)
    parser.add_argument('--no-report', action='store_true',
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    for name in ('n_trials', 'workers', 'max_trials'):
        value = getattr(args, name)
        if value is not None and value < 1:
            parser.error(f'--{name.replace("_", "-")} must be at least 1')
    for name in ('pruner_startup_trials', 'pruner_warmup_epochs',
                 'heartbeat_interval'):
        if getattr(args, name) < 0:
            parser.error(f'--{name.replace("_", "-")} must be 0 or more')
    return args


def settings_from_args(args) -> SweepSettings:
    study_name = args.study_name or osp.splitext(
        osp.basename(args.config))[0]
    study_dir = Path(args.work_dir or osp.join('work_dirs', 'sweeps',
                                               study_name))
    if not osp.isfile(args.config):
        raise DanceStyleError(f'config file not found: {args.config}')
    if not osp.isfile(args.search_space):
        raise DanceStyleError(
            f'search space file not found: {args.search_space}\n'
            f'The default is {DEFAULT_SPACE}; its comments show the format.')
    return SweepSettings(
        config=args.config, space_file=args.search_space,
        study_name=study_name,
        storage=args.storage or default_storage_url(study_dir),
        study_dir=study_dir, n_trials=args.n_trials, timeout=args.timeout,
        max_trials=args.max_trials, pruner=args.pruner,
        pruner_startup_trials=args.pruner_startup_trials,
        pruner_warmup_epochs=args.pruner_warmup_epochs,
        sampler=args.sampler, seed=args.seed, monitor=args.monitor,
        keep_checkpoints=args.keep_checkpoints,
        heartbeat_interval=args.heartbeat_interval or None,
        worker_index=args.worker_index, cfg_options=args.cfg_options or {})


def print_results(summary) -> None:
    states = summary['states']
    print(f'\nstudy {summary["study"]!r}: {summary["trials"]} trials '
          f'({states["COMPLETE"]} complete, {states["PRUNED"]} pruned, '
          f'{states["FAIL"]} failed, {states["RUNNING"]} running), '
          f'{summary["epochs_trained"]} epochs trained')
    best = summary['best']
    if best is None:
        print('no trial has completed yet')
        return
    print(f'best: trial {best["number"]}, top-1 {100 * best["value"]:.2f} %')
    for name, value in sorted(best['params'].items()):
        print(f'  {name} = {value}')
    print(f'best config: {summary["best_config"]}\n'
          f'train it:    python tools/train.py {summary["best_config"]}')


def main(argv=None):
    args = parse_args(argv)
    settings = settings_from_args(args)
    if args.workers > 1:
        from dance_style.sweep.workers import run_workers
        print_header(settings)
        validate(settings)  # fail here, not in every worker's log
        study = open_study(settings)  # created once, before the workers
        code = run_workers(
            osp.abspath(__file__),
            sys.argv[1:] if argv is None else list(argv),
            args.n_trials, args.workers, study, settings.study_dir)
    else:
        if not args.no_report:
            print_header(settings)
        study, ran = run_worker(settings)
        # a run whose every trial failed is a failed run (the reasons are
        # in the table); pruned trials count as working ones
        code = 1 if ran and all(t.state.name == 'FAIL' for t in ran) \
            and not args.no_report else 0
    if not args.no_report:
        from dance_style.sweep.report import write_report
        summary = write_report(study, settings)
        from dance_style.sweep.report import markdown_table, trial_rows
        print('\n' + markdown_table(trial_rows(study)), end='')
        print_results(summary)
        for line in summary['plots_skipped']:
            print(f'plot not drawn: {line}', file=sys.stderr)
        print(f'study folder: {settings.study_dir} (trials.md, summary.json, '
              'optimization_history.png, param_importances.png)')
    return code


if __name__ == '__main__':
    run_cli(main)
