"""Stage 1: the 19 dance labels of Kinetics-700-2020, found on disk.

    python data_prep/kinetics_filter.py --kinetics-root /data/k700-2020 --out data/dance19

Prints found and missing clips per class and the folder layout(s) seen.
"""
import argparse

from dance_style.cli import run_cli
from dance_style.errors import DanceStyleError
from dance_style.prep import build, options
from dance_style.prep.report import format_kinetics_summary


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    options.add_root(parser)
    options.add_kinetics(parser)
    args = parser.parse_args(argv)
    if not args.kinetics_root:
        raise DanceStyleError('--kinetics-root is required')
    _, summary = build.collect_kinetics(args.out, args.kinetics_root,
                                        args.kinetics_csv)
    print(format_kinetics_summary(summary))
    return 0


if __name__ == '__main__':
    run_cli(main)
