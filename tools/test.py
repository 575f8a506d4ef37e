"""Test a checkpoint: ``python tools/test.py CONFIG CHECKPOINT [options]``.

Prints top-1, top-5 and mean class accuracy; writes per_class_accuracy.md,
confusion_matrix.png and test_metrics.json into the work dir; ``--dump``
saves every video's scores for tools/fuse_scores.py.
"""
import argparse
import os

import _bootstrap  # noqa: F401  repo root on sys.path

import dance_style  # noqa: F401  compat fixes before mmaction

from dance_style.cli import ConfigOptionsAction, run_cli
from dance_style.distributed import end_distributed
from dance_style.evaluate import apply_test_args, format_metrics, test
from dance_style.train import load_config


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Test a dance-style recognizer (multi-view).')
    parser.add_argument('config', help='config file the model was trained '
                        'with')
    parser.add_argument('checkpoint', help='checkpoint (.pth) to test')
    parser.add_argument(
        '--work-dir',
        help='folder for the report files (default: work_dirs/<config '
        'name>)')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=ConfigOptionsAction,
        help='override config keys, key=value (e.g. '
        'test_dataloader.dataset.ann_file=annotations/dance19_val.txt)')
    parser.add_argument(
        '--dump', metavar='FILE.npz',
        help='also save every video\'s class scores, labels and file names '
        'to this .npz, for tools/fuse_scores.py')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher for distributed testing (pytorch = torchrun)')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0,
                        help='set by torch.distributed.launch')
    args = parser.parse_args(argv)
    if args.dump and not args.dump.endswith('.npz'):
        args.dump += '.npz'  # what numpy would write; say the real name
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def main(argv=None):
    args = parse_args(argv)
    cfg = load_config(args.config)
    cfg = apply_test_args(
        cfg, args.config, args.checkpoint, work_dir=args.work_dir,
        cfg_options=args.cfg_options, launcher=args.launcher,
        dump=args.dump)
    metrics = test(cfg)
    end_distributed()  # every rank is done: leave the process group
    print(format_metrics(metrics))
    print(f'per-class accuracy and confusion matrix: {cfg.work_dir}')
    if args.dump:
        print(f'scores: {args.dump}')
    return 0


if __name__ == '__main__':
    run_cli(main)
