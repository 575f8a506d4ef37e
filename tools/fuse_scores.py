"""Late fusion: ``python tools/fuse_scores.py A.npz B.npz [--weights 1 1.5]``.

Averages the class probabilities that ``tools/test.py --dump`` saved for
several models (an RGB and a flow stream, or an ensemble of configs) and
prints top-1 / top-5 / mean class accuracy of each input and of the fusion.
"""
import argparse
import json
import os.path as osp

import _bootstrap  # noqa: F401  repo root on sys.path

from dance_style.cli import run_cli
from dance_style.fileio import atomic_path, write_text_atomic
from dance_style.fusion import fuse_files


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Fuse the test scores of several models.')
    parser.add_argument('dumps', nargs='+', metavar='DUMP.npz',
                        help='files written by tools/test.py --dump, all '
                        'for the same test videos')
    parser.add_argument('--weights', type=float, nargs='+',
                        help='one weight per dump (default: equal); '
                        'normalised to sum 1')
    parser.add_argument('--out', metavar='FUSED.npz',
                        help='also save the fused scores (same format)')
    parser.add_argument('--json', metavar='FILE',
                        help='also write the metrics as JSON')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    singles, fused, fused_dump = fuse_files(args.dumps, args.weights)
    width = max(len(osp.basename(p)) for p in args.dumps + ['fused'])
    print(f'{"scores":<{width}}  {"top-1":>7}  {"top-5":>7}  '
          f'{"mean class":>10}')
    rows = list(zip([osp.basename(p) for p in args.dumps], singles))
    rows.append(('fused', fused))
    for name, metrics in rows:
        print(f'{name:<{width}}  {100 * metrics["top1"]:6.2f}%  '
              f'{100 * metrics["top5"]:6.2f}%  '
              f'{100 * metrics["mean_class"]:9.2f}%')
    if args.out:
        import numpy as np
        with atomic_path(args.out, suffix='.tmp.npz') as tmp:
            np.savez(tmp, **fused_dump)
    if args.json:
        write_text_atomic(args.json, json.dumps({
            'inputs': dict(zip(args.dumps, singles)), 'weights': args.weights,
            'fused': fused}, indent=2) + '\n')
    return 0


if __name__ == '__main__':
    run_cli(main)
