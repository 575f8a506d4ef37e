"""Stage 4: grouped, stratified, seeded train/val/test split.

    python data_prep/split.py --out data/dance19 [--split 90,5,5] [--seed 0]

Clips from the same source video never straddle splits.
"""
import argparse

from dance_style.cli import run_cli
from dance_style.prep import build, options


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    options.add_root(parser)
    options.add_split(parser)
    args = parser.parse_args(argv)
    counts = build.split(args.out, options.split_ratios(args), args.seed)
    print(', '.join(f'{split} {sum(per_label.values())}'
                    for split, per_label in counts.items()))
    return 0


if __name__ == '__main__':
    run_cli(main)
