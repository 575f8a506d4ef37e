"""Draw every figure of README.md and docs/*.md from its run record
(docs/results/*.json), between the markers of dance_style.render:

    python tools/render_results.py            # rewrite what differs
    python tools/render_results.py --check    # exit 1 where a figure differs

A figure is changed by running the command that measured it again (its
record says which), never by hand: tests/test_records.py fails on a
hand-edited one.
"""
import argparse
from pathlib import Path

from dance_style.cli import run_cli


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Render the figures of the README and docs/ from the '
        'run records in docs/results/.')
    parser.add_argument('files', nargs='*', type=Path,
                        help='Markdown files (default: README.md and every '
                        'docs/**/*.md)')
    parser.add_argument('--check', action='store_true',
                        help='change nothing; exit 1 and list the figures '
                        'that differ from their records')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    # the configs table builds each config's model (dance_style.recipe)
    from dance_style.register import register_all_modules
    register_all_modules()
    from dance_style.render import documents, render_files
    changed = render_files(args.files or documents(), check=args.check)
    for path, markers in changed:
        verb = 'differs' if args.check else 'rendered'
        for marker in markers:
            print(f'{path}: {marker} {verb}')
    if not changed:
        print('every figure matches its record')
    return 1 if changed and args.check else 0


if __name__ == '__main__':
    run_cli(main)
