"""Stage 4: grouped, stratified, seeded train/val/test split.

    python data_prep/split.py --out data/dance19 [--split 90,5,5] [--seed 0]
        [--protocol leakfree|study] [--exclude-from CSV ...]

Clips from the same source video never straddle splits; under the default
leak-free protocol val and test hold no Kinetics train clip.
"""
import argparse

from dance_style.cli import run_cli
from dance_style.prep import build, options, report


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    options.add_root(parser)
    options.add_split(parser)
    args = parser.parse_args(argv)
    summary = build.split(args.out, options.split_ratios(args), args.seed,
                          args.protocol, args.exclude_from or ())
    print(report.format_split_summary(build.load(args.out), summary))
    return 0


if __name__ == '__main__':
    run_cli(main)
