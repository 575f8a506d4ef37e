"""Stage 2: Let's Dance frame folders as clips with dance19 labels.

    python data_prep/letsdance_clips.py --letsdance-root /data/letsdance --out data/dance19

The class mapping lives in data_prep/letsdance_labels.csv (--letsdance-map).
"""
import argparse

from dance_style.cli import run_cli
from dance_style.errors import DanceStyleError
from dance_style.prep import build, options
from dance_style.prep.report import format_letsdance_summary


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    options.add_root(parser)
    options.add_letsdance(parser)
    args = parser.parse_args(argv)
    if not args.letsdance_root:
        raise DanceStyleError('--letsdance-root is required')
    records, summary = build.collect_letsdance(
        args.out, args.letsdance_root, args.letsdance_map,
        args.letsdance_clip_seconds)
    print(format_letsdance_summary(records, summary))
    return 0


if __name__ == '__main__':
    run_cli(main)
