"""Stage 3: re-encode the collected clips for fast decoding.

    python data_prep/normalise.py --out data/dance19 [--short-side 256] [--fps 30] [--workers 8]

H.264 .mp4, short side 256 (scaled down only), constant frame rate, a
keyframe every 16 frames; with PyAV, no system ffmpeg. Finished clips are
skipped, so an interrupted run is completed by running it again.
"""
import argparse

from dance_style.cli import run_cli
from dance_style.prep import build, options


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    options.add_root(parser)
    options.add_normalise(parser)
    args = parser.parse_args(argv)
    counts = build.normalise(args.out, **options.normalise_options(args))
    print(f'normalised: {counts["written"]} written, {counts["skipped"]} '
          f'already there, {counts["failed"]} skipped (see the manifest)')
    return 0


if __name__ == '__main__':
    run_cli(main)
