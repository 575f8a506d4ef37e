"""Stage 2: Let's Dance frame folders as clips with dance19 labels.

Let's Dance (Castro et al. 2018) ships JPEG frames, not videos:
``rgb/<class>/<video_id>_<start>_<frame:04d>.jpg``. Frames sharing
``<video_id>_<start>`` form one clip of about 10 s; video ids are YouTube
ids, which may themselves contain ``_``, so names are split from the right.
Classes map to the 19 labels through one table (``--letsdance-map``,
default ``data_prep/letsdance_labels.csv``); unmapped classes are dropped
and counted. The normalise stage encodes each clip at its own frame rate.
"""
import collections
import csv
import os
import re
from pathlib import Path
from typing import Dict, List, Optional, Tuple, Union

from ..classes import DANCE19_CLASSES
from ..errors import DanceStyleError
from ..resources import LETSDANCE_LABELS
from .records import SourceClip

DEFAULT_MAP = LETSDANCE_LABELS
# Clips are about 10 s; their frame counts (241, 251, 300/301, ~500, ~600)
# give the rate, snapped to the nearest of these.
CLIP_SECONDS = 10.0
STANDARD_RATES = (24.0, 25.0, 30.0, 50.0, 60.0)
FRAME_NAME = re.compile(r'^(?P<video>.+)_(?P<start>\d+)_(?P<frame>\d+)$')
IMAGE_EXTENSIONS = ('.jpg', '.jpeg', '.png')


def load_label_map(path: Union[str, Path] = DEFAULT_MAP
                   ) -> Dict[str, Optional[int]]:
    """Let's Dance class -> dance19 label index (None: dropped).

    Lines starting with '#' are comments; the first other line is the
    header. Unknown dance19 names are an error naming the line.
    """
    path = Path(path)
    if not path.is_file():
        raise DanceStyleError(f'Let\'s Dance label map not found: {path}')
    mapping = {}
    with open(path, newline='', encoding='utf-8') as handle:
        rows = csv.reader(line for line in handle
                          if line.strip() and not line.lstrip().startswith('#'))
        next(rows, None)  # header
        for number, row in enumerate(rows, start=2):
            if len(row) != 2 or not row[0].strip():
                raise DanceStyleError(
                    f'{path}: expected "letsdance_class,dance19_label", got '
                    f'{",".join(row)!r}')
            source, target = row[0].strip(), row[1].strip()
            if target and target not in DANCE19_CLASSES:
                raise DanceStyleError(
                    f'{path}: {source!r} maps to {target!r}, which is not one '
                    'of the 19 labels of annotations/label_map.txt')
            mapping[source] = DANCE19_CLASSES.index(target) if target else None
    return mapping


def snap_fps(num_frames: int, seconds: float = CLIP_SECONDS) -> float:
    """The standard frame rate closest to ``num_frames / seconds``."""
    rate = num_frames / seconds
    return min(STANDARD_RATES, key=lambda r: abs(r - rate))


def collect(root: Union[str, Path], label_map: Union[str, Path] = DEFAULT_MAP,
            clip_seconds: float = CLIP_SECONDS
            ) -> Tuple[List[SourceClip], dict]:
    """Stage 2: one record per Let's Dance clip (mapped or not).

    Returns the records and a summary: clips per Let's Dance class, mapped
    clips per dance19 label, unmapped classes, files that do not follow the
    naming scheme.
    """
    root = Path(root)
    rgb = root / 'rgb' if (root / 'rgb').is_dir() else root
    if not rgb.is_dir():
        raise DanceStyleError(
            f'Let\'s Dance folder not found: {root}\nPass the folder that '
            'holds rgb/<class>/<video>_<start>_<frame>.jpg with '
            '--letsdance-root (or leave the flag out).')
    mapping = load_label_map(label_map)
    records, ignored = [], []
    per_class = collections.Counter()
    classes = sorted(d.name for d in os.scandir(rgb)
                     if d.is_dir() and not d.name.startswith('.'))
    if not classes:
        raise DanceStyleError(f'{rgb} has no class folders; expected '
                              'rgb/<class>/<video>_<start>_<frame>.jpg')
    for name in classes:
        clips = collections.defaultdict(list)
        for entry in sorted(os.scandir(rgb / name), key=lambda e: e.name):
            stem, ext = os.path.splitext(entry.name)
            match = FRAME_NAME.match(stem)
            if ext.lower() not in IMAGE_EXTENSIONS or not match:
                if not entry.name.startswith('.'):
                    ignored.append(entry.path)
                continue
            key = (match['video'], match['start'])
            clips[key].append((int(match['frame']), entry.path))
        for (video, start), frames in sorted(clips.items()):
            frames.sort()
            per_class[name] += 1
            record = SourceClip(
                dataset='letsdance', clip_id=f'{video}_{start}', group=video,
                original_label=name, label=mapping.get(name),
                source=frames[0][1], frames=[p for _, p in frames],
                fps=snap_fps(len(frames), clip_seconds),
                origin=str(rgb / name))
            numbers = [n for n, _ in frames]
            if name not in mapping:
                record.fail('unmapped', f'class {name!r} is not in the label '
                            f'map {label_map}; add it there to keep it')
            elif mapping[name] is None:
                record.fail('unmapped', f'class {name!r} has no dance19 '
                            f'counterpart in {label_map}')
            elif numbers != list(range(numbers[0], numbers[0] + len(numbers))):
                gaps = sorted(set(range(numbers[0], numbers[-1] + 1))
                              - set(numbers))
                record.fail('corrupt', f'{len(gaps)} frame(s) missing from '
                            f'the sequence, first {gaps[0]:04d}')
            records.append(record)
    summary = dict(
        clips_per_letsdance_class=dict(per_class),
        unmapped_classes=sorted(n for n in classes if mapping.get(n) is None),
        ignored_files=len(ignored))
    return records, summary
