"""Optical flow of a whole dataset, for the flow stream of Two-Stream I3D.

Every clip of the dataset's lists (``<ann dir>/dance19_{split}.txt``)
gets its flow frames (:func:`.flow.extract_clip`, in worker processes)
under ``<root>/flow/``, and each split a rawframe list
``dance19_flow_{split}.txt`` (``<folder relative to root> <frame pairs>
<label>``; the folder may hold spaces, so lines split from the right).
``flow/summary.json`` records each clip's status and the cost per clip.
Finished clips are skipped, so a killed run is completed by running again;
unreadable videos are recorded and skipped.

Sharding (``shard=(k, n)``, ``extract_flow.py --shard K/N``) splits the
work over machines: shard k of n takes every n-th clip of the sorted clip
list, starting at the k-th, writes only those clips' folders and its own
``flow/shards/summary_K_of_N.json``, and no lists (they need every clip).
One run without a shard after all shards have finished skips every
finished clip and writes the lists and ``flow/summary.json``.
"""
import json
import os
import statistics
from pathlib import Path
from typing import Dict, Optional, Tuple, Union

from ..errors import DanceStyleError
from ..fileio import write_text_atomic
from ..resources import split_lists_dir
from .flow import extract_clip, flow_folder, remove_stale_temp_dirs
from .lists import read_video_list
from .pool import run_tasks

SPLITS = ('train', 'val', 'test')
PathLike = Union[str, Path]


def parse_shard(text: str) -> Tuple[int, int]:
    """``'K/N'`` -> ``(K, N)`` with 1 <= K <= N; a clear error otherwise."""
    try:
        index, count = (int(part) for part in text.split('/'))
    except ValueError:
        index = count = 0
    if not 1 <= index <= count:
        raise DanceStyleError(
            f'--shard {text!r}: expected K/N with 1 <= K <= N, e.g. 3/8 for '
            'the third of 8 shards')
    return index, count


def shard_of(videos, shard: Optional[Tuple[int, int]]):
    """The clips of ``shard`` (k, n): every n-th of the sorted clip paths,
    from the k-th. The same lists give the same shards on every machine;
    together the n shards hold each clip once."""
    ordered = sorted(set(videos))
    if shard is None:
        return ordered
    index, count = shard
    return ordered[index - 1::count]


def extract_dataset_flow(root: PathLike,
                         ann_dir: Optional[PathLike] = None,
                         out: Optional[PathLike] = None,
                         method: str = 'tvl1',
                         short_side: int = 0,
                         workers: int = 1,
                         progress: bool = True,
                         shard: Optional[Tuple[int, int]] = None) -> Dict:
    """Flow of every listed clip of the dataset at ``root``; returns the
    summary that ``flow/summary.json`` holds, plus ``ann_dir`` and ``out``.

    ``ann_dir`` defaults to the root's list folder, where build_dataset.py
    writes (``split_lists_dir`` of :mod:`dance_style.resources`:
    ``root/annotations``; ``annotations/`` for ``data/dance19``), ``out`` to
    ``root/flow``; ``short_side`` resizes frames first (0: as
    stored). ``shard`` (k, n) extracts only shard k of n (module
    docstring) and writes no lists.
    """
    root = Path(root)
    ann_dir = Path(ann_dir) if ann_dir else split_lists_dir(root)
    out = Path(out) if out else root / 'flow'
    lists = {split: ann_dir / f'dance19_{split}.txt' for split in SPLITS}
    if not any(p.is_file() for p in lists.values()):
        raise DanceStyleError(
            f'no annotation lists in {ann_dir} (dance19_train.txt ...): run '
            'data_prep/build_dataset.py first, or pass --ann-dir')
    entries = {split: read_video_list(p) for split, p in lists.items()
               if p.is_file()}
    every_video = [video for split_entries in entries.values()
                   for video, _ in split_entries]
    tasks = [dict(key=video, video=str(root / video),
                  output=str(flow_folder(out, video).resolve()),
                  method=method, short_side=short_side)
             for video in shard_of(every_video, shard)]
    if shard is None:
        removed = remove_stale_temp_dirs(out) if out.is_dir() else 0
    else:  # other shards may be writing theirs right now
        removed = remove_stale_temp_dirs(
            out, [Path(task['output']) for task in tasks])
    results = {}
    desc = f'{method} flow' + (f' shard {shard[0]}/{shard[1]}'
                               if shard else '')
    run_tasks(extract_clip, tasks,
              lambda r: results.__setitem__(r['key'], r),
              workers=workers, desc=desc, progress=progress)
    if shard is None:
        for split, split_entries in entries.items():
            lines = [f'{os.path.relpath(flow_folder(out, video), root)} '
                     f'{results[video]["pairs"]} {label}\n'
                     for video, label in split_entries
                     if results[video]['status'] in ('ok', 'skipped')]
            write_text_atomic(ann_dir / f'dance19_flow_{split}.txt',
                              ''.join(lines))
    timed = [r['seconds'] for r in results.values() if r['status'] == 'ok']
    pairs = [r['pairs'] for r in results.values() if r['status'] == 'ok']
    summary = dict(
        method=method, clips=len(results), extracted=len(timed),
        already_there=sum(r['status'] == 'skipped'
                          for r in results.values()),
        failed={k: f'{r["status"]}: {r["reason"]}'
                for k, r in results.items()
                if r['status'] not in ('ok', 'skipped')},
        seconds_per_clip=statistics.mean(timed) if timed else None,
        ms_per_frame_pair=1000 * sum(timed) / sum(pairs) if pairs else None)
    if shard is None:
        summary_path = out / 'summary.json'
    else:
        summary = dict(summary, shard=f'{shard[0]}/{shard[1]}',
                       of_clips=len(set(every_video)))
        summary_path = out / 'shards' / f'summary_{shard[0]}_of_{shard[1]}.json'
    summary_path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(summary_path, json.dumps(summary, indent=2) + '\n')
    return dict(summary, stale_removed=removed, ann_dir=str(ann_dir),
                out=str(out))


def format_flow_summary(summary: Dict) -> str:
    """What ``data_prep/extract_flow.py`` prints at the end."""
    lines = []
    if summary['stale_removed']:
        lines.append(f'removed {summary["stale_removed"]} half-written clip '
                     'folders of a killed run')
    line = (f'flow: {summary["extracted"]} clips extracted, '
            f'{summary["already_there"]} already there, '
            f'{len(summary["failed"])} skipped')
    if summary['extracted']:
        line += (f'; {summary["seconds_per_clip"]:.2f} s per clip, '
                 f'{summary["ms_per_frame_pair"]:.1f} ms per frame pair')
    lines.append(line)
    lines += [f'  skipped {key}: {reason}'
              for key, reason in summary['failed'].items()]
    if 'shard' in summary:
        lines.append(
            f'shard {summary["shard"]}: {summary["clips"]} of the '
            f'{summary["of_clips"]} clips; frames in {summary["out"]}. When '
            'every shard has finished, run once without --shard: it skips '
            'the finished clips and writes the annotation lists')
    else:
        lines.append(f'annotation lists: {summary["ann_dir"]}/dance19_flow_'
                     f'{{train,val,test}}.txt; frames in {summary["out"]}')
    return '\n'.join(lines)
