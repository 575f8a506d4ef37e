"""Test a checkpoint: ``python tools/test.py CONFIG CHECKPOINT [options]``.

Prints top-1, top-5 and mean class accuracy; writes per_class_accuracy.md,
confusion_matrix.png and test_metrics.json into the work dir; ``--dump``
saves every video's scores for tools/fuse_scores.py.
"""
import argparse
import os

from dance_style.cli import add_run_flags, run_cli


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Test a dance-style recognizer (multi-view).')
    parser.add_argument('config', help='config file the model was trained '
                        'with')
    parser.add_argument('checkpoint', help='checkpoint to test: a .pth '
                        'file, a URL, or a name of configs/metafile.yml '
                        '(downloaded once)')
    add_run_flags(parser, 'testing', 'the report files',
                  'test_dataloader.dataset.ann_file=annotations/'
                  'dance19_val.txt')
    parser.add_argument(
        '--dump', metavar='FILE.npz',
        help='also save every video\'s class scores, labels and file names '
        'to this .npz, for tools/fuse_scores.py')
    args = parser.parse_args(argv)
    if args.dump and not args.dump.endswith('.npz'):
        args.dump += '.npz'  # what numpy would write; say the real name
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def main(argv=None):
    args = parse_args(argv)
    # after --help and argument errors, which need no torch or mmaction
    from dance_style.register import register_all_modules
    register_all_modules()
    from dance_style.config import prepare
    from dance_style.distributed import end_distributed
    from dance_style.evaluate import apply_test_args, format_metrics, test
    cfg = prepare(args.config)
    cfg = apply_test_args(
        cfg, args.config, args.checkpoint, work_dir=args.work_dir,
        cfg_options=args.cfg_options, launcher=args.launcher,
        dump=args.dump, data_root=args.data_root)
    summary = []
    metrics = test(cfg, summary)
    end_distributed()  # every rank is done: leave the process group
    print('\n'.join(summary))
    print(format_metrics(metrics))
    print(f'per-class accuracy and confusion matrix: {cfg.work_dir}')
    if args.dump:
        print(f'scores: {args.dump}')
    return 0


if __name__ == '__main__':
    run_cli(main)
