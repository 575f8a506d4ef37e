"""Stage 5: offline augmentation of the training split, as the study did.

Each selected augmentation writes one more copy of every training clip,
``<clip id>__<name>.mp4`` beside the original; the copies are listed in the
training annotation file only. The transforms are the very ones the online
training pipeline can use (mmaction2's ``Flip`` and ``ColorJitter``, and
:class:`dance_style.transforms.GaussianNoise`), built from the same
registry, so offline and online augmentation mean the same thing.

A copy is drawn with a seed derived from the clip and the augmentation's
name: reruns and resumed runs produce identical files.
"""
import hashlib
from pathlib import Path
from typing import Dict, List, Sequence

import numpy as np

from ..errors import DanceStyleError
from .pool import run_tasks
from .records import SourceClip

AUGMENTATIONS = ('hflip', 'vflip', 'color', 'noise')
# mmaction2's ColorJitter factors: brightness 0.4 draws from [0.6, 1.4].
DEFAULT_COLOR_JITTER = (0.4, 0.4, 0.4, 0.1)
DEFAULT_NOISE_SIGMA = 8.0


def parse_augmentations(text: str) -> List[str]:
    """'hflip,color' -> ['hflip', 'color']; 'none' or '' -> []; 'all' ->
    every one."""
    text = (text or '').strip().lower()
    if text in ('', 'none'):
        return []
    if text == 'all':
        return list(AUGMENTATIONS)
    names = [n.strip() for n in text.split(',') if n.strip()]
    unknown = [n for n in names if n not in AUGMENTATIONS]
    if unknown:
        raise DanceStyleError(
            f'--augment: unknown {", ".join(unknown)}; choose from '
            f'{", ".join(AUGMENTATIONS)}, "all" or "none"')
    return sorted(set(names), key=AUGMENTATIONS.index)


def pipelines(color_jitter: Sequence[float] = DEFAULT_COLOR_JITTER,
              noise_sigma: float = DEFAULT_NOISE_SIGMA) -> Dict[str, list]:
    """Transform configs of each augmentation, applied with probability 1."""
    brightness, contrast, saturation, hue = color_jitter
    return {
        'hflip': [dict(type='Flip', flip_ratio=1.0, direction='horizontal')],
        'vflip': [dict(type='Flip', flip_ratio=1.0, direction='vertical')],
        'color': [dict(type='ColorJitter', brightness=brightness,
                       contrast=contrast, saturation=saturation, hue=hue)],
        'noise': [dict(type='GaussianNoise', sigma=noise_sigma, prob=1.0)],
    }


def augmented_path(output: str, name: str) -> str:
    """``videos/.../<clip>.mp4`` -> ``videos/.../<clip>__<name>.mp4``."""
    stem, ext = output.rsplit('.', 1)
    return f'{stem}__{name}.{ext}'


def _seed(key: str, name: str) -> int:
    digest = hashlib.blake2b(f'{key}:{name}'.encode(), digest_size=4)
    return int.from_bytes(digest.digest(), 'big')


def augment_clip(task: dict) -> dict:
    """Write one augmented copy (a pool task). task keys: key, name, source,
    output (absolute paths), transforms, crf, preset."""
    result = dict(key=task['key'], name=task['name'], ok=True, reason='')
    if Path(task['output']).is_file():
        return result
    from mmengine.dataset import Compose

    from ..register import register_all_modules
    from ..video import VideoWriter, iter_frames, probe
    try:
        fps = probe(task['source']).fps
        frames = [rgb for _, rgb in iter_frames(task['source'])]
    except Exception as error:  # noqa: BLE001  decoder errors vary
        return dict(result, ok=False, reason=f'cannot decode: {error}')
    # GaussianNoise, and the ColorJitter fix, in this worker process
    register_all_modules()
    state = np.random.get_state()  # the transforms draw from np.random
    np.random.seed(_seed(task['key'], task['name']))
    try:
        results = Compose(task['transforms'])(dict(
            imgs=frames, img_shape=frames[0].shape[:2], modality='RGB'))
    finally:
        np.random.set_state(state)
    with VideoWriter(task['output'], fps, crf=task['crf'],
                     preset=task['preset']) as writer:
        for rgb in results['imgs']:
            writer.write(np.ascontiguousarray(rgb))
    return result


def augment(records: List[SourceClip], root: Path, names: Sequence[str],
            color_jitter: Sequence[float] = DEFAULT_COLOR_JITTER,
            noise_sigma: float = DEFAULT_NOISE_SIGMA, crf: int = 23,
            preset: str = 'fast', workers: int = 1,
            progress: bool = True) -> dict:
    """Stage 5: augmented copies of every training clip; sets
    ``record.augmented``. Returns counts per augmentation."""
    configs = pipelines(color_jitter, noise_sigma)
    # keys are unique among kept clips (a duplicate CSV row shares its key)
    by_key = {r.key: r for r in records if r.status == 'ok'}
    tasks = []
    for record in records:
        record.augmented = []
        if record.status != 'ok' or record.split != 'train':
            continue
        for name in names:
            tasks.append(dict(
                key=record.key, name=name,
                source=str(Path(root) / record.output),
                output=str(Path(root) / augmented_path(record.output, name)),
                transforms=configs[name], crf=crf, preset=preset))
    counts = {name: 0 for name in names}
    failures = []

    def finish(result):
        if result['ok']:
            by_key[result['key']].augmented.append(
                augmented_path(by_key[result['key']].output, result['name']))
            counts[result['name']] += 1
        else:
            failures.append(f"{result['key']} {result['name']}: "
                            f"{result['reason']}")

    run_tasks(augment_clip, tasks, finish, workers=workers, desc='augment',
              progress=progress)
    for record in records:  # completion order varies; the lists must not
        record.augmented.sort(key=lambda p: AUGMENTATIONS.index(
            p.rsplit('__', 1)[1].split('.')[0]))
    return dict(counts=counts, failures=failures)
