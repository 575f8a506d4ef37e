"""Stage 6: annotation files, manifest, summary table and bar chart.

    python data_prep/write_annotations.py --out data/dance19 [--ann-dir DIR]
"""
import argparse

from dance_style.cli import run_cli
from dance_style.prep import build, options, report


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    options.add_root(parser)
    options.add_annotations(parser)
    args = parser.parse_args(argv)
    paths = build.write_outputs(args.out, args.ann_dir)
    print(report.format_summary(build.load(args.out)))
    for name, path in paths.items():
        print(f'{name:>9}: {path}')
    # what the split recorded it did not check val and test against
    for line in report.format_check_warning(build.split_summary_of(args.out)):
        print(line)
    return 0


if __name__ == '__main__':
    run_cli(main)
