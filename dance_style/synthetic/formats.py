"""The video files people have, written from synthetic frames.

The tests and the benchmark check prediction on the formats users bring
(web downloads, phone videos, editing exports, animated GIFs) and on broken
files. Nothing binary is committed: :func:`write_format_samples` encodes
them with PyAV, whose wheels bundle every encoder needed here (x264, x265
with 10-bit output, libvpx VP9, SVT-AV1, MJPEG, ProRes, GIF).
"""
from fractions import Fraction
from pathlib import Path
from typing import Callable, Dict, Optional, Sequence, Union

import numpy as np

# name -> (file name, container format, codec, pixel format, options).
# The names with a space and an accent are on purpose.
FORMATS = {
    'h264': ('h264 clip.mp4', 'mp4', 'libx264', 'yuv420p', {}),
    'hevc': ('hevc.mp4', 'mp4', 'libx265', 'yuv420p', {'x265-params': 'log-level=error'}),
    'hevc10': ('hevc 10bit.mp4', 'mp4', 'libx265', 'yuv420p10le',
               {'x265-params': 'log-level=error'}),
    'vp9': ('vp9.webm', 'webm', 'libvpx-vp9', 'yuv420p', {}),
    'av1': ('av1.webm', 'webm', 'libsvtav1', 'yuv420p', {'preset': '12'}),
    'mjpeg': ('mjpeg.avi', 'avi', 'mjpeg', 'yuvj420p', {}),
    'prores': ('prores.mov', 'mov', 'prores_ks', 'yuv422p10le', {}),
    'gif': ('animated.gif', 'gif', 'gif', 'rgb8', {}),
}

ROTATED = ('rotated 90.mp4', 'rotated 270.webm')
BROKEN = ('truncated.mp4', 'random bytes.mp4', 'empty.mp4', 'notes.txt.mp4')


def write_encoded(path: Union[str, Path], frames: np.ndarray, fps: float,
                  fmt: str, codec: str, pix_fmt: str,
                  options: Optional[dict] = None, rotation: int = 0,
                  times: Optional[Sequence[float]] = None) -> Path:
    """Encode ``frames`` (T, H, W, 3 uint8 RGB) with any PyAV encoder.

    ``rotation`` (degrees counter-clockwise, a multiple of 90) is stored as
    the display matrix phones write: the frames are stored as given, and a
    player shows them turned. ``times`` (seconds, increasing) gives a
    variable frame rate; otherwise one frame every ``1/fps``.
    """
    import av
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rate = Fraction(fps).limit_denominator(1001)
    with av.open(str(path), mode='w', format=fmt) as container:
        stream = container.add_stream(codec, rate=rate,
                                      options=dict(options or {}))
        stream.height, stream.width = frames.shape[1:3]
        stream.pix_fmt = pix_fmt
        # encoders such as libvpx refuse to open without a time base
        stream.codec_context.time_base = (Fraction(1, 1000) if times is not None
                                          else 1 / rate)
        if rotation:
            stream.set_display_rotation(rotation)
        for index, rgb in enumerate(frames):
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb),
                                               format='rgb24')
            frame.pts = (index if times is None
                         else int(round(1000 * times[index])))
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def write_format_samples(folder: Union[str, Path],
                         render: Callable[[int, int, int], np.ndarray],
                         fps: float = 16.0, frames: int = 48,
                         size=(64, 64)) -> Dict[str, Path]:
    """Write one file per format of :data:`FORMATS` plus the cases that broke
    readers: vertical (portrait), the same clip rotated (tag 90 in .mp4, 270
    in .webm, where decord ignores the tag), variable frame rate, 320x180,
    5 frames and 1 frame long, and four broken files. ``render(n, height, width)`` returns (n, H, W, 3)
    uint8 frames. Returns {case: path}; the broken ones have names starting
    with ``broken:``.
    """
    folder = Path(folder)
    h, w = size
    clip = render(frames, h, w)
    out = {}
    for name, (file, fmt, codec, pix_fmt, options) in FORMATS.items():
        out[name] = write_encoded(folder / file, clip, fps, fmt, codec,
                                  pix_fmt, options)
    # vertical (portrait, as phones film upright) without a rotation tag
    portrait = render(frames, 2 * w, w)
    out['vertical'] = write_encoded(folder / 'vertical é.mp4', portrait, fps,
                                    'mp4', 'libx264', 'yuv420p')
    # phone videos: the same portrait clip stored as landscape pixels with a
    # tag that says "turn me upright", so honouring the tag gives back the
    # vertical clip's frames
    for file, degrees in zip(ROTATED, (90, 270)):
        stored = np.ascontiguousarray(np.rot90(portrait, k=-degrees // 90,
                                               axes=(1, 2)))
        fmt, codec = (('mp4', 'libx264') if file.endswith('.mp4')
                      else ('webm', 'libvpx-vp9'))
        out[f'rotated{degrees}'] = write_encoded(
            folder / file, stored, fps, fmt, codec, 'yuv420p',
            rotation=degrees)
    # a small 16:9 web video (320x180): the test pipeline's resize and crop
    # on a frame that is not square
    out['320x180'] = write_encoded(folder / 'web 320x180.mp4',
                                   render(frames, 180, 320), fps, 'mp4',
                                   'libx264', 'yuv420p')
    rng = np.random.default_rng(0)
    times = np.cumsum(rng.uniform(0.5, 1.5, frames) / fps) - 1 / fps
    out['vfr'] = write_encoded(folder / 'variable rate.mp4', clip, fps, 'mp4',
                               'libx264', 'yuv420p', times=times)
    out['5 frames'] = write_encoded(folder / 'five frames.mp4', clip[:5], fps,
                                    'mp4', 'libx264', 'yuv420p')
    out['1 frame'] = write_encoded(folder / 'one frame.mp4', clip[:1], fps,
                                   'mp4', 'libx264', 'yuv420p')
    good = out['h264'].read_bytes()
    broken = {
        'truncated.mp4': good[:len(good) // 3],
        'random bytes.mp4': rng.integers(0, 256, 4096, np.uint8).tobytes(),
        'empty.mp4': b'',
        'notes.txt.mp4': b'not a video, a text file renamed\n',
    }
    for file, data in broken.items():
        (folder / file).write_bytes(data)
        out[f'broken:{file}'] = folder / file
    return out


def render_dance(label: int, seed: int = 0, fps: float = 16.0
                 ) -> Callable[[int, int, int], np.ndarray]:
    """A ``render(n, height, width)`` for :func:`write_format_samples` that
    draws synthetic class ``label``."""
    from .render import render_clip

    def render(n, height, width):
        return render_clip(label, np.random.default_rng(seed),
                           size=(height, width), num_frames=n, fps=fps)
    return render


if __name__ == '__main__':
    # The tests write the samples in a child process: once decord is
    # imported (mmaction2 imports it), its bundled FFmpeg shadows PyAV's and
    # the VP9 encoder refuses to open. Usage: python -m
    # dance_style.synthetic.formats OUT_DIR [LABEL]
    import json
    import sys
    label = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    paths = write_format_samples(sys.argv[1], render_dance(label))
    print(json.dumps({k: str(v) for k, v in paths.items()}))
