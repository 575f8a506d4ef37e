"""Draw synthetic dance clips: a thick anti-aliased stick figure per frame."""
from typing import Tuple

import cv2
import numpy as np

from .choreography import (HEAD_R, Appearance, check_label, pose_to_points,
                           sample_appearance, sample_motion)

# cv2 drawing takes integer coordinates with this many fractional bits, which
# gives sub-pixel positions (smooth slow motion) with anti-aliasing.
_SHIFT = 4
_ONE = 1 << _SHIFT

MIN_SIZE = 16   # px; below this the limbs are a pixel long. 32+ is the design size.

# Joint chains drawn as open polylines: both arms through the shoulder bar,
# both legs through the hip bar, and the spine up to the head's centre.
_CHAINS = (
    ('wrist0', 'elbow0', 'shoulder0', 'shoulder1', 'elbow1', 'wrist1'),
    ('ankle0', 'knee0', 'hip0', 'hip1', 'knee1', 'ankle1'),
    ('hip', 'shoulder', 'head'),
)


def _check_size(size) -> Tuple[int, int]:
    try:
        h, w = (int(v) for v in size)
    except (TypeError, ValueError):
        raise ValueError(f'size must be (height, width) in pixels; got {size!r}') from None
    if h < MIN_SIZE or w < MIN_SIZE:
        raise ValueError(f'size must be at least {MIN_SIZE}x{MIN_SIZE} px '
                         f'(32x32 or more recommended); got {h}x{w}')
    return h, w


def draw_frames(points, app: Appearance, size: Tuple[int, int]) -> np.ndarray:
    """Rasterise joint positions (dict of (T, 2) arrays, figure units) onto the
    clip's background with its camera shake and pixel noise; (T, H, W, 3) uint8."""
    h, w = size
    pad = app.pad
    n = len(points['hip'])
    # Figure units -> pixels of the padded canvas, fixed-point for cv2.
    origin = np.array([app.center[0] + pad, app.center[1] + pad])
    fixed = {k: np.rint((origin + app.scale * v) * _ONE).astype(np.int32)
             for k, v in points.items()}
    chains = [np.stack([fixed[k] for k in chain], axis=1) for chain in _CHAINS]
    head_r = int(round(HEAD_R * app.scale * _ONE))
    out = np.empty((n, h, w, 3), np.uint8)
    for i in range(n):
        canvas = app.background.copy()
        cv2.polylines(canvas, [c[i] for c in chains], False, app.figure_rgb,
                      app.thickness, cv2.LINE_AA, _SHIFT)
        cv2.circle(canvas, tuple(int(v) for v in fixed['head'][i]), head_r,
                   app.head_rgb, -1, cv2.LINE_AA, _SHIFT)
        # Camera shake: the view window moves over the padded canvas.
        dx, dy = app.shake[i]
        out[i] = canvas[pad + dy:pad + dy + h, pad + dx:pad + dx + w]
    return out


def render_clip(label: int, rng: np.random.Generator, size: Tuple[int, int] = (64, 64),
                num_frames: int = 48, fps: float = 16.0) -> np.ndarray:
    """Render one clip of dance class ``label``: uint8 RGB array (T, H, W, 3).

    Args:
        label: class index 0..18 (``DANCE19_CLASSES`` order); ValueError otherwise.
        rng: the clip's generator (see ``clip_rng``); it alone decides the clip,
            so equal generator states give identical frames.
        size: (height, width) in pixels, any value >= 32 (>= 16 accepted),
            non-square and odd included.
        num_frames: number of frames T (>= 2).
        fps: frame rate the motion is sampled at; motion is defined in seconds,
            so a higher fps gives the same dance with finer time steps.
    """
    label = check_label(label)
    h, w = _check_size(size)
    if int(num_frames) != num_frames or num_frames < 2:
        raise ValueError(f'num_frames must be an integer >= 2; got {num_frames!r}')
    if not fps > 0:
        raise ValueError(f'fps must be > 0; got {fps!r}')
    num_frames = int(num_frames)
    app = sample_appearance(rng, (h, w), num_frames)
    pose = sample_motion(label, np.arange(num_frames) / float(fps), rng)
    frames = draw_frames(pose_to_points(pose), app, (h, w))
    noise = rng.standard_normal(frames.shape, dtype=np.float32) * app.noise_sigma
    return np.clip(np.rint(frames + noise), 0, 255).astype(np.uint8)
