"""Which decoder reads a video a person has, upright, with a clear failure.

mmaction2 reads videos with decord. decord 0.6.0 cannot open AV1 or GIF
(``cannot find video stream with wanted index: -1``, ``Failed to measure
duration/frame-count``), and it ignores the rotation tag of WebM/MKV files
(it honours the one of MP4/MOV). PyAV, whose wheels bundle a current FFmpeg
with dav1d, reads all of them. :func:`choose_reader` decides per file:

* not a video at all: :class:`UnreadableVideo`, one line that says what the
  file is and the exact command that re-encodes it;
* rotated, or refused by decord: PyAV (``PyAVStreamInit`` /
  ``PyAVStreamDecode`` of :mod:`dance_style.stream_transforms`), with the
  reason for one log line;
* otherwise decord, the config's own pipeline, as in training and testing.
"""
import shlex
from pathlib import Path
from typing import NamedTuple, Optional, Tuple, Union

import numpy as np

from .errors import DanceStyleError

DECORD = 'decord'
PYAV = 'pyav'

# The demuxers a video may be opened with (FFmpeg's names). Playlists and
# concat lists (hls, concat) are left out on purpose: FFmpeg follows the
# paths inside them, so an uploaded text file could make it read other files
# on the server; image sequences (image2) are not videos.
VIDEO_FORMATS = ('mov,mp4,m4a,3gp,3g2,mj2', 'matroska,webm', 'avi', 'gif',
                 'mpegts', 'mpeg', 'flv', 'asf', 'ogg')
OPEN_OPTIONS = {'format_whitelist': ','.join(VIDEO_FORMATS),
                'protocol_whitelist': 'file'}


class UnreadableVideo(DanceStyleError):
    """A file that no decoder here can read; the message is one line."""


class ReaderChoice(NamedTuple):
    """The decoder for one file and, when it is PyAV, why."""
    reader: str
    reason: str
    rotation: int  # degrees counter-clockwise that make the frames upright
    codec: str


def reencode_command(path: Union[str, Path]) -> str:
    """The FFmpeg command that turns ``path`` into H.264, quoted for a shell
    (shown to the user; never run by this code)."""
    path = Path(path)
    out = path.with_name(f'{path.stem}_h264.mp4')
    return ' '.join(shlex.quote(str(a)) for a in (
        'ffmpeg', '-i', path, '-c:v', 'libx264', '-pix_fmt', 'yuv420p', out))


def _first_line(error: BaseException) -> str:
    """An error's first line without FFmpeg's errno and file name (which
    the message names already)."""
    text = getattr(error, 'strerror', None) or str(error)
    lines = text.strip().splitlines()
    line = lines[0] if lines else type(error).__name__
    # decord: "[12:00:00] /src/video/video_reader.cc:151: Check failed: ...
    # ERROR cannot find video stream"; keep what it says last
    line = line.rsplit('ERROR ', 1)[-1]
    if line.startswith('[') and '] ' in line:
        line = line.split('] ', 1)[1]
    return line[:160]


def upright(rgb: np.ndarray, rotation: int) -> np.ndarray:
    """Turn a decoded (H, W, 3) frame by its display rotation (degrees
    counter-clockwise, FFmpeg's and PyAV's sign), as players show it."""
    k = (int(rotation) // 90) % 4
    return np.ascontiguousarray(np.rot90(rgb, k=k)) if k else rgb


def check_video(path: Union[str, Path]) -> ReaderChoice:
    """Open ``path`` with PyAV and decode one frame, or raise
    :class:`UnreadableVideo` with a one-line reason and what to do."""
    import av
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise UnreadableVideo(f'{name}: file not found ({path})')
    if path.stat().st_size == 0:
        raise UnreadableVideo(f'{name}: empty file (0 bytes); copy it again '
                              'from its source')
    try:
        with av.open(str(path), container_options=OPEN_OPTIONS) as container:
            if not container.streams.video:
                raise UnreadableVideo(
                    f'{name}: has no video stream (audio or data only: '
                    f'{container.format.name})')
            stream = container.streams.video[0]
            codec = getattr(stream.codec_context.codec, 'canonical_name',
                            None) or stream.codec_context.name
            frame = next(container.decode(stream), None)
            if frame is None:
                raise UnreadableVideo(
                    f'{name}: a {codec} stream without a single decodable '
                    f'frame; re-encode it if it plays elsewhere: '
                    f'{reencode_command(path)}')
            rotation = int(getattr(frame, 'rotation', 0) or 0) % 360
    except UnreadableVideo:
        raise
    except (av.error.FFmpegError, OSError, ValueError) as error:
        raise UnreadableVideo(
            f'{name}: not a video FFmpeg can read ({_first_line(error)}: '
            'truncated, a playlist, or no video container); if it plays in '
            'a player, re-encode '
            f'it: {reencode_command(path)}') from None
    return ReaderChoice(DECORD, '', rotation, codec)


def choose_reader(path: Union[str, Path]) -> ReaderChoice:
    """:func:`check_video`, then decord where it reads the file as players
    show it, else PyAV with the reason."""
    check = check_video(path)
    if check.rotation:
        return check._replace(
            reader=PYAV, reason=f'rotated {check.rotation} degrees: decoded '
            'with PyAV and turned upright (decord ignores the tag of some '
            'containers)')
    failure = _decord_failure(path)
    if failure:
        return check._replace(
            reader=PYAV, reason=f'decord cannot read this {check.codec} '
            f'file ({failure}); decoded with PyAV instead')
    return check


def _decord_failure(path) -> Optional[str]:
    """None when decord opens ``path`` and decodes its first frame, else
    decord's error, first line."""
    import decord
    try:
        reader = decord.VideoReader(str(path), num_threads=1)
        if len(reader) == 0:
            return 'no frames'
        reader[0]
    except Exception as error:  # noqa: BLE001  decord raises DECORDError and RuntimeError
        return _first_line(error)
    return None


def count_frames(path: Union[str, Path]) -> Tuple[int, float, int]:
    """(frames, average rate, rotation) in one decoding pass: the header's
    count is 0 for WebM/MKV and wrong for some GIFs. Used only on the PyAV
    path."""
    import av
    count, rotation = 0, 0
    with av.open(str(path), container_options=OPEN_OPTIONS) as container:
        stream = container.streams.video[0]
        stream.thread_type = 'AUTO'
        fps = float(stream.average_rate or stream.guessed_rate or 30)
        for frame in container.decode(stream):
            if count == 0:
                rotation = int(getattr(frame, 'rotation', 0) or 0) % 360
            count += 1
    return count, fps, rotation

