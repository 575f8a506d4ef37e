"""Training curves: ``python tools/plot_curves.py WORK_DIR [WORK_DIR ...]``.

Draws training loss, validation loss and validation top-1 per epoch of one
or several runs (overlaid) as a PNG and prints them as a Markdown table:
the study's Table 1 and its figure.
"""
import argparse

from dance_style.cli import run_cli
from dance_style.curves import (markdown_table, plot_curves, read_curves,
                                run_names)
from dance_style.errors import DanceStyleError
from dance_style.fileio import write_text_atomic


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Plot loss and accuracy per epoch of training runs.')
    parser.add_argument('work_dirs', nargs='+', metavar='WORK_DIR',
                        help='folders tools/train.py wrote (its --work-dir)')
    parser.add_argument('--labels', nargs='+',
                        help='legend names, one per WORK_DIR (default: the '
                        'folder names)')
    parser.add_argument('--out', default='curves.png',
                        help='PNG to write (default curves.png)')
    parser.add_argument('--md', help='also write the table to this '
                        'Markdown file')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    labels = args.labels or run_names(args.work_dirs)
    if len(labels) != len(args.work_dirs):
        raise DanceStyleError(
            f'--labels has {len(labels)} names for {len(args.work_dirs)} '
            'work dirs')
    runs = {label: read_curves(d) for label, d in zip(labels, args.work_dirs)}
    table = markdown_table(runs)
    print(table, end='')
    plot_curves(runs, args.out)
    if args.md:
        write_text_atomic(args.md, table)
    print(f'curves: {args.out}')
    return 0


if __name__ == '__main__':
    run_cli(main)
