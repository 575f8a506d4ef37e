"""Train a recognizer: ``python tools/train.py CONFIG [options]``.

Mirrors mmaction2's tools/train.py; the work happens in dance_style.train.
"""
import argparse
import os

import _bootstrap  # noqa: F401  repo root on sys.path

import dance_style  # noqa: F401  compat fixes before mmaction

from dance_style.cli import ConfigOptionsAction, run_cli
from dance_style.distributed import end_distributed
from dance_style.train import apply_train_args, load_config, train


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Train a dance-style recognizer from a config.')
    parser.add_argument('config', help='config file, e.g. '
                        'configs/i3d_nl_dance.py')
    parser.add_argument(
        '--work-dir',
        help='folder for logs and checkpoints (default: '
        'work_dirs/<config name>)')
    parser.add_argument(
        '--resume',
        nargs='?',
        const='auto',
        metavar='CKPT',
        help='resume from CKPT, or with no value from the latest checkpoint '
        'in the work dir (optimizer, scheduler, epoch restored)')
    parser.add_argument(
        '--amp', action='store_true',
        help='automatic mixed precision (AmpOptimWrapper)')
    parser.add_argument(
        '--no-validate', action='store_true',
        help='skip validation during training')
    parser.add_argument(
        '--auto-scale-lr', action='store_true',
        help='scale the learning rate linearly from the config\'s '
        'auto_scale_lr.base_batch_size (64 = mmaction2\'s 8 GPUs x 8 clips) '
        'to the actual total batch')
    parser.add_argument('--seed', type=int, default=None,
                        help='random seed (overrides randomness.seed)')
    parser.add_argument(
        '--deterministic', action='store_true',
        help='deterministic cuDNN algorithms (slower)')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=ConfigOptionsAction,
        help='override config keys, key=value (e.g. '
        'train_cfg.max_epochs=2 load_from=None)')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher for distributed training (pytorch = torchrun)')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0,
                        help='set by torch.distributed.launch; prefer '
                        'torchrun, which sets LOCAL_RANK')
    args = parser.parse_args(argv)
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def main(argv=None):
    args = parse_args(argv)
    cfg = load_config(args.config)
    cfg = apply_train_args(
        cfg, args.config, work_dir=args.work_dir, resume=args.resume,
        amp=args.amp, seed=args.seed, deterministic=args.deterministic,
        no_validate=args.no_validate, auto_scale_lr=args.auto_scale_lr,
        cfg_options=args.cfg_options,
        launcher=args.launcher)
    metrics = train(cfg)
    end_distributed()  # every rank is done: leave the process group
    if metrics:
        shown = ', '.join(f'{k}={v:.4f}' for k, v in sorted(metrics.items()))
        print(f'last validation: {shown}')
    print(f'checkpoints and logs: {cfg.work_dir}')
    return 0


if __name__ == '__main__':
    run_cli(main)
