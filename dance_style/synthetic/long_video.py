"""A long synthetic video that chains several styles: one dancer (one
appearance, camera and background) who changes dance every segment, for the
style timeline (``tools/predict.py --timeline``) and its tests.

Two programs travel: moon walking glides and tango steps one way for as long
as they last (:mod:`.choreography`). A 3 s training clip takes them about a
third of the figure's height from the middle; a 20 s segment would take them
four heights, out of the frame for most of it, and its windows would show an
empty background. A dancer on a stage turns round instead: the horizontal
travel of a segment is folded back at :data:`TRAVEL_REACH`, so the dancer
goes to and fro (a mirrored moonwalk is a moonwalk: training clips are
mirrored with probability 0.5 in every class). Travel within that reach,
every other program's, is unchanged.
"""
from dataclasses import replace
from pathlib import Path
from typing import List, Sequence, Tuple, Union

import numpy as np

from ..video import VideoWriter
from .choreography import (check_label, pose_to_points, sample_appearance,
                           sample_motion)
from .render import _check_size, draw_frames

# Figure heights from the centre that a 3 s training clip's travel reaches
# (moon walking: 0.22 heights/s x 1.5 s x up to 1.15 amplitude); the other
# programs stay within it (country line dancing: 0.25, square dancing: 0.23)
TRAVEL_REACH = 0.38


def fold_travel(x: np.ndarray, reach: float = TRAVEL_REACH) -> np.ndarray:
    """``x`` reflected into ``[-reach, reach]`` at its ends: constant speed
    becomes to and fro; values within the range are returned unchanged."""
    x = np.asarray(x, dtype=np.float64)
    u = np.mod(x + reach, 4 * reach)
    folded = np.where(u < 2 * reach, u - reach, 3 * reach - u)
    # within the reach, x itself: the modulo's rounding would move it
    return np.where(np.abs(x) <= reach, x, folded)


def write_long_video(path: Union[str, Path], labels: Sequence[int],
                     seconds_each: Union[float, Sequence[float]] = 20.0,
                     size: Tuple[int, int] = (72, 128), fps: float = 16.0,
                     seed: int = 0) -> List[dict]:
    """Write an H.264 video of ``labels`` danced one after another.

    Each segment's motion is drawn as one clip of its class would be
    (:func:`sample_motion`); the look stays the same throughout. Segments
    are rendered and encoded one at a time, so memory is one segment.
    Returns the true segments: ``start``, ``end`` (s), ``label``.
    """
    labels = [check_label(label) for label in labels]
    if not labels:
        raise ValueError('labels must name at least one style')
    if np.isscalar(seconds_each):
        seconds_each = [float(seconds_each)] * len(labels)
    if len(seconds_each) != len(labels) or min(seconds_each) <= 0:
        raise ValueError('seconds_each: one positive duration per label')
    h, w = _check_size(size)
    counts = [max(2, int(round(s * fps))) for s in seconds_each]
    rng = np.random.default_rng(seed)
    app = sample_appearance(rng, (h, w), sum(counts))
    truth, first = [], 0
    with VideoWriter(path, fps) as writer:
        for label, count in zip(labels, counts):
            t = np.arange(first, first + count) / float(fps)
            pose = sample_motion(label, t, rng)
            pose.root[:, 0] = fold_travel(pose.root[:, 0])
            segment_app = replace(app, shake=app.shake[first:first + count])
            frames = draw_frames(pose_to_points(pose), segment_app, (h, w))
            noise = rng.standard_normal(frames.shape, dtype=np.float32)
            frames = np.clip(np.rint(frames + noise * app.noise_sigma), 0,
                             255).astype(np.uint8)
            for rgb in frames:
                writer.write(rgb)
            truth.append(dict(start=first / fps,
                              end=(first + count) / fps, label=label))
            first += count
    return truth
