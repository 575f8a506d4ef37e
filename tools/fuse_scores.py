"""Late fusion: ``python tools/fuse_scores.py A.npz B.npz [--weights 1 1.5]``
or ``[--weights-from A_val.npz B_val.npz]``.

Averages the class probabilities that ``tools/test.py --dump`` saved for
several models (an RGB and a flow stream, or an ensemble of configs) and
prints top-1 / top-5 / mean class accuracy of each input and of the fusion.
``--weights-from`` picks the weights on validation dumps of the same models
(a grid in steps of 0.1; the best validation top-1), never on the test set.
The work happens in dance_style.fusion.
"""
import argparse

from dance_style.cli import run_cli
from dance_style.fusion import fuse_and_save


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Fuse the test scores of several models.')
    parser.add_argument('dumps', nargs='+', metavar='DUMP.npz',
                        help='files written by tools/test.py --dump, all '
                        'for the same test videos')
    parser.add_argument('--weights', type=float, nargs='+',
                        help='one weight per dump (default: equal); '
                        'normalised to sum 1')
    parser.add_argument('--weights-from', nargs='+', metavar='VAL.npz',
                        help='choose the weights on these validation dumps '
                        '(tools/test.py --dump on the val list), one per '
                        'DUMP.npz in the same order: the best validation '
                        'top-1 on a grid of steps of 0.1')
    parser.add_argument('--out', metavar='FUSED.npz',
                        help='also save the fused scores (same format)')
    parser.add_argument('--json', metavar='FILE',
                        help='also write the metrics as JSON')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    print(fuse_and_save(args.dumps, args.weights, out=args.out,
                        json_path=args.json, weights_from=args.weights_from))
    return 0


if __name__ == '__main__':
    run_cli(main)
