"""Miniature *source* datasets in the real on-disk formats, for the data
preparation pipeline: a Kinetics-700-2020 tree (CSVs + clips, in any of the
three layouts found in the wild) and a Let's Dance frame tree.

Both are broken on purpose the way real downloads are (``broken=True``): a
few clips listed but missing, empty, truncated, garbage or too short; a
malformed and a duplicated CSV row; rows of non-dance labels; a Let's Dance
clip with an unreadable frame and one with a gap. Every clip's motion is its
(mapped) class's choreography, so a model trained on the prepared dataset
learns as on the direct synthetic dataset.
"""
import csv
import hashlib
import io
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from ..classes import DANCE19_CLASSES
from ..fileio import atomic_path, write_text_atomic
from .dataset import clip_rng
from .render import render_clip

KINETICS_LAYOUTS = ('spaces', 'underscores', 'flat')
# Index ranges of the clip generators (clip_rng), apart from the direct
# dataset's (0, 1e6, 2e6), so the same seed gives other clips here.
_KINETICS_TRAIN, _KINETICS_VAL, _LETSDANCE = 3_000_000, 4_000_000, 5_000_000
_YT = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
OTHER_LABELS = ('abseiling', 'playing guitar')  # K700 labels we drop
DAMAGE = ('missing', 'empty', 'truncated', 'garbage', 'too_short')
DAMAGE_PERIOD = 6
# Let's Dance classes written by default: the 6 the label map keeps and 3
# it drops (latin among them, drawn with salsa's motion as a user who maps it
# would expect); the dance19 motion each one gets.
LETSDANCE_MOTION = {
    'ballet': 4, 'break': 1, 'square': 14, 'swing': 15, 'tango': 16,
    'tap': 17, 'latin': 13, 'waltz': 0, 'jive': 8,
}
LETSDANCE_RATES = (24.0, 25.0, 30.0)


def _digest(*parts) -> bytes:
    text = ':'.join(str(p) for p in ('dance19-sources',) + parts)
    return hashlib.blake2b(text.encode(), digest_size=16).digest()


def youtube_id(*parts) -> str:
    """An 11-character YouTube-like id (may start with '-' or '_')."""
    return ''.join(_YT[b % 64] for b in _digest(*parts)[:11])


def folder_name(label: str, layout: str) -> str:
    return label.replace(' ', '_') if layout == 'underscores' else label


def _write_clip(task: dict) -> dict:
    """Render and encode one source clip (a pool task)."""
    from ..video import write_video
    frames = render_clip(task['motion'], clip_rng(task['seed'], task['motion'],
                                                  task['index']),
                         task['size'], task['num_frames'], task['fps'])
    write_video(task['path'], frames, task['fps'])
    return task


def _write_frames(task: dict) -> dict:
    """Render one Let's Dance clip as numbered JPEG frames (a pool task)."""
    import cv2
    frames = render_clip(task['motion'], clip_rng(task['seed'], task['motion'],
                                                  task['index']),
                         task['size'], task['num_frames'], task['fps'])
    folder = Path(task['folder'])
    folder.mkdir(parents=True, exist_ok=True)
    for number, rgb in enumerate(frames, start=1):
        path = folder / f'{task["stem"]}_{number:04d}.jpg'
        if not path.is_file():
            ok, data = cv2.imencode('.jpg', cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR),
                                    [cv2.IMWRITE_JPEG_QUALITY, 92])
            with atomic_path(path) as tmp, open(tmp, 'wb') as handle:
                handle.write(data.tobytes())
    return task


def _layout_paths(root: Path, layout: str) -> Dict[str, Tuple[Path, Path]]:
    """{csv split: (csv file, video folder)} of a layout."""
    if layout == 'spaces':  # the official tarballs
        return {'train': (root / 'annotations' / 'train.csv', root / 'train'),
                'validate': (root / 'annotations' / 'validate.csv',
                             root / 'val')}
    if layout == 'underscores':  # mmaction2's downloader
        return {'train': (root / 'kinetics_train.csv', root / 'videos_train'),
                'validate': (root / 'kinetics_val.csv', root / 'videos_val')}
    return {'train': (root / 'train.csv', root / 'videos'),
            'validate': (root / 'validate.csv', root / 'videos')}


def write_kinetics_tree(root, layout: str = 'spaces', clips_per_class: int = 8,
                        val_per_class: int = 2,
                        classes: Optional[Sequence[int]] = None,
                        size: Tuple[int, int] = (64, 64), num_frames: int = 48,
                        fps: float = 16.0, seed: int = 0, broken: bool = True,
                        workers: int = 1, progress: bool = True) -> dict:
    """Write a miniature Kinetics-700-2020 download under ``root``.

    Every second clip of a class shares its YouTube id with the one before
    (two 10 s windows of one video), as in Kinetics. With ``broken``, every
    6th dance clip (counted over the whole tree) is damaged, cycling through
    DAMAGE (so 30 clips show every kind once), and the CSVs get a malformed
    row, a duplicated row and a test.csv without labels.

    Returns ``expected``: per dance label, the clips that should survive
    ('ok') and each kind of damage, for tests and for the summary.
    """
    from ..prep.pool import run_tasks
    if layout not in KINETICS_LAYOUTS:
        raise ValueError(f'layout must be one of {KINETICS_LAYOUTS}; got '
                         f'{layout!r}')
    root = Path(root)
    labels = list(range(len(DANCE19_CLASSES))) if classes is None \
        else sorted(set(classes))
    paths = _layout_paths(root, layout)
    expected = {label: {'ok': 0, 'missing': 0, 'corrupt': 0, 'too_short': 0}
                for label in labels}
    rows = {split: [] for split in paths}
    tasks, damaged = [], []
    dance_clips = 0
    items = [(label, DANCE19_CLASSES[label]) for label in labels]
    items += [(labels[i % len(labels)], name)
              for i, name in enumerate(OTHER_LABELS)]  # motion, label name
    for motion, name in items:
        dance = name in DANCE19_CLASSES
        for split, count, base in (('train', clips_per_class, _KINETICS_TRAIN),
                                   ('validate', val_per_class, _KINETICS_VAL)):
            for k in range(count if dance else 1):
                index = base + k
                yid = youtube_id(seed, name, split, k - k % 2)
                start = int.from_bytes(_digest(seed, name, split, k)[:3],
                                       'big') % 800 + 20 * (k % 2)
                clip = f'{yid}_{start:06d}_{start + 10:06d}'
                rows[split].append([name, yid, start, start + 10, split])
                folder = paths[split][1]
                if layout != 'flat':
                    folder = folder / folder_name(name, layout)
                path = folder / f'{clip}.mp4'
                case = None
                if dance:
                    if broken and dance_clips % DAMAGE_PERIOD == \
                            DAMAGE_PERIOD - 1:
                        case = DAMAGE[dance_clips // DAMAGE_PERIOD
                                      % len(DAMAGE)]
                    dance_clips += 1
                    key = {'empty': 'corrupt', 'truncated': 'corrupt',
                           'garbage': 'corrupt'}.get(case, case or 'ok')
                    expected[motion][key] += 1
                if case == 'missing':
                    continue
                frames = max(2, int(fps * 0.5)) if case == 'too_short' \
                    else num_frames
                tasks.append(dict(path=str(path), motion=motion, index=index,
                                  seed=seed, size=tuple(size),
                                  num_frames=frames, fps=fps))
                if case in ('empty', 'truncated', 'garbage'):
                    damaged.append((path, case))
    todo = [t for t in tasks if not Path(t['path']).is_file()]
    run_tasks(_write_clip, todo, lambda _: None, workers=workers,
              desc='kinetics source clips', progress=progress)
    fresh = {t['path'] for t in todo}  # damage each file once, on a rerun too
    for path, case in damaged:
        if str(path) in fresh:
            _damage(path, case, seed)
    header = ['label', 'youtube_id', 'time_start', 'time_end', 'split']
    for split, (csv_path, _) in paths.items():
        body = list(rows[split])
        if broken and split == 'train' and body:
            body.insert(1, ['tap dancing', 'short row'])   # malformed
            body.append(list(body[0]))                      # duplicated
        _write_csv(csv_path, [header] + body)
    if layout == 'spaces':  # Kinetics' test split: no labels, not used
        _write_csv(root / 'annotations' / 'test.csv',
                   [['youtube_id', 'time_start', 'time_end', 'split'],
                    [youtube_id(seed, 'test'), 0, 10, 'test']])
    return {'layout': layout, 'expected': expected,
            'malformed_rows': 1 if broken else 0,
            'duplicate_rows': 1 if broken else 0}


def _damage(path: Path, case: str, seed: int) -> None:
    """Break a freshly written clip the way downloads break."""
    data = path.read_bytes()
    if case == 'empty':
        data = b''
    elif case == 'truncated':
        # mp4's index (moov) sits at the end: the first half is unplayable
        data = data[:len(data) // 2]
    elif case == 'garbage':
        rng = np.random.default_rng(seed)
        data = rng.integers(0, 256, 4096, dtype=np.uint8).tobytes()
    with atomic_path(path) as tmp, open(tmp, 'wb') as handle:
        handle.write(data)


def _write_csv(path: Path, rows: List[list]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator='\n').writerows(rows)
    write_text_atomic(path, buffer.getvalue())


def write_letsdance_tree(root, clips_per_class: int = 4,
                         classes: Optional[Dict[str, int]] = None,
                         size: Tuple[int, int] = (64, 64),
                         seconds: float = 10.0, seed: int = 0,
                         broken: bool = True, workers: int = 1,
                         progress: bool = True) -> dict:
    """Write a miniature Let's Dance frame tree: ``rgb/<class>/<video>_
    <start>_<frame:04d>.jpg``, each clip ``seconds`` long at 24, 25 or 30 fps
    (as the real frame counts 241/251/301 imply).

    ``classes`` maps Let's Dance class names to the dance19 motion they show
    (default :data:`LETSDANCE_MOTION`). With ``broken``, the first clip of
    the first class gets an unreadable frame and the first clip of the second
    class loses a frame from the middle. Returns ``expected`` per class.
    """
    from ..prep.pool import run_tasks
    classes = dict(LETSDANCE_MOTION if classes is None else classes)
    rgb = Path(root) / 'rgb'
    tasks = []
    expected = {name: {'clips': clips_per_class, 'corrupt': 0}
                for name in classes}
    for c, (name, motion) in enumerate(sorted(classes.items())):
        for k in range(clips_per_class):
            video = youtube_id(seed, 'letsdance', name, k)
            rate = LETSDANCE_RATES[(k + c) % len(LETSDANCE_RATES)]
            tasks.append(dict(folder=str(rgb / name), stem=f'{video}_{k * 7:03d}',
                              motion=motion, index=_LETSDANCE + 1000 * c + k,
                              seed=seed, size=tuple(size),
                              num_frames=int(round(seconds * rate)) + 1,
                              fps=rate))
    run_tasks(_write_frames, tasks, lambda _: None, workers=workers,
              desc="let's dance source clips", progress=progress)
    if broken and len(tasks) > clips_per_class:
        first, second = tasks[0], tasks[clips_per_class]
        bad = Path(first['folder']) / f'{first["stem"]}_0003.jpg'
        bad.write_bytes(b'not a jpeg')
        gap = Path(second['folder']) / f'{second["stem"]}_0010.jpg'
        if gap.exists():
            gap.unlink()
        names = sorted(classes)
        expected[names[0]]['corrupt'] += 1
        expected[names[1]]['corrupt'] += 1
    return {'expected': expected, 'clips_per_class': clips_per_class,
            'seconds': seconds}


def format_kinetics_tree(result: dict, root) -> str:
    """One line on what :func:`write_kinetics_tree` wrote."""
    expected = result['expected']
    totals = {kind: sum(counts[kind] for counts in expected.values())
              for kind in next(iter(expected.values()))}
    return (f'Kinetics-700-2020 miniature ({result["layout"]} layout) in '
            f'{root}: ' + ', '.join(f'{k} {v}' for k, v in totals.items())
            + f' dance clips; {result["malformed_rows"]} malformed and '
            f'{result["duplicate_rows"]} duplicated CSV rows')


def format_letsdance_tree(result: dict, root) -> str:
    """One line on what :func:`write_letsdance_tree` wrote."""
    corrupt = sum(e['corrupt'] for e in result['expected'].values())
    return (f"Let's Dance miniature in {root}: {len(result['expected'])} "
            f'classes x {result["clips_per_class"]} clips of '
            f'{result["seconds"]:g} s, {corrupt} damaged on purpose')
