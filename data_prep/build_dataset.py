"""Build the dance19 dataset from Kinetics-700-2020 and Let's Dance, in one
command.

    python data_prep/build_dataset.py --kinetics-root /data/k700-2020 \\
        --letsdance-root /data/letsdance --out data/dance19

Runs the stages in order (each is also a script of its own in data_prep/):
Kinetics filter, Let's Dance clips, normalise, split, offline augmentation,
annotation files + manifest. Rerunning skips finished work; a killed run is
completed by running the same command again.
"""
import argparse
import time

import _bootstrap  # noqa: F401  repo root on sys.path
from kinetics_filter import format_kinetics_summary
from letsdance_clips import format_letsdance_summary

from dance_style.cli import run_cli
from dance_style.errors import DanceStyleError
from dance_style.prep import build, options, report
from dance_style.prep.augment import parse_augmentations


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0].replace('\n', ' '),
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    options.add_root(parser)
    options.add_kinetics(parser)
    options.add_letsdance(parser)
    options.add_normalise(parser)
    options.add_split(parser)
    options.add_augment(parser)
    options.add_annotations(parser)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if not args.kinetics_root and not args.letsdance_root:
        raise DanceStyleError('give --kinetics-root, --letsdance-root or both')
    augmentations = parse_augmentations(args.augment)  # fail before work
    ratios = options.split_ratios(args)
    aug_options = options.augment_options(args)
    start = time.time()
    if args.kinetics_root:
        print('== 1/6 Kinetics-700-2020: the 19 dance labels')
        _, summary = build.collect_kinetics(args.out, args.kinetics_root,
                                            args.kinetics_csv)
        print(format_kinetics_summary(summary))
    if args.letsdance_root:
        print("== 2/6 Let's Dance: frames to clips, labels mapped")
        records, summary = build.collect_letsdance(
            args.out, args.letsdance_root, args.letsdance_map,
            args.letsdance_clip_seconds)
        print(format_letsdance_summary(records, summary))
    print(f'== 3/6 normalise: short side {args.short_side}, '
          f'{args.fps:g} fps, H.264')
    counts = build.normalise(args.out, **options.normalise_options(args))
    print(f'{counts["written"]} written, {counts["skipped"]} already there, '
          f'{counts["failed"]} skipped')
    print(f'== 4/6 split {args.split} (grouped by source video, seed '
          f'{args.seed})')
    build.split(args.out, ratios, args.seed)
    print(f'== 5/6 offline augmentation: {", ".join(augmentations) or "none"}')
    result = build.augment(args.out, augmentations, **aug_options)
    for failure in result['failures']:
        print(f'  failed: {failure}')
    print('== 6/6 annotation files and manifest')
    paths = build.write_outputs(args.out, args.ann_dir)
    print(report.format_summary(build.load(args.out)))
    for name, path in paths.items():
        print(f'{name:>9}: {path}')
    print(f'done in {time.time() - start:.0f} s')
    return 0


if __name__ == '__main__':
    run_cli(main)
