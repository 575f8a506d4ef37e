"""Measure what pruning saves in a sweep: the same trials with and without it.

``python tools/benchmark_pruning.py [--trials 12] [--epochs 4] [--json OUT]``

Runs two sweeps of the default search space (the study's lr, dropout and
optimizer) on a small synthetic dataset: one with the median pruner, one
without. Both use random search with the same seed, so they draw the same
parameters in the same order and differ only in what pruning stopped early.
Reports epochs trained, wall time and best validation top-1 of each, and
their ratios, as JSON.
"""
import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import _bootstrap  # noqa: F401  repo root on sys.path

import dance_style  # noqa: F401  compat fixes before mmaction

from dance_style.cli import run_cli
from dance_style.fileio import write_text_atomic
from dance_style.sweep.report import summarize
from dance_style.sweep.storage import default_storage_url
from dance_style.sweep.study import SweepSettings, run_worker

CONFIG = 'configs/demo/i3d_nl_dance_synthetic.py'
SPACE = 'configs/sweeps/study_space.yaml'


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--trials', type=int, default=12,
                        help='trials per sweep (default 12)')
    parser.add_argument('--epochs', type=int, default=5,
                        help='epochs per unpruned trial (default 5)')
    # the tests' easy 3-class subset: learnable in a few CPU minutes, so
    # good and bad trials differ (on 6 or 19 classes every trial of a few
    # epochs stays near chance here, and pruning has nothing to tell apart)
    parser.add_argument('--classes', type=int, nargs='+',
                        default=[1, 14, 17],
                        help='synthetic classes to use (default 1 14 17)')
    parser.add_argument('--clips-per-class', type=int, default=40,
                        help='training clips per class (default 40)')
    parser.add_argument('--seed', type=int, default=0,
                        help='sampler and training seed (default 0)')
    parser.add_argument('--work-dir', default='work_dirs/benchmark_pruning',
                        help='where both studies go (replaced)')
    parser.add_argument('--json', help='also write the results here')
    return parser.parse_args(argv)


def sweep(name: str, pruner: str, args, data_options: dict) -> dict:
    study_dir = Path(args.work_dir) / name
    settings = SweepSettings(
        config=CONFIG, space_file=SPACE, study_name=name,
        storage=default_storage_url(study_dir), study_dir=study_dir,
        n_trials=args.trials, pruner=pruner, pruner_startup_trials=3,
        pruner_warmup_epochs=1, sampler='random', seed=args.seed,
        keep_checkpoints='none', heartbeat_interval=None,
        cfg_options=dict(data_options, **{
            'train_cfg.max_epochs': args.epochs,
            # a plain cosine over the short run, no warm-up epoch
            'param_scheduler': [dict(
                type='CosineAnnealingLR', T_max=args.epochs, eta_min=0,
                by_epoch=True, begin=0, end=args.epochs,
                convert_to_iter_based=True)],
            'custom_hooks': [],
        }))
    start = time.perf_counter()
    study, _ = run_worker(settings)
    seconds = time.perf_counter() - start
    summary = summarize(study)
    return {
        'pruner': pruner,
        'trials': summary['trials'],
        'states': summary['states'],
        'epochs_trained': summary['epochs_trained'],
        'wall_s': round(seconds, 1),
        'best_top1': summary['best']['value'] if summary['best'] else None,
        'best_trial': summary['best']['number'] if summary['best'] else None,
    }


def main(argv=None):
    args = parse_args(argv)
    import shutil
    shutil.rmtree(args.work_dir, ignore_errors=True)
    from dance_style.synthetic import generate_dataset
    with tempfile.TemporaryDirectory() as data:
        generate_dataset(
            data, clips_per_class=args.clips_per_class, val_per_class=10,
            test_per_class=1, classes=args.classes, size=(64, 64),
            num_frames=48, fps=16.0, seed=args.seed, workers=2,
            progress=False)
        options = {}
        for split in ('train', 'val', 'test'):
            options[f'{split}_dataloader.dataset.ann_file'] = \
                f'{data}/annotations/dance19_{split}.txt'
            options[f'{split}_dataloader.dataset.data_prefix.video'] = data
        results = {
            'command': 'python tools/benchmark_pruning.py '
                       + ' '.join(sys.argv[1:] if argv is None else argv),
            'config': CONFIG, 'search_space': SPACE,
            'trials': args.trials, 'epochs': args.epochs,
            'classes': args.classes, 'clips_per_class': args.clips_per_class,
            'with_pruning': sweep('median', 'median', args, options),
            'without_pruning': sweep('none', 'none', args, options),
        }
    pruned, full = results['with_pruning'], results['without_pruning']
    results['epochs_ratio'] = round(
        pruned['epochs_trained'] / full['epochs_trained'], 3)
    results['time_ratio'] = round(pruned['wall_s'] / full['wall_s'], 3)
    text = json.dumps(results, indent=2)
    print(text)
    if args.json:
        write_text_atomic(args.json, text + '\n')
    return 0


if __name__ == '__main__':
    run_cli(main)
