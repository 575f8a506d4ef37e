"""Stage 4: grouped, stratified, seeded train/val/test split.

    python data_prep/split.py --out data/dance19 [--split 90,5,5] [--seed 0]
        [--protocol leakfree|study] [--exclude-from [NAME=]CSV ...]
        [--for-config CONFIG ... [--kinetics-root DIR]
         [--allow-pretraining-overlap]]

Clips from the same source video never straddle splits; under the default
leak-free protocol val and test hold no Kinetics train clip.
"""
import argparse

from dance_style.cli import run_cli
from dance_style.prep import build, exclusion, options, report


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    options.add_root(parser)
    options.add_split(parser)
    options.add_pretraining_check(parser, lookup_root=True)
    args = parser.parse_args(argv)
    ratios = options.split_ratios(args)
    plan = exclusion.make_plan(
        args.for_config or (), args.exclude_from or (), args.kinetics_root,
        args.allow_pretraining_overlap)
    for line in plan.describe():
        print(line)
    summary = build.split(args.out, ratios, args.seed, args.protocol,
                          plan=plan)
    print(report.format_split_summary(build.load(args.out), summary))
    return 0


if __name__ == '__main__':
    run_cli(main)
