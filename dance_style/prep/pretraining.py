"""The YouTube ids a checkpoint was pretrained on, from its annotation
files (``--exclude-from``), so that none of them reaches val or test.

Two formats are read, the ones Kinetics checkpoints come with:

* a Kinetics CSV (``label,youtube_id,time_start,time_end,split``: the
  Kinetics-400/600/700 ``train.csv`` files);
* an mmaction2 list, one clip a line, whose first field is a path or name
  ``<youtube_id>_<start:06d>_<end:06d>.<ext>`` (e.g. the Kinetics-710 lists
  ``kinetics710_train_list_videos.txt``).

A line that fits neither is counted, not fatal (lists carry headers and
comments); a file where no line fits is an error, as is a missing file.
"""
import csv
import re
from pathlib import Path
from typing import Dict, Mapping, Optional, Sequence, Tuple, Union

from ..errors import DanceStyleError

# YouTube ids are 11 characters of [A-Za-z0-9_-]; Kinetics clip stems add
# the start and end second
YOUTUBE_ID = re.compile(r'^[A-Za-z0-9_-]{11}$')
CLIP_STEM = re.compile(r'^(?P<id>[A-Za-z0-9_-]{11})_\d{6}_\d{6}$')


def _ids_of_csv(path: Path) -> Tuple[set, int]:
    with open(path, newline='', encoding='utf-8') as handle:
        rows = csv.reader(handle)
        header = [name.strip() for name in next(rows, [])]
        column = header.index('youtube_id')
        ids, bad = set(), 0
        for row in rows:
            value = row[column].strip() if len(row) > column else ''
            if YOUTUBE_ID.match(value):
                ids.add(value)
            elif any(field.strip() for field in row):
                bad += 1
    return ids, bad


def _ids_of_list(path: Path) -> Tuple[set, int]:
    ids, bad = set(), 0
    with open(path, encoding='utf-8') as handle:
        for line in handle:
            fields = line.replace(',', ' ').split()
            if not fields:
                continue
            stem = Path(fields[0]).stem
            match = CLIP_STEM.match(stem)
            if match:
                ids.add(match['id'])
            elif YOUTUBE_ID.match(stem):
                ids.add(stem)
            else:
                bad += 1
    return ids, bad


def read_pretraining_ids(paths: Sequence[Union[str, Path]],
                         labels: Optional[Mapping[str, str]] = None
                         ) -> Tuple[Dict[str, str], Dict[str, dict]]:
    """YouTube id -> the file that lists it first (its file name, or its
    entry in ``labels``, keyed by ``str(path)``: several lists are all
    called train.csv), and per file the ids found and lines that named no
    clip."""
    labels = labels or {}
    found: Dict[str, str] = {}
    report: Dict[str, dict] = {}
    for path in map(Path, paths):
        if not path.is_file():
            raise DanceStyleError(
                f'--exclude-from {path}: no such file. Pass the annotation '
                'CSVs or lists the checkpoint was pretrained on (e.g. '
                'Kinetics-400 train.csv).')
        with open(path, encoding='utf-8', errors='replace') as handle:
            first = handle.readline()
        is_csv = 'youtube_id' in [f.strip() for f in first.split(',')]
        ids, bad = (_ids_of_csv if is_csv else _ids_of_list)(path)
        if not ids:
            raise DanceStyleError(
                f'--exclude-from {path}: no YouTube id found. Expected a '
                'Kinetics CSV (label,youtube_id,time_start,time_end,...) or '
                'a list of <youtube_id>_<start>_<end> clips, one a line.')
        for youtube_id in sorted(ids):
            found.setdefault(youtube_id, labels.get(str(path), path.name))
        report[str(path)] = dict(ids=len(ids), unreadable_lines=bad)
    return found, report
