"""Optical flow for the flow stream of Two-Stream I3D.

    python data_prep/extract_flow.py --root data/dance19 [--method tvl1|farneback] [--workers 8]

Reads the dataset's annotation lists (``--ann-dir``, by default where
build_dataset.py writes them for --root: ``annotations/`` for data/dance19,
``<root>/annotations`` for any other root; ``dance19_{train,val,test}.txt``,
video paths relative to --root), computes flow between consecutive
frames (TV-L1 from opencv-contrib, or Farneback), clips it to [-20, 20] px,
quantises it to 8 bits and stores x/y JPEG frames per clip under
``<root>/flow/`` (mmaction2's rawframe layout for the Flow modality; see
dance_style/prep/flow.py for the choice). Writes rawframe annotation lists
``dance19_flow_{split}.txt`` beside the others (what the flow configs read)
and ``flow/summary.json``.
Finished clips are skipped, so a killed run is completed by running again;
unreadable videos are recorded and skipped. The work happens in
dance_style.prep.flow_dataset.

On several machines: ``--shard K/N`` on each (K = 1..N; every N-th clip of
the sorted list, so the same lists give the same shards everywhere) writes
only that shard's clips, then one run without ``--shard`` writes the lists.
tools/slurm_extract_flow.sh does both as a Slurm job array.
"""
import argparse

from dance_style.cli import run_cli
from dance_style.prep.flow import METHODS
from dance_style.prep.flow_dataset import (extract_dataset_flow,
                                           format_flow_summary, parse_shard)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--root', default='data/dance19',
                        help='dataset root the annotation paths are relative '
                        'to (default data/dance19)')
    parser.add_argument('--ann-dir',
                        help='folder of dance19_{train,val,test}.txt, where '
                        'the flow lists go too (default: the root\'s list '
                        'folder, as build_dataset.py writes it: annotations/ '
                        'for data/dance19, <root>/annotations for any other '
                        'root)')
    parser.add_argument('--out', help='flow root (default <root>/flow)')
    parser.add_argument('--method', choices=METHODS, default='tvl1',
                        help='TV-L1 (the paper\'s, default) or Farneback '
                        '(faster, coarser)')
    parser.add_argument('--short-side', type=int, default=0,
                        help='resize frames to this short side first (default '
                        '0: as stored; normalised clips are 256 already)')
    parser.add_argument('--workers', type=int, default=1,
                        help='processes (default 1)')
    parser.add_argument('--shard', metavar='K/N',
                        help='extract only shard K of N (1 <= K <= N) and '
                        'write no lists; after all N, run once without '
                        '--shard to write them (finished clips are skipped)')
    parser.add_argument('--no-progress', action='store_true',
                        help='no progress bar')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    shard = parse_shard(args.shard) if args.shard else None
    summary = extract_dataset_flow(
        args.root, ann_dir=args.ann_dir, out=args.out, method=args.method,
        short_side=args.short_side, workers=args.workers,
        progress=not args.no_progress, shard=shard)
    print(format_flow_summary(summary))
    return 0


if __name__ == '__main__':
    run_cli(main)
