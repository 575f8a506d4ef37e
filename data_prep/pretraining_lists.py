"""Which Kinetics train lists each config's checkpoint was trained on, and
which files a build for it would use.

    python data_prep/pretraining_lists.py                      # every config
    python data_prep/pretraining_lists.py configs/i3d_nl_dance.py \\
        --kinetics-root /data/k700-2020                       # the files found
    python data_prep/pretraining_lists.py --readme README.md   # its table

The table is what the README's data section shows; with --kinetics-root
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
    parser.add_argument(
        '--readme', metavar='README.md',
        help='rewrite the table between the <!-- pretraining-lists:begin '
        '--> and <!-- pretraining-lists:end --> lines of this file (every '
        'config; no CONFIG arguments)')
    args = parser.parse_args(argv)
    if args.readme and args.configs:
        parser.error('--readme writes the table of every config: give no '
                     'CONFIG with it')
    if (args.kinetics_root or args.exclude_from) and not args.configs:
        parser.error('name the CONFIGs to find the lists of (as '
                     'build_dataset.py --for-config CONFIG ... would)')
    return args


def main(argv=None):
    args = parse_args(argv)
    configs = args.configs or exclusion_readme.metafile_configs()
    table = exclusion_readme.readme_table(configs)
    print(table, end='')
    if args.readme:
        exclusion_readme.update_readme(args.readme, table)
        print(f'table rewritten in {args.readme}')
    if args.kinetics_root or args.exclude_from:
        plan = exclusion.make_plan(configs, args.exclude_from or (),
                                   args.kinetics_root)
        print('\n'.join(['', 'a build --for-config these would check val '
                         'and test against:'] + plan.describe()))
    return 0


if __name__ == '__main__':
    run_cli(main)
