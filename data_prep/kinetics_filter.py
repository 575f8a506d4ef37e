"""Stage 1: the 19 dance labels of Kinetics-700-2020, found on disk.

    python data_prep/kinetics_filter.py --kinetics-root /data/k700-2020 --out data/dance19

Prints found and missing clips per class and the folder layout(s) seen.
"""
import argparse

import _bootstrap  # noqa: F401  repo root on sys.path

from dance_style.cli import run_cli
from dance_style.classes import DANCE19_CLASSES
from dance_style.errors import DanceStyleError
from dance_style.prep import build, options


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


def format_kinetics_summary(summary: dict) -> str:
    lines = []
    for path, counts in summary['csv'].items():
        lines.append(f'{path}: {counts.get("rows", 0)} rows, '
                     f'{counts.get("dance", 0)} of the 19 labels, '
                     f'{counts.get("malformed", 0)} malformed')
    width = max(len(n) for n in DANCE19_CLASSES)
    lines.append(f'{"class":<{width}}  {"found":>6}  {"missing":>7}')
    for name in DANCE19_CLASSES:
        lines.append(f'{name:<{width}}  {summary["found"][name]:>6}  '
                     f'{summary["missing"][name]:>7}')
    found, missing = (sum(summary[k].values()) for k in ('found', 'missing'))
    share = 100 * missing / max(found + missing, 1)
    lines.append(f'{"total":<{width}}  {found:>6}  {missing:>7}  '
                 f'({share:.1f} % missing)')
    lines.append('layouts: ' + (', '.join(
        f'{k} ({v})' for k, v in summary['layouts'].items()) or 'none'))
    return '\n'.join(lines)


if __name__ == '__main__':
    run_cli(main)
