"""Build the dance19 dataset from Kinetics-700-2020 and Let's Dance, in one
command.

    python data_prep/build_dataset.py --kinetics-root /data/k700-2020 \\
        --letsdance-root /data/letsdance --out data/dance19

Runs the stages in order (each is also a script of its own in data_prep/):
Kinetics filter, Let's Dance clips, normalise, split, offline augmentation,
annotation files + manifest. Rerunning skips finished work; a killed run is
completed by running the same command again. The work happens in
dance_style.prep.build.
"""
from dance_style.cli import run_cli
from dance_style.prep import build, options


def main(argv=None):
    parser = options.build_parser(
        __doc__.split('\n\n')[0].replace('\n', ' '))
    build.build_dataset(parser.parse_args(argv))
    return 0


if __name__ == '__main__':
    run_cli(main)
