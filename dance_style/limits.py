"""What one video may ask of the decoders: a frame-size cap and a deadline.

A video's cost grows with its frame size (an 8K frame is 100 MB as RGB) and
its length, and both come from the file's header, which the sender writes.
The frame-size cap is checked on the header before a frame is decoded
(:func:`dance_style.readers.check_video`) and handed to FFmpeg as its
``max_pixels`` option, so that no decoder allocates a larger frame even while
FFmpeg probes the stream.

The deadline is for the web page (``tools/serve.py --request-timeout``): a
thread cannot be killed, so the decoding and scoring loops call
:func:`check_time` between frames and batches, and raise
:class:`TimeLimitExceeded` once the deadline of the calling thread has
passed (set with :func:`time_limit`). Without a deadline it does nothing.
"""
import argparse
import contextlib
import re
import threading
import time
from typing import Iterator, NamedTuple, Optional, Tuple

from .errors import DanceStyleError

# 8K UHD, width x height: the largest frame a camera or a phone writes
# today. An 8K RGB frame is 7680 * 4320 * 3 bytes = 99.5 MB.
DEFAULT_MAX_FRAME = (7680, 4320)


class InputLimits(NamedTuple):
    """What a video may be: frames within ``max_frame`` (width, height; see
    :func:`frame_size_problem`) and at most ``max_seconds`` long (None: any
    length)."""
    max_frame: Tuple[int, int] = DEFAULT_MAX_FRAME
    max_seconds: Optional[float] = None

    @property
    def max_pixels(self) -> int:
        return self.max_frame[0] * self.max_frame[1]

    @property
    def decoder_options(self) -> dict:
        """FFmpeg options for every decoder that opens an input: a frame
        over the cap's area fails to allocate instead of taking memory."""
        return {'max_pixels': str(self.max_pixels)}


def format_size(size: Tuple[int, int]) -> str:
    return f'{size[0]}x{size[1]}'


def parse_frame_size(text: str) -> Tuple[int, int]:
    """An argparse type: ``WIDTHxHEIGHT`` (e.g. 7680x4320) -> (w, h)."""
    match = re.fullmatch(r'\s*(\d+)\s*[xX]\s*(\d+)\s*', text)
    if not match or min(int(match[1]), int(match[2])) < 1:
        raise argparse.ArgumentTypeError(
            f'expected WIDTHxHEIGHT in pixels, e.g. 7680x4320; got {text!r}')
    return int(match[1]), int(match[2])


def frame_size_problem(width: int, height: int,
                       max_frame: Tuple[int, int]) -> Optional[str]:
    """None when a ``width`` x ``height`` frame is within ``max_frame``,
    else what is wrong.

    The rule: at most the cap's area, and no side longer than the cap's
    longer side, so that the cap holds in both orientations (a portrait
    4320x7680 video is within 7680x4320; 8192x4320 is not).
    """
    cap_w, cap_h = max_frame
    if width < 1 or height < 1:
        return (f'its header states no usable frame size ({width}x'
                f'{height}): damaged, not a video')
    if width * height > cap_w * cap_h or max(width, height) > max(cap_w,
                                                                 cap_h):
        return (f'its frames are {width}x{height} pixels, over the '
                f'{cap_w}x{cap_h} limit')
    return None


class TimeLimitExceeded(DanceStyleError):
    """The deadline set by :func:`time_limit` passed."""


_state = threading.local()


@contextlib.contextmanager
def time_limit(seconds: Optional[float] = None,
               deadline: Optional[float] = None) -> Iterator[None]:
    """In this thread, make :func:`check_time` raise after ``seconds``
    (or at ``deadline``, a ``time.monotonic()`` value)."""
    if deadline is None and seconds is not None:
        deadline = time.monotonic() + seconds
    previous = getattr(_state, 'deadline', None)
    _state.deadline = deadline
    try:
        yield
    finally:
        _state.deadline = previous


def time_left() -> Optional[float]:
    """Seconds to this thread's deadline (None: no deadline)."""
    deadline = getattr(_state, 'deadline', None)
    return None if deadline is None else deadline - time.monotonic()


def check_time() -> None:
    """Raise :class:`TimeLimitExceeded` when this thread's deadline has
    passed; cheap enough to call once per decoded frame."""
    left = time_left()
    if left is not None and left <= 0:
        raise TimeLimitExceeded('the time limit for this video passed')
