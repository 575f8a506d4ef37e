"""Optical flow for the flow stream of Two-Stream I3D.

    python data_prep/extract_flow.py --root data/dance19 [--method tvl1|farneback] [--workers 8]

Reads the dataset's annotation lists (``annotations/dance19_{train,val,test}
.txt``, video paths relative to --root), computes flow between consecutive
frames (TV-L1 from opencv-contrib, or Farneback), clips it to [-20, 20] px,
quantises it to 8 bits and stores x/y JPEG frames per clip under
``<root>/flow/`` (mmaction2's rawframe layout for the Flow modality; see
dance_style/prep/flow.py for the choice). Writes rawframe annotation lists
``annotations/dance19_flow_{split}.txt`` (``<folder> <frames> <label>``,
the folder relative to --root; it may contain spaces, so split each line
from the right) and
``flow/summary.json`` with each clip's status and the cost per clip.
Finished clips are skipped, so a killed run is completed by running again;
unreadable videos are recorded and skipped.
"""
import argparse
import json
import os
import statistics
import sys
from pathlib import Path

import _bootstrap  # noqa: F401  repo root on sys.path

from dance_style.cli import run_cli
from dance_style.errors import DanceStyleError
from dance_style.fileio import write_text_atomic
from dance_style.prep.flow import (METHODS, extract_clip, flow_folder,
                                   remove_stale_temp_dirs)
from dance_style.prep.pool import run_tasks

SPLITS = ('train', 'val', 'test')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--root', default='data/dance19',
                        help='dataset root the annotation paths are relative '
                        'to (default data/dance19)')
    parser.add_argument('--ann-dir',
                        help='folder of dance19_{train,val,test}.txt '
                        '(default <root>/annotations)')
    parser.add_argument('--out', help='flow root (default <root>/flow)')
    parser.add_argument('--method', choices=METHODS, default='tvl1',
                        help='TV-L1 (the paper\'s, default) or Farneback '
                        '(faster, coarser)')
    parser.add_argument('--short-side', type=int, default=0,
                        help='resize frames to this short side first (default '
                        '0: as stored; normalised clips are 256 already)')
    parser.add_argument('--workers', type=int, default=1,
                        help='processes (default 1)')
    parser.add_argument('--no-progress', action='store_true',
                        help='no progress bar')
    return parser.parse_args(argv)


def read_list(path: Path):
    """(relative video path, label) per line; paths may hold spaces."""
    entries = []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip():
            continue
        video, _, label = line.rpartition(' ')
        if not video or not label.isdigit():
            raise DanceStyleError(f'{path}:{number}: expected "<video> '
                                  f'<label>", got {line!r}')
        entries.append((video, int(label)))
    return entries


def main(argv=None):
    args = parse_args(argv)
    root = Path(args.root)
    ann_dir = Path(args.ann_dir) if args.ann_dir else root / 'annotations'
    out = Path(args.out) if args.out else root / 'flow'
    lists = {split: ann_dir / f'dance19_{split}.txt' for split in SPLITS}
    missing = [str(p) for p in lists.values() if not p.is_file()]
    if len(missing) == len(lists):
        raise DanceStyleError(
            f'no annotation lists in {ann_dir} (dance19_train.txt ...): run '
            'data_prep/build_dataset.py first, or pass --ann-dir')
    entries = {split: read_list(p) for split, p in lists.items()
               if p.is_file()}
    removed = remove_stale_temp_dirs(out) if out.is_dir() else 0
    if removed:
        print(f'removed {removed} half-written clip folders of a killed run',
              file=sys.stderr)
    tasks = {}
    for split_entries in entries.values():
        for video, _ in split_entries:
            tasks[video] = dict(key=video, video=str(root / video),
                                output=str(flow_folder(out, video).resolve()),
                                method=args.method,
                                short_side=args.short_side)
    results = {}
    run_tasks(extract_clip, list(tasks.values()),
              lambda r: results.__setitem__(r['key'], r),
              workers=args.workers, desc=f'{args.method} flow',
              progress=not args.no_progress)
    for split, split_entries in entries.items():
        lines = [f'{os.path.relpath(flow_folder(out, video), root)} '
                 f'{results[video]["pairs"]} {label}\n'
                 for video, label in split_entries
                 if results[video]['status'] in ('ok', 'skipped')]
        write_text_atomic(ann_dir / f'dance19_flow_{split}.txt',
                          ''.join(lines))
    timed = [r['seconds'] for r in results.values() if r['status'] == 'ok']
    pairs = [r['pairs'] for r in results.values() if r['status'] == 'ok']
    failed = {k: r for k, r in results.items()
              if r['status'] not in ('ok', 'skipped')}
    summary = dict(
        method=args.method, clips=len(results),
        extracted=len(timed),
        already_there=sum(r['status'] == 'skipped'
                          for r in results.values()),
        failed={k: f'{r["status"]}: {r["reason"]}' for k, r in
                failed.items()},
        seconds_per_clip=statistics.mean(timed) if timed else None,
        ms_per_frame_pair=1000 * sum(timed) / sum(pairs) if pairs else None)
    write_text_atomic(out / 'summary.json', json.dumps(summary, indent=2)
                      + '\n')
    print(f'flow: {summary["extracted"]} clips extracted, '
          f'{summary["already_there"]} already there, {len(failed)} skipped'
          + (f'; {summary["seconds_per_clip"]:.2f} s per clip, '
             f'{summary["ms_per_frame_pair"]:.1f} ms per frame pair'
             if timed else ''))
    for key, reason in summary['failed'].items():
        print(f'  skipped {key}: {reason}')
    print(f'annotation lists: {ann_dir}/dance19_flow_{{train,val,test}}.txt; '
          f'frames in {out}')
    return 0


if __name__ == '__main__':
    run_cli(main)
