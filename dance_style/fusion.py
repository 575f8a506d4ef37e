"""Late fusion of several models' test scores (``tools/fuse_scores.py``).

Each input is a ``tools/test.py --dump`` file: ``scores`` (videos x
classes), ``labels`` and ``videos``. The fused score of a video is the
weighted mean of its models' class probabilities, as Two-Stream I3D fuses
its RGB and flow streams and as an ensemble of configs would.
"""
import json
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from .errors import DanceStyleError
from .fileio import atomic_path, write_text_atomic


def load_dump(path: str) -> Dict[str, np.ndarray]:
    """Read a dump (without pickle) and check its shape."""
    if not osp.isfile(path):
        raise DanceStyleError(
            f'score dump not found: {path}\nWrite one with tools/test.py '
            'CONFIG CHECKPOINT --dump FILE.npz')
    try:
        data = np.load(path, allow_pickle=False)
        if not isinstance(data, np.lib.npyio.NpzFile):  # a bare .npy
            raise ValueError('a single array, not an .npz archive')
        with data:
            dump = {key: data[key] for key in ('scores', 'labels', 'videos')}
    except (KeyError, ValueError, OSError) as error:
        raise DanceStyleError(
            f'{path} is not a tools/test.py --dump file ({error})')
    if dump['scores'].ndim != 2 or len(dump['scores']) != len(
            dump['labels']):
        raise DanceStyleError(f'{path}: scores and labels do not match')
    return dump


# Suffixes that video_key strips; a flow folder keeps every dot of its video's
# stem ("a.b.mp4" -> folder "a.b"), so only a real video suffix may go.
VIDEO_SUFFIXES = ('.mp4', '.avi', '.mkv', '.webm', '.mov', '.m4v', '.mpg',
                  '.mpeg')


def video_key(path: str) -> str:
    """A video's identity across modalities: its file name without folder
    and video extension (an RGB clip ``x/a.mp4`` and its flow frames folder
    ``flow/x/a`` share it)."""
    name = osp.basename(str(path).rstrip('/'))
    stem, suffix = osp.splitext(name)
    return stem if suffix.lower() in VIDEO_SUFFIXES else name


def check_aligned(dumps: Sequence[Dict[str, np.ndarray]],
                  names: Sequence[str]) -> None:
    """All dumps must score the same videos in the same order."""
    first, first_name = dumps[0], names[0]
    for dump, name in zip(dumps[1:], names[1:]):
        if dump['scores'].shape != first['scores'].shape:
            raise DanceStyleError(
                f'{name} has scores of shape {dump["scores"].shape}, '
                f'{first_name} {first["scores"].shape}: test both models on '
                'the same annotation file')
        if not np.array_equal(dump['labels'], first['labels']):
            raise DanceStyleError(
                f'{name} and {first_name} list different labels: the '
                'videos are not the same or not in the same order')
        keys = [video_key(v) for v in dump['videos']]
        first_keys = [video_key(v) for v in first['videos']]
        if all(keys) and all(first_keys) and keys != first_keys:
            raise DanceStyleError(
                f'{name} and {first_name} score different videos (first '
                'difference: '
                f'{next(a for a, b in zip(keys, first_keys) if a != b)!r})')


def top_k_accuracy(scores: np.ndarray, labels: np.ndarray,
                   k: int) -> float:
    """Share of videos whose label is among the k best scores."""
    top = np.argsort(-scores, axis=1)[:, :k]
    return float(np.mean([label in row for label, row in zip(labels, top)]))


def fuse(dumps: Sequence[Dict[str, np.ndarray]],
         weights: Optional[Sequence[float]] = None) -> np.ndarray:
    """Weighted mean of the dumps' scores (weights normalised to sum 1)."""
    weights = np.ones(len(dumps)) if weights is None else np.asarray(
        weights, dtype=np.float64)
    if len(weights) != len(dumps) or (weights < 0).any() or weights.sum(
    ) <= 0:
        raise DanceStyleError(
            f'--weights needs {len(dumps)} non-negative numbers, not all 0')
    weights = weights / weights.sum()
    return sum(w * d['scores'].astype(np.float64)
               for w, d in zip(weights, dumps))


def _compositions(total: int, parts: int):
    """Every tuple of ``parts`` non-negative integers summing to ``total``."""
    if parts == 1:
        yield (total, )
        return
    for first in range(total + 1):
        for rest in _compositions(total - first, parts - 1):
            yield (first, *rest)


def weight_grid(count: int, steps: int) -> List[Tuple[float, ...]]:
    """Every way to split 1 into ``count`` non-negative weights in steps of
    1 / ``steps`` (for 2 dumps and 10 steps: (0, 1), (0.1, 0.9), ...)."""
    return [tuple(part / steps for part in parts)
            for parts in _compositions(steps, count)]


def choose_weights(paths: Sequence[str], steps: int = 10
                   ) -> Tuple[List[float], Dict[str, float]]:
    """The fusion weights that score best on held-out dumps (validation
    clips, never the test set): the highest top-1 on a grid of
    ``steps`` per unit, then the highest mean class accuracy, then the
    weights nearest equal ones (the paper's). Returns the weights and
    their validation metrics."""
    dumps = [load_dump(p) for p in paths]
    check_aligned(dumps, list(paths))
    labels = dumps[0]['labels']
    equal = np.full(len(dumps), 1 / len(dumps))
    best = None
    for weights in weight_grid(len(dumps), steps):
        metrics = evaluate(fuse(dumps, weights), labels)
        key = (metrics['top1'], metrics['mean_class'],
               -float(np.abs(np.asarray(weights) - equal).sum()))
        if best is None or key > best[0]:
            best = (key, [round(w, 6) for w in weights], metrics)
    return best[1], best[2]


def evaluate(scores: np.ndarray, labels: np.ndarray) -> Dict[str, float]:
    """top-1, top-5 and mean class accuracy, computed by mmaction2's own
    functions, as tools/test.py reports them."""
    from mmaction.evaluation.functional import mean_class_accuracy
    return {'top1': top_k_accuracy(scores, labels, 1),
            'top5': top_k_accuracy(scores, labels, min(5, scores.shape[1])),
            'mean_class': float(mean_class_accuracy(list(scores),
                                                    list(labels)))}


def fuse_files(paths: Sequence[str], weights: Optional[Sequence[float]] = None
               ) -> Tuple[List[Dict[str, float]], Dict[str, float], Dict]:
    """Metrics of each dump, of the fusion, and the fused dump."""
    dumps = [load_dump(p) for p in paths]
    check_aligned(dumps, list(paths))
    labels = dumps[0]['labels']
    singles = [evaluate(d['scores'], labels) for d in dumps]
    fused_scores = fuse(dumps, weights)
    fused = dict(scores=fused_scores.astype(np.float32), labels=labels,
                 videos=dumps[0]['videos'])
    return singles, evaluate(fused_scores, labels), fused


def format_fusion(paths: Sequence[str], singles: Sequence[Dict[str, float]],
                  fused: Dict[str, float]) -> str:
    """The table ``tools/fuse_scores.py`` prints: top-1, top-5 and mean class
    accuracy of each input and of the fusion."""
    names = [osp.basename(p) for p in paths] + ['fused']
    width = max(len(n) for n in names)
    lines = [f'{"scores":<{width}}  {"top-1":>7}  {"top-5":>7}  '
             f'{"mean class":>10}']
    for name, metrics in zip(names, list(singles) + [fused]):
        lines.append(f'{name:<{width}}  {100 * metrics["top1"]:6.2f}%  '
                     f'{100 * metrics["top5"]:6.2f}%  '
                     f'{100 * metrics["mean_class"]:9.2f}%')
    return '\n'.join(lines)


def fuse_and_save(paths: Sequence[str],
                  weights: Optional[Sequence[float]] = None,
                  out: Optional[str] = None,
                  json_path: Optional[str] = None,
                  weights_from: Optional[Sequence[str]] = None) -> str:
    """Fuse the dumps at ``paths``; write the fused dump to ``out`` and the
    metrics to ``json_path`` when given (atomically); return the table.
    With ``weights_from`` (one validation dump per test dump, in the same
    order) the weights are those :func:`choose_weights` picks on them."""
    chosen = None
    if weights_from is not None:
        if weights is not None:
            raise DanceStyleError('give --weights or --weights-from, not '
                                  'both')
        if len(weights_from) != len(paths):
            raise DanceStyleError(
                f'--weights-from needs one validation dump per test dump '
                f'({len(paths)}), got {len(weights_from)}')
        weights, chosen = choose_weights(weights_from)
    singles, fused, fused_dump = fuse_files(paths, weights)
    if out:
        with atomic_path(out, suffix='.tmp.npz') as tmp:
            np.savez(tmp, **fused_dump)
    if json_path:
        write_text_atomic(json_path, json.dumps({
            'inputs': dict(zip(paths, singles)), 'weights': weights,
            'weights_from': list(weights_from) if weights_from else None,
            'weights_validation': chosen, 'fused': fused}, indent=2) + '\n')
    table = format_fusion(paths, singles, fused)
    if chosen is not None:
        shown = ', '.join(f'{w:g}' for w in weights)
        table += (f'\nweights {shown}, chosen on the validation dumps '
                  f'(validation top-1 {100 * chosen["top1"]:.2f} %)')
    return table
