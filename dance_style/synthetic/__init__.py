"""Procedural synthetic dance clips: 19 classes that differ by motion only.

The repo's embedded default dataset. ``render_clip`` draws one clip,
``write_video`` stores it as H.264, ``generate_dataset`` writes a whole
Kinetics-style dataset with mmaction2 annotation files. It imports neither
torch nor mmaction, so a render worker starts in a fraction of a second.
"""
from .choreography import CHOREOGRAPHIES, describe
from .dataset import clip_id, clip_rng, generate_dataset
from .render import render_clip
from ..video import write_video

__all__ = ['CHOREOGRAPHIES', 'clip_id', 'clip_rng', 'describe',
           'generate_dataset', 'render_clip', 'write_video']
