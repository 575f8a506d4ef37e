"""Stage 2: Let's Dance frame folders as clips with dance19 labels.

Let's Dance (Castro et al. 2018) ships JPEG frames, not videos:
``rgb/<class>/<video_id>_<start>_<frame:04d>.jpg``. Frames sharing
``<video_id>_<start>`` form one clip of about 10 s; video ids are YouTube
ids, which may themselves contain ``_``, so names are split from the right.
Classes map to the 19 labels through one table (``--letsdance-map``,
default ``data_prep/letsdance_labels.csv``); unmapped classes are dropped
and counted. The normalise stage encodes each clip at its own frame rate,
which the frame count gives (:func:`frame_rate`); the class folders are
found up to two levels below ``--letsdance-root`` (:func:`find_rgb_folder`).
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
# Clips last about 10 s; the standard frame counts give the rate: 240/241 ->
# 24, 250/251 -> 25, 300/301 -> 30, ~500 -> 50, ~600 -> 60 fps (+-1 %).
# About 4 % of the real clips have other counts (51 to 298 frames): shorter
# clips, not other rates, so they keep the dataset's usual 30 fps rather
# than being re-timed to last 10 s.
CLIP_SECONDS = 10.0
STANDARD_RATES = (24.0, 25.0, 30.0, 50.0, 60.0)
USUAL_RATE = 30.0
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


def frame_rate(num_frames: int, seconds: float = CLIP_SECONDS
               ) -> Tuple[float, str]:
    """(rate, rule) of a clip of ``num_frames``: the standard rate whose
    ``seconds``-long clip has that many frames (N or N + 1; +-1 % at 50 and
    60 fps), with no rule; else the usual 30 fps and the rule that says
    why."""
    for rate in STANDARD_RATES:
        expected = rate * seconds
        # N or N + 1 frames (both ends counted); the 50/60 fps clips vary
        # more around their ~500/~600
        slack = 0.01 * expected if rate >= 50 else 0.0
        if expected - slack <= num_frames <= expected + 1 + slack:
            return rate, ''
    return USUAL_RATE, (
        f'{num_frames} frames, no standard {seconds:g} s count: read at '
        f'{USUAL_RATE:g} fps, the dataset\'s usual rate '
        f'({num_frames / USUAL_RATE:.1f} s)')


def find_rgb_folder(root: Path, mapping: Dict[str, Optional[int]]) -> Path:
    """The folder holding the class folders: ``root`` itself or a folder up
    to two levels below it (``rgb/``, a doubled ``rgb/rgb/``), the shallowest
    one with a subfolder named after a class of the label map."""
    level = [root]
    seen = []
    for _ in range(3):
        below = []
        for folder in level:
            children = sorted(d for d in folder.iterdir()
                              if d.is_dir() and not d.name.startswith('.'))
            if any(d.name in mapping for d in children):
                return folder
            seen.extend(children)
            below.extend(children)
        level = below
    found = ', '.join(str(p.relative_to(root)) for p in seen[:12]) or \
        'no folders'
    raise DanceStyleError(
        f'no Let\'s Dance class folder ({", ".join(sorted(mapping)[:4])}, '
        f'...) in {root} or two levels below it; found: {found}. Pass the '
        'folder that holds rgb/<class>/<video>_<start>_<frame>.jpg with '
        '--letsdance-root.')


def collect(root: Union[str, Path], label_map: Union[str, Path] = DEFAULT_MAP,
            clip_seconds: float = CLIP_SECONDS
            ) -> Tuple[List[SourceClip], dict]:
    """Stage 2: one record per Let's Dance clip (mapped or not).

    Returns the records and a summary: clips per Let's Dance class, mapped
    clips per dance19 label, unmapped classes, files that do not follow the
    naming scheme, the folder read and the clips read at the usual rate.
    """
    root = Path(root)
    if not root.is_dir():
        raise DanceStyleError(
            f'Let\'s Dance folder not found: {root}\nPass the folder that '
            'holds rgb/<class>/<video>_<start>_<frame>.jpg with '
            '--letsdance-root (or leave the flag out).')
    mapping = load_label_map(label_map)
    rgb = find_rgb_folder(root, mapping)
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
            fps, fps_rule = frame_rate(len(frames), clip_seconds)
            record = SourceClip(
                dataset='letsdance', clip_id=f'{video}_{start}', group=video,
                original_label=name, label=mapping.get(name),
                source=frames[0][1], frames=[p for _, p in frames],
                fps=fps, fps_rule=fps_rule, origin=str(rgb / name))
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
        ignored_files=len(ignored), rgb_folder=str(rgb),
        usual_rate_clips=sum(1 for r in records if r.fps_rule))
    return records, summary
