"""Write frames as an H.264 .mp4 with PyAV (its wheels bundle libx264)."""
from fractions import Fraction
from pathlib import Path
from typing import Union

import numpy as np

from ..fileio import atomic_path

# x264 settings. crf 18: visually lossless, so the pixel noise and anti-aliased
# edges survive; GOP 16 frames: a keyframe every clip-length of 16, so random
# access (mmaction's sampling) decodes at most 15 extra frames; threads 1: the
# data builder runs one process per core, and a single-threaded encoder gives
# byte-identical files on every run.
X264_OPTIONS = {'crf': '18', 'preset': 'medium', 'threads': '1'}
GOP = 16


def write_video(path: Union[str, Path], frames: np.ndarray, fps: float) -> None:
    """Encode ``frames`` (T, H, W, 3) uint8 RGB as H.264 yuv420p .mp4 at ``fps``.

    Constant frame rate, GOP of 16 frames, crf 18. yuv420p needs even sizes:
    an odd height or width is padded by one replicated row/column at the
    bottom/right (the video is then one pixel larger). The file appears at
    ``path`` only when complete (temp file in the same folder, then
    ``os.replace``); the temp file is removed on any error. Parent folders are
    created.

    Note: decord 0.6.0 mis-reads a few widths (48 and 72 px among common
    ones; see ``dataset.DECORD_BAD_WIDTHS``); ``generate_dataset`` refuses them.
    """
    import av  # lazy: every training process imports dance_style, few write videos

    frames = np.asarray(frames)
    if frames.ndim != 4 or frames.shape[-1] != 3 or frames.dtype != np.uint8 \
            or frames.shape[0] < 1:
        raise ValueError('frames must be a uint8 array (T, H, W, 3) with T >= 1; '
                         f'got dtype {frames.dtype} shape {frames.shape}')
    if not fps > 0:
        raise ValueError(f'fps must be > 0; got {fps!r}')
    h, w = frames.shape[1:3]
    if h % 2 or w % 2:
        frames = np.pad(frames, ((0, 0), (0, h % 2), (0, w % 2), (0, 0)), mode='edge')
        h, w = frames.shape[1:3]
    # 1001 covers NTSC rates exactly (30000/1001) while 16.0 stays 16/1.
    rate = Fraction(fps).limit_denominator(1001)

    with atomic_path(path, suffix='.tmp.mp4') as tmp:
        with av.open(tmp, mode='w', format='mp4') as container:
            stream = container.add_stream('libx264', rate=rate, options=dict(X264_OPTIONS))
            stream.width, stream.height = w, h
            stream.pix_fmt = 'yuv420p'
            stream.codec_context.gop_size = GOP
            stream.codec_context.time_base = Fraction(1) / rate
            for i, rgb in enumerate(frames):
                frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format='rgb24')
                frame.pts = i            # one tick per frame: constant frame rate
                for packet in stream.encode(frame):
                    container.mux(packet)
            for packet in stream.encode():   # flush delayed (B-)frames
                container.mux(packet)
