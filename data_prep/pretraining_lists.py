"""Which Kinetics train lists each config's checkpoint was trained on, and
which files a build for it would use.

    python data_prep/pretraining_lists.py                      # every config
    python data_prep/pretraining_lists.py configs/i3d_nl_dance.py \\
        --kinetics-root /data/k700-2020                       # the files found

The table is docs/data.md's (its pretraining-lists block, redrawn by
python tools/render_results.py); with --kinetics-root
(or --exclude-from) it also resolves the lists as data_prep/build_dataset.py
--for-config would, without building anything: the file used for each
list, or the error naming a missing one. The work happens in
dance_style.prep.exclusion.
"""
import argparse

from dance_style.cli import run_cli
from dance_style.prep import exclusion, exclusion_readme


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0].replace('\n', ' '))
    parser.add_argument(
        'configs', nargs='*', metavar='CONFIG',
        help="configs to look up (default: every config of "
        "configs/metafile.yml's Configs)")
    parser.add_argument(
        '--kinetics-root',
        help='the Kinetics-700-2020 download: also say which file in or '
        'beside it each needed list would be')
    parser.add_argument(
        '--exclude-from', nargs='+', metavar='[NAME=]CSV',
        help='lists given as build_dataset.py would get them (k400=PATH '
        'names the list a file is)')
    args = parser.parse_args(argv)
    if (args.kinetics_root or args.exclude_from) and not args.configs:
        parser.error('name the CONFIGs to find the lists of (as '
                     'build_dataset.py --for-config CONFIG ... would)')
    return args


def main(argv=None):
    args = parse_args(argv)
    configs = args.configs or exclusion_readme.metafile_configs()
    table = exclusion_readme.readme_table(configs)
    print(table, end='')
    if args.kinetics_root or args.exclude_from:
        plan = exclusion.make_plan(configs, args.exclude_from or (),
                                   args.kinetics_root)
        print('\n'.join(['', 'a build --for-config these would check val '
                         'and test against:'] + plan.describe()))
    return 0


if __name__ == '__main__':
    run_cli(main)
