"""Stage 2: Let's Dance frame folders as clips with dance19 labels.

    python data_prep/letsdance_clips.py --letsdance-root /data/letsdance --out data/dance19

The class mapping lives in data_prep/letsdance_labels.csv (--letsdance-map).
"""
import argparse

import _bootstrap  # noqa: F401  repo root on sys.path

from dance_style.cli import run_cli
from dance_style.errors import DanceStyleError
from dance_style.prep import build, options


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


def format_letsdance_summary(records, summary) -> str:
    kept = sum(r.status == 'ok' for r in records)
    lines = [f"Let's Dance: {len(records)} clips in "
             f"{len(summary['clips_per_letsdance_class'])} classes, {kept} "
             'kept']
    for name, count in sorted(summary['clips_per_letsdance_class'].items()):
        mapped = next((r.label for r in records if r.original_label == name),
                      None)
        target = 'dropped' if mapped is None else f'-> label {mapped}'
        lines.append(f'  {name:<10} {count:>4} clips  {target}')
    if summary['ignored_files']:
        lines.append(f"  {summary['ignored_files']} files not named "
                     '<video>_<start>_<frame>.jpg were ignored')
    return '\n'.join(lines)


if __name__ == '__main__':
    run_cli(main)
