"""The sweep as one command: its flags, one worker or several, the report.

``tools/sweep.py`` is a thin CLI over :func:`main`. With ``--workers K``
this process opens the study once and starts K worker processes
(:mod:`.workers`), each running its share of trials from the settings file
it is given; afterwards, or with one worker right here, the report is
written (:mod:`.report`).
"""
import argparse
import os.path as osp
import sys
from pathlib import Path
from typing import Dict, Optional

from ..cli import ConfigOptionsAction
from ..errors import DanceStyleError
from ..resources import STUDY_SPACE, shown
from .storage import STORAGE_ENV, describe, passwords, resolve_storage
from .study import PRUNERS, SAMPLERS, SweepSettings


def build_parser() -> argparse.ArgumentParser:
    """Every flag of ``tools/sweep.py``."""
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
        'postgresql://user@host/db) or a journal file (*.journal). '
        f'Default: ${STORAGE_ENV}, else sqlite in the study folder. A '
        'password here shows in ps and shell history: put the whole URL '
        f'in ${STORAGE_ENV} or the password in --storage-password-file')
    parser.add_argument(
        '--storage-password-file', metavar='FILE',
        help='read the storage URL\'s password from the first line of FILE, '
        'which only you may read (chmod 600 FILE); logs and files show the '
        'URL with *** for it')
    parser.add_argument(
        '--search-space', default=str(STUDY_SPACE),
        help=f'YAML file of dotted config paths and how to draw them '
        f'(default {shown(STUDY_SPACE)}: the study\'s lr, dropout, '
        'optimizer)')
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
        '--data-root', metavar='DIR',
        help='dataset folder for every trial: lists read from '
        'DIR/annotations, clips relative to DIR (default: the config\'s '
        'paths)')
    parser.add_argument(
        '--cfg-options', nargs='+', action=ConfigOptionsAction,
        help='fixed overrides for every trial, key=value (e.g. '
        'train_cfg.max_epochs=3)')
    return parser


def parse_args(argv=None) -> argparse.Namespace:
    """The flags, with the range checks argparse cannot do."""
    parser = build_parser()
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


def settings_from_args(args: argparse.Namespace) -> SweepSettings:
    """One worker's settings from the flags (the files checked first)."""
    study_name = args.study_name or osp.splitext(
        osp.basename(args.config))[0]
    study_dir = Path(args.work_dir or osp.join('work_dirs', 'sweeps',
                                               study_name))
    if not osp.isfile(args.config):
        raise DanceStyleError(f'config file not found: {args.config}')
    if not osp.isfile(args.search_space):
        raise DanceStyleError(
            f'search space file not found: {args.search_space}\n'
            f'The default is {shown(STUDY_SPACE)}; its comments show the '
            'format.')
    if args.storage and passwords(args.storage):
        print(f'note: the password in --storage {describe(args.storage)} is '
              'visible to other users (ps) and in your shell history; set '
              f'{STORAGE_ENV} or pass --storage-password-file instead',
              file=sys.stderr)
    return SweepSettings(
        config=args.config, space_file=args.search_space,
        study_name=study_name,
        storage=resolve_storage(args.storage, args.storage_password_file,
                                study_dir),
        study_dir=study_dir, n_trials=args.n_trials, timeout=args.timeout,
        max_trials=args.max_trials, pruner=args.pruner,
        pruner_startup_trials=args.pruner_startup_trials,
        pruner_warmup_epochs=args.pruner_warmup_epochs,
        sampler=args.sampler, seed=args.seed, monitor=args.monitor,
        keep_checkpoints=args.keep_checkpoints,
        heartbeat_interval=args.heartbeat_interval or None,
        data_root=args.data_root, cfg_options=args.cfg_options or {})


def format_results(summary: Dict) -> str:
    """The closing lines: trial counts, the best trial, how to train it."""
    states = summary['states']
    lines = [f'\nstudy {summary["study"]!r}: {summary["trials"]} trials '
             f'({states["COMPLETE"]} complete, {states["PRUNED"]} pruned, '
             f'{states["FAIL"]} failed, {states["RUNNING"]} running), '
             f'{summary["epochs_trained"]} epochs trained']
    best = summary['best']
    if best is None:
        lines.append('no trial has completed yet')
        return '\n'.join(lines)
    lines.append(f'best: trial {best["number"]}, top-1 '
                 f'{100 * best["value"]:.2f} %')
    lines += [f'  {name} = {value}'
              for name, value in sorted(best['params'].items())]
    lines.append(f'best config: {summary["best_config"]}\n'
                 f'train it:    python tools/train.py '
                 f'{summary["best_config"]}')
    return '\n'.join(lines)


def report(study, settings: SweepSettings) -> None:
    """Write the study's report files and print its table and best trial."""
    from .report import markdown_table, trial_rows, write_report
    summary = write_report(study, settings)
    print('\n' + markdown_table(trial_rows(study)), end='')
    print(format_results(summary))
    for line in summary['plots_skipped']:
        print(f'plot not drawn: {line}', file=sys.stderr)
    print(f'study folder: {settings.study_dir} (trials.md, summary.json, '
          'optimization_history.png, param_importances.png)')


def sweep(settings: SweepSettings, workers: int = 1) -> int:
    """Run the sweep with ``workers`` processes (this one when 1) and write
    its report; returns the exit status: a failed worker's, else 1 when
    every trial this run added failed (the reasons are in the table;
    pruned trials count as working ones), else 0."""
    from .study import open_study, print_header, run_worker, validate
    print_header(settings)
    code = 0
    if workers > 1:
        from .workers import run_workers
        validate(settings)  # fail here, not in every worker's log
        study = open_study(settings)  # created once, before the workers
        before = {t.number for t in study.get_trials(deepcopy=False)}
        code = run_workers(settings, workers, study)
        ran = [t for t in study.get_trials(deepcopy=False)
               if t.number not in before]
    else:
        study, ran = run_worker(settings)
    if not code and ran and all(t.state.name == 'FAIL' for t in ran):
        code = 1
    report(study, settings)
    return code


def main(argv: Optional[list] = None) -> int:
    """``tools/sweep.py``."""
    args = parse_args(argv)
    from ..register import register_all_modules
    register_all_modules()
    return sweep(settings_from_args(args), args.workers)
