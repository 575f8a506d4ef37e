"""Train a recognizer: ``python tools/train.py CONFIG [options]``.

Mirrors mmaction2's tools/train.py; the work happens in dance_style.train.
"""
import argparse
import os

from dance_style.cli import add_run_flags, run_cli


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Train a dance-style recognizer from a config.')
    parser.add_argument('config', help='config file, e.g. '
                        'configs/i3d_nl_dance.py')
    parser.add_argument(
        '--resume',
        nargs='?',
        const='auto',
        metavar='CKPT',
        help='resume from CKPT, or with no value from the latest checkpoint '
        'in the work dir (optimizer, scheduler, epoch restored)')
    parser.add_argument(
        '--amp', action='store_true',
        help='mixed precision: AmpOptimWrapper on a GPU; bfloat16 autocast '
        'on a CPU with AVX512-BF16 or AMX, after a check that bf16 gives '
        'finite values that agree with float32 for this model on this CPU '
        '(seconds, cached); refused where the check fails or the CPU would '
        'emulate bf16')
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
    add_run_flags(parser, 'training', 'logs and checkpoints',
                  'train_cfg.max_epochs=2 load_from=None')
    args = parser.parse_args(argv)
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def main(argv=None):
    args = parse_args(argv)
    # after --help and argument errors, which need no torch or mmaction
    from dance_style.register import register_all_modules
    register_all_modules()
    from dance_style.config import prepare
    from dance_style.distributed import end_distributed
    from dance_style.train import apply_train_args, train
    cfg = prepare(args.config)
    cfg = apply_train_args(
        cfg, args.config, work_dir=args.work_dir, resume=args.resume,
        amp=args.amp, seed=args.seed, deterministic=args.deterministic,
        no_validate=args.no_validate, auto_scale_lr=args.auto_scale_lr,
        cfg_options=args.cfg_options, launcher=args.launcher,
        data_root=args.data_root)
    metrics = train(cfg)
    end_distributed()  # every rank is done: leave the process group
    if metrics:
        shown = ', '.join(f'{k}={v:.4f}' for k, v in sorted(metrics.items()))
        print(f'last validation: {shown}')
    print(f'checkpoints and logs: {cfg.work_dir}')
    return 0


if __name__ == '__main__':
    run_cli(main)
