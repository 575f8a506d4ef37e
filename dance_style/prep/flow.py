"""Optical flow of a clip, stored as 8-bit x/y JPEG frames.

The flow stream of Two-Stream I3D reads it. Standard treatment (Carreira and
Zisserman; Simonyan and Zisserman): TV-L1 flow between consecutive
grayscale frames, each component clipped to [-20, 20] pixels and scaled
linearly to 0..255 (128 = no motion).

Format: one folder per clip with ``flow_x_00001.jpg``, ``flow_y_00001.jpg``
... (frame i holds the motion from frame i to i + 1). This is mmaction2's
own rawframe layout for the Flow modality (``RawframeDataset``,
``RawFrameDecode``, ``filename_tmpl='flow_{}_{:05d}.jpg'``), so the flow
stream needs no custom loader; JPEG at quality 95 keeps the quantisation
error of the 8-bit values near 1 level, far below the TV-L1 noise. (A
2-channel video would be smaller but H.264 has no 2-channel mode, and its
chroma subsampling would blur the y component.)

A clip is written into a temporary folder renamed into place when complete,
so a killed run leaves no half-written clip and a rerun skips finished ones.
"""
import os
import re
import shutil
import tempfile
import time
from pathlib import Path
from typing import Iterable, Optional

import numpy as np

BOUND = 20.0  # pixels; flow beyond this is clipped
METHODS = ('tvl1', 'farneback')


def quantise(flow: np.ndarray, bound: float = BOUND) -> np.ndarray:
    """Flow in pixels -> uint8, [-bound, bound] onto [0, 255]."""
    scaled = (np.clip(flow, -bound, bound) + bound) * (255.0 / (2 * bound))
    return np.rint(scaled).astype(np.uint8)


def dequantise(values: np.ndarray, bound: float = BOUND) -> np.ndarray:
    """uint8 -> flow in pixels (the inverse of :func:`quantise`)."""
    return values.astype(np.float32) * (2 * bound / 255.0) - bound


def make_estimator(method: str):
    """A function (previous gray, next gray) -> flow (H, W, 2) float32."""
    import cv2
    if method == 'tvl1':
        tvl1 = cv2.optflow.DualTVL1OpticalFlow_create()
        return lambda prev, nxt: tvl1.calc(prev, nxt, None)
    if method == 'farneback':
        return lambda prev, nxt: cv2.calcOpticalFlowFarneback(
            prev, nxt, None, pyr_scale=0.5, levels=3, winsize=15,
            iterations=3, poly_n=5, poly_sigma=1.2, flags=0)
    raise ValueError(f'unknown flow method {method!r}; one of {METHODS}')


def extract_clip(task: dict) -> dict:
    """Flow frames of one video (a pool task: plain dict in and out).

    task keys: key, video, output (folder), method, short_side (0: keep),
    quality. Returns key, status (ok | skipped | corrupt | too_short),
    reason, pairs, seconds.
    """
    import cv2

    from ..video import iter_frames
    output = Path(task['output'])
    result = dict(key=task['key'], status='ok', reason='', pairs=0,
                  seconds=0.0)
    if output.is_dir():
        result.update(status='skipped', reason='already extracted',
                      pairs=len(list(output.glob('flow_x_*.jpg'))))
        return result
    start = time.perf_counter()
    estimate = make_estimator(task.get('method', 'tvl1'))
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f'.{output.name}.', dir=output.parent))
    quality = [int(cv2.IMWRITE_JPEG_QUALITY), int(task.get('quality', 95))]
    try:
        previous = None
        pairs = 0
        for _, rgb in iter_frames(task['video']):
            gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
            short_side = int(task.get('short_side') or 0)
            if short_side and min(gray.shape) != short_side:
                h, w = gray.shape
                scale = short_side / min(h, w)
                gray = cv2.resize(gray, (round(w * scale), round(h * scale)),
                                  interpolation=cv2.INTER_AREA)
            if previous is not None:
                flow = quantise(estimate(previous, gray))
                pairs += 1
                for axis, name in ((0, 'x'), (1, 'y')):
                    path = tmp / f'flow_{name}_{pairs:05d}.jpg'
                    if not cv2.imwrite(str(path), flow[..., axis], quality):
                        raise OSError(f'cannot write {path}')
            previous = gray
        if pairs == 0:
            result.update(status='too_short',
                          reason='fewer than 2 decodable frames')
            shutil.rmtree(tmp, ignore_errors=True)
            return result
        os.chmod(tmp, 0o755)
        os.replace(tmp, output)  # the whole clip appears at once
    except Exception as error:  # damaged file: record, never crash the run
        shutil.rmtree(tmp, ignore_errors=True)
        result.update(status='corrupt',
                      reason=f'{type(error).__name__}: {error}'[:300])
        return result
    result.update(pairs=pairs, seconds=time.perf_counter() - start)
    return result


def remove_stale_temp_dirs(root: Path,
                           outputs: Optional[Iterable[Path]] = None) -> int:
    """Temporary clip folders a SIGKILLed run left behind: every one under
    ``root``, or with ``outputs`` only those of these clip folders (a shard
    must not remove the folders that other shards are writing)."""
    if outputs is None:
        stale = [path for path in Path(root).rglob('.*') if path.is_dir()]
    else:
        stale = []
        for output in outputs:
            output = Path(output)
            if not output.parent.is_dir():
                continue
            # extract_clip's mkdtemp names: '.<clip>.' + 8 random [a-z0-9_]
            pattern = re.compile(rf'\.{re.escape(output.name)}\.[a-z0-9_]{{8}}')
            stale += [path for path in output.parent.glob(f'.{output.name}.*')
                      if path.is_dir() and pattern.fullmatch(path.name)]
    for path in stale:
        shutil.rmtree(path, ignore_errors=True)
    return len(stale)


def flow_folder(root: Path, video_rel: str) -> Path:
    """Where a video's flow goes: its relative path without the suffix."""
    return Path(root) / Path(video_rel).with_suffix('')


def read_flow(folder: Path, index: int,
              bound: float = BOUND) -> Optional[np.ndarray]:
    """Flow pair ``index`` (1-based) of a clip folder, in pixels (H, W, 2)."""
    import cv2
    x = cv2.imread(str(Path(folder) / f'flow_x_{index:05d}.jpg'),
                   cv2.IMREAD_GRAYSCALE)
    y = cv2.imread(str(Path(folder) / f'flow_y_{index:05d}.jpg'),
                   cv2.IMREAD_GRAYSCALE)
    if x is None or y is None:
        return None
    return np.stack([dequantise(x, bound), dequantise(y, bound)], axis=-1)
