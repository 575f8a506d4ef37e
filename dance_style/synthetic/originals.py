"""Synthetic stand-ins for downloaded originals, for the benchmarks.

Kinetics clips as YouTube serves them: 10 s at 30 fps, 640x360, H.264 at
x264's default quality with a keyframe every 250 frames (the decoder must
start far before a sampled frame). Written once per folder and reused.
"""
from pathlib import Path
from typing import List, Tuple

from ..video import write_video
from .dataset import clip_rng
from .render import render_clip


def write_originals(folder, clips: int, size: Tuple[int, int] = (360, 640),
                    seconds: float = 10.0, fps: float = 30.0) -> List[Path]:
    """``clips`` originals in ``folder`` (existing ones are kept), cycling
    through the 19 classes; returns their paths."""
    folder = Path(folder)
    paths = []
    for index in range(clips):
        path = folder / f'original_{index:03d}.mp4'
        if not path.is_file():
            label = index % 19
            frames = render_clip(label, clip_rng(0, label, 9_000_000 + index),
                                 size, int(seconds * fps), fps)
            write_video(path, frames, fps, crf=23, preset='fast', gop=250)
        paths.append(path)
    return paths
