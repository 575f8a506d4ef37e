"""Build the synthetic dance dataset on disk, Kinetics-style, with mmaction2 lists.

Layout under ``out_dir``::

    videos/<split>/<class name with spaces>/<clip_id>.mp4
    annotations/dance19_{train,val,test}.txt     "<path under out_dir> <label>"
    synthetic_manifest.json                       what was asked for and made

Clip ``index`` of class ``label`` under ``seed`` is a pure function of the three
numbers (``clip_rng``); train, val and test draw from disjoint index ranges, so
asking for more train clips adds clips without changing any existing one.
"""
import hashlib
import json
import os
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Tuple, Union

import numpy as np

from ..classes import DANCE19_CLASSES, NUM_CLASSES
from ..errors import DanceStyleError
from ..fileio import write_text_atomic
from ..prep.pool import run_tasks
from ..resources import split_lists_dir
from .choreography import check_label
from .render import _check_size, render_clip
from ..video import DECORD_BAD_WIDTHS, write_video

SPLITS = ('train', 'val', 'test')
# First clip index of each split. 1e6 apart: a split may hold up to a million
# clips per class before its indices would run into the next split's.
SPLIT_INDEX_BASE = {'train': 0, 'val': 1_000_000, 'test': 2_000_000}
MAX_PER_SPLIT = 1_000_000
# Bump when render or choreography changes pixels: the manifest then refuses
# to mix clips of two generator versions in one folder.
GENERATOR_VERSION = 2  # 2: x264 without weightp/mbtree (deterministic)
MANIFEST = 'synthetic_manifest.json'
_YT_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'


class SyntheticDatasetError(DanceStyleError, ValueError):
    """A request the generator cannot honour; the message says what to change."""


def _check_index(name, value) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) \
            or value < 0:
        raise ValueError(f'{name} must be a non-negative integer; got {value!r}')
    return int(value)


def clip_rng(seed: int, label: int, index: int) -> np.random.Generator:
    """The generator that decides clip ``index`` of class ``label`` under ``seed``.

    Seeded from ``np.random.SeedSequence((seed, label, index))``: independent
    streams per clip, identical on every machine and run.
    """
    seed = _check_index('seed', seed)
    label = check_label(label)
    index = _check_index('index', index)
    return np.random.default_rng(np.random.SeedSequence((seed, label, index)))


def clip_id(seed: int, label: int, index: int) -> str:
    """Kinetics-style clip name ``<11-char YouTube-like id>_<start:06d>_<end:06d>``.

    Derived by hashing (seed, label, index), so it is stable and, like real
    YouTube ids, may start with '-' or '_'. start/end mimic a 10 s Kinetics
    window inside a video of up to 15 minutes.
    """
    digest = hashlib.blake2b(f'dance19-synthetic:{seed}:{label}:{index}'.encode(),
                             digest_size=16).digest()
    # 256 is a multiple of 64, so byte % 64 picks each character uniformly.
    yid = ''.join(_YT_ALPHABET[b % 64] for b in digest[:11])
    start = int.from_bytes(digest[11:14], 'big') % 890    # seconds
    return f'{yid}_{start:06d}_{start + 10:06d}'


def _normalise_classes(classes: Optional[Iterable[int]]) -> List[int]:
    if classes is None:
        return list(range(NUM_CLASSES))
    labels = sorted({check_label(c) for c in classes})
    if not labels:
        raise SyntheticDatasetError('classes is empty; pass None for all 19 or a '
                                    'list of label indices 0..18')
    return labels


def _make_clip(task: Tuple[str, int, int, int, Tuple[int, int], int, float]) -> str:
    """Render and encode one clip (a pool task: module-level, picklable)."""
    path, seed, label, index, size, num_frames, fps = task
    frames = render_clip(label, clip_rng(seed, label, index), size, num_frames, fps)
    write_video(path, frames, fps)
    return path


def _check_manifest(path: Path, params: dict) -> None:
    """Refuse to add clips rendered with other pixel-deciding settings."""
    if not path.is_file():
        return
    try:
        old = json.loads(path.read_text(encoding='utf-8')).get('render', {})
    except (OSError, ValueError):
        return          # unreadable manifest: rewritten below
    diff = {k: (old.get(k), v) for k, v in params.items() if old.get(k) != v}
    if diff:
        details = ', '.join(f'{k}: existing {a!r} vs requested {b!r}'
                            for k, (a, b) in diff.items())
        raise SyntheticDatasetError(
            f'{path.parent} already holds synthetic clips made with other settings '
            f'({details}). Use another --out folder, or delete {path.parent} to '
            'regenerate it.')


def generate_dataset(out_dir: Union[str, Path], clips_per_class: int = 30,
                     val_per_class: int = 5, test_per_class: int = 5,
                     classes: Optional[Sequence[int]] = None,
                     size: Tuple[int, int] = (64, 64), num_frames: int = 48,
                     fps: float = 16.0, seed: int = 0, workers: int = 1,
                     progress: bool = True) -> dict:
    """Write the synthetic dataset to ``out_dir`` and return what it holds.

    Args:
        out_dir: dataset root; videos go to ``out_dir/videos``, lists to
            ``out_dir/annotations`` (``split_lists_dir`` of
            :mod:`dance_style.resources`).
        clips_per_class: train clips per class (indices 0..n-1).
        val_per_class / test_per_class: clips per class in val (indices from
            1,000,000) and test (from 2,000,000).
        classes: None for all 19, or label indices (names keep their original
            0..18 labels in the lists).
        size: (height, width) px; odd sizes are padded by one pixel when encoded.
        num_frames, fps: clip length in frames and its frame rate.
        seed: dataset seed; with (label, index) it fixes every clip.
        workers: processes rendering in parallel (spawn pool); 1 runs inline.
        progress: show a tqdm bar.

    Idempotent: finished videos (present under their final name, which only
    complete files ever get) are not re-encoded, and identical list files are
    not rewritten.

    Returns:
        dict with 'counts' ({split: {class name: n}}), 'annotations' ({split:
        path}), 'video_root', 'manifest', 'written' and 'skipped' (clip counts).
    """
    counts_req = {'train': clips_per_class, 'val': val_per_class, 'test': test_per_class}
    for split, n in counts_req.items():
        n = _check_index(f'{split} clips per class', n)
        if n > MAX_PER_SPLIT:
            raise SyntheticDatasetError(
                f'at most {MAX_PER_SPLIT} {split} clips per class (index ranges of '
                f'the splits are {MAX_PER_SPLIT} apart); got {n}')
        counts_req[split] = n
    labels = _normalise_classes(classes)
    size = _check_size(size)
    if size[1] + size[1] % 2 in DECORD_BAD_WIDTHS:
        raise SyntheticDatasetError(
            f'width {size[1]} px: decord 0.6.0 (the video reader mmaction2 uses) '
            f'mis-decodes videos {size[1] + size[1] % 2} px wide. Pick another width, '
            'e.g. 56 or 64.')
    if int(num_frames) != num_frames or num_frames < 2:
        raise ValueError(f'num_frames must be an integer >= 2; got {num_frames!r}')
    num_frames = int(num_frames)
    fps = float(fps)
    if not fps > 0:
        raise ValueError(f'fps must be > 0; got {fps!r}')
    seed = _check_index('seed', seed)
    workers = max(1, int(workers))

    out_dir = Path(out_dir)
    video_root = out_dir / 'videos'
    manifest_path = out_dir / MANIFEST
    render_params = {'generator_version': GENERATOR_VERSION, 'seed': seed,
                     'size': list(size), 'num_frames': num_frames, 'fps': fps}
    _check_manifest(manifest_path, render_params)

    # Every clip asked for, in list order: split, then class, then index.
    lines: Dict[str, List[str]] = {s: [] for s in SPLITS}
    counts: Dict[str, Dict[str, int]] = {s: {} for s in SPLITS}
    todo = []
    for split in SPLITS:
        for label in labels:
            name = DANCE19_CLASSES[label]
            ids = set()
            for i in range(counts_req[split]):
                index = SPLIT_INDEX_BASE[split] + i
                cid = clip_id(seed, label, index)
                if cid in ids:   # 2^-66 chance per pair; fail rather than overwrite
                    raise SyntheticDatasetError(f'clip id collision {cid}; use another seed')
                ids.add(cid)
                # relative to out_dir, as data_prep/build_dataset.py writes
                rel = f'videos/{split}/{name}/{cid}.mp4'
                lines[split].append(f'{rel} {label}')
                path = out_dir / rel
                if not path.is_file():
                    todo.append((str(path), seed, label, index, size, num_frames, fps))
            counts[split][name] = counts_req[split]

    skipped = sum(len(v) for v in lines.values()) - len(todo)
    # spawned workers (safe next to torch's threads), errors re-raised here
    run_tasks(_make_clip, todo, lambda _: None, workers=workers,
              desc='synthetic clips', progress=progress)

    annotations = {}
    for split in SPLITS:
        path = split_lists_dir(out_dir) / f'dance19_{split}.txt'
        write_text_atomic(path, ''.join(line + '\n' for line in lines[split]))
        annotations[split] = str(path)
    manifest = {
        'render': render_params,
        'classes': {str(label): DANCE19_CLASSES[label] for label in labels},
        'clips_per_class': counts_req,
        'split_index_base': SPLIT_INDEX_BASE,
        'annotations': {s: os.path.relpath(p, out_dir) for s, p in annotations.items()},
        'video_root': 'videos',
    }
    write_text_atomic(manifest_path, json.dumps(manifest, indent=2) + '\n')
    return {'counts': counts, 'annotations': annotations, 'video_root': str(video_root),
            'manifest': str(manifest_path), 'written': len(todo), 'skipped': skipped}
