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

Before any frame is decoded, :func:`check_video` reads the frame size and
the duration from the header and refuses what is over the limits
(:mod:`dance_style.limits`): :class:`VideoRefused`. :func:`decode_size` is
the size the test pipeline's first ``Resize`` would give a frame; the
decoders scale to it while decoding (decord's ``width``/``height``, PyAV's
``reformat``), so a frame never sits in memory at the source's resolution
as RGB, whatever that is.
"""
import shlex
from pathlib import Path
from typing import NamedTuple, Optional, Tuple, Union

import numpy as np

from .errors import DanceStyleError
from .limits import (InputLimits, check_time, format_size,
                     frame_size_problem)

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

# The decoding steps of mmaction2 and of this package: the pipeline's
# frames come out of one of these.
DECODE_TYPES = ('DecordDecode', 'PyAVDecode', 'OpenCVDecode',
                'PyAVStreamDecode', 'DecordChunkedDecode')


# Output widths (px) that decord 0.6.0's scaler returns as garbage (a copy
# of the wrong size): measured for every width 2..399 at heights 64 and 39,
# the encoded widths of dance_style.video.DECORD_BAD_WIDTHS and 3.
DECORD_BAD_OUTPUT_WIDTHS = (2, 3, 4, 6, 8, 12, 16, 24, 48, 72)


class UnreadableVideo(DanceStyleError):
    """A file that no decoder here can read; the message is one line."""


class VideoRefused(UnreadableVideo):
    """A video over a limit (frame size, duration): refused before
    decoding; the message is one line and names the flag that moves the
    limit."""


class ReaderChoice(NamedTuple):
    """The decoder for one file and, when it is PyAV, why; the header's
    frame size (as stored, before rotation) and duration (s, 0: unknown);
    ``size``: (width, height) to decode at (as stored), None for the
    source's own."""
    reader: str
    reason: str
    rotation: int  # degrees counter-clockwise that make the frames upright
    codec: str
    width: int = 0
    height: int = 0
    duration: float = 0.0
    size: Optional[Tuple[int, int]] = None


def reencode_command(path: Union[str, Path]) -> str:
    """The FFmpeg command that turns ``path`` into H.264, quoted for a shell
    (shown to the user; never run by this code)."""
    path = Path(path)
    out = path.with_name(f'{path.stem}_h264.mp4')
    return ' '.join(shlex.quote(str(a)) for a in (
        'ffmpeg', '-i', path, '-c:v', 'libx264', '-pix_fmt', 'yuv420p', out))


def downscale_command(path: Union[str, Path]) -> str:
    """The FFmpeg command that scales ``path`` to 1080 lines (H.264)."""
    path = Path(path)
    out = path.with_name(f'{path.stem}_1080p.mp4')
    return ' '.join(shlex.quote(str(a)) for a in (
        'ffmpeg', '-i', path, '-vf', 'scale=-2:1080', '-c:v', 'libx264',
        '-pix_fmt', 'yuv420p', out))


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


def check_video(path: Union[str, Path],
                limits: Optional[InputLimits] = None) -> ReaderChoice:
    """Open ``path`` with PyAV, check its header against ``limits``
    (default: :class:`InputLimits`, the 8K cap) and decode one frame, or
    raise :class:`UnreadableVideo` (:class:`VideoRefused` over a limit) with
    a one-line reason and what to do."""
    import av
    limits = limits or InputLimits()
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise UnreadableVideo(f'{name}: file not found ({path})')
    if path.stat().st_size == 0:
        raise UnreadableVideo(f'{name}: empty file (0 bytes); copy it again '
                              'from its source')
    try:
        # max_pixels: FFmpeg's stream probe inside av.open decodes a few
        # frames of some codecs (H.264); no larger frame is allocated there
        with av.open(str(path), container_options=OPEN_OPTIONS,
                     options=limits.decoder_options) as container:
            if not container.streams.video:
                raise UnreadableVideo(
                    f'{name}: has no video stream (audio or data only: '
                    f'{container.format.name})')
            stream = container.streams.video[0]
            if stream.codec_context is None:  # FFmpeg has no decoder for it
                raise UnreadableVideo(
                    f'{name}: a video stream FFmpeg has no decoder for '
                    '(damaged, or an unknown codec); if it plays in a '
                    f'player, re-encode it: {reencode_command(path)}')
            codec = getattr(stream.codec_context.codec, 'canonical_name',
                            None) or stream.codec_context.name
            width, height = stream.codec_context.width, \
                stream.codec_context.height
            _check_frame_size(name, width, height, limits)
            duration = header_duration(container, stream)
            if limits.max_seconds is not None and \
                    duration > limits.max_seconds:
                raise VideoRefused(
                    f'{name}: lasts {duration / 60:.1f} minutes, over the '
                    f'{limits.max_seconds / 60:g}-minute limit '
                    '(--max-minutes); cut it first: ffmpeg -i IN -t '
                    f'{limits.max_seconds:g} -c copy OUT.mp4')
            stream.codec_context.options = dict(limits.decoder_options)
            frame = next(container.decode(stream), None)
            if frame is None:
                raise UnreadableVideo(
                    f'{name}: a {codec} stream without a single decodable '
                    f'frame; re-encode it if it plays elsewhere: '
                    f'{reencode_command(path)}')
            # the header said one size; the first frame might say another
            _check_frame_size(name, frame.width, frame.height, limits)
            rotation = int(getattr(frame, 'rotation', 0) or 0) % 360
    except UnreadableVideo:
        raise
    except (av.error.FFmpegError, OSError, ValueError, MemoryError) as error:
        raise UnreadableVideo(
            f'{name}: not a video FFmpeg can read ({_first_line(error)}: '
            'truncated, a playlist, or no video container); if it plays in '
            'a player, re-encode '
            f'it: {reencode_command(path)}') from None
    return ReaderChoice(DECORD, '', rotation, codec, width, height,
                        duration)


def _check_frame_size(name: str, width: int, height: int,
                      limits: InputLimits) -> None:
    problem = frame_size_problem(width, height, limits.max_frame)
    if problem is None:
        return
    if width < 1 or height < 1:
        # FFmpeg leaves the size unset where its decoder refused the frames
        # (max_pixels), so this is also how an oversized frame can look
        raise UnreadableVideo(
            f'{name}: {problem}, or frames over the '
            f'{format_size(limits.max_frame)} limit (--max-frame-size)')
    raise VideoRefused(
        f'{name}: {problem} (--max-frame-size '
        f'{format_size(limits.max_frame)}); scale it down first: '
        f'{downscale_command(name)}')


def header_duration(container, stream) -> float:
    """Seconds the header states (0.0 when it states none)."""
    if stream.duration is not None and stream.time_base is not None:
        return max(0.0, float(stream.duration * stream.time_base))
    if container.duration is not None:
        return max(0.0, container.duration / 1e6)
    return 0.0


def decode_size(width: int, height: int, resize: Optional[dict],
                limits: Optional[InputLimits] = None, rotation: int = 0,
                name: str = 'the video') -> Optional[Tuple[int, int]]:
    """(width, height) to decode a ``width`` x ``height`` stream at (as
    stored) so that the pipeline step ``resize`` (an mmaction ``Resize``
    config; None: no resize follows the decoder) has nothing left to do;
    None when decoding at the source's size is as small (the ``Resize``
    enlarges, or keeps the size).

    The size is the one mmaction's ``Resize`` computes (``scale=(-1, 256)``:
    short side 256, the ratio kept); on it the ``Resize`` keeps the frame
    as it is. Raises :class:`VideoRefused` when the resized frame would be
    over the limit (a 7680x2 video is 245760x64 at short side 64).
    """
    if resize is None or resize.get('type') != 'Resize' or \
            not isinstance(resize['scale'], (tuple, list)):
        return None  # a factor (scale=0.5) would apply again after decoding
    from mmcv.image import rescale_size
    limits = limits or InputLimits()
    turned = int(rotation) % 180 == 90  # the pipeline sees it upright
    w, h = (height, width) if turned else (width, height)
    scale = tuple(resize['scale'])
    if min(scale) == -1:  # as Resize: -1 means "the short side"
        scale = (np.inf, max(scale))
    if resize.get('keep_ratio', True):
        new_w, new_h = rescale_size((w, h), scale)
    else:
        new_w, new_h = scale
    problem = frame_size_problem(new_w, new_h, limits.max_frame)
    if problem:
        raise VideoRefused(
            f'{name}: {w}x{h} pixels become {new_w}x{new_h} at the model\'s '
            f'scale, over the {format_size(limits.max_frame)} limit '
            '(--max-frame-size): crop it to a less extreme shape first')
    if new_w * new_h >= w * h:
        return None
    return (new_h, new_w) if turned else (new_w, new_h)


def resize_after_decode(steps) -> Optional[dict]:
    """The ``Resize`` step right after a pipeline's decoding step, if any:
    the size frames are decoded at (:func:`decode_size`)."""
    steps = list(steps)
    for index, step in enumerate(steps[:-1]):
        if step['type'] in DECODE_TYPES:
            following = steps[index + 1]
            return following if following['type'] == 'Resize' else None
    return None


def decord_size(size: Optional[Tuple[int, int]]
                ) -> Optional[Tuple[int, int]]:
    """``size`` with a width decord's scaler returns intact (see
    :data:`DECORD_BAD_OUTPUT_WIDTHS`); the ``Resize`` after it rescales
    by the pixel or two."""
    if size is None:
        return None
    width, height = size
    while width in DECORD_BAD_OUTPUT_WIDTHS:
        width += 1 if width == 2 else 2
    return width, height


def choose_reader(path: Union[str, Path],
                  limits: Optional[InputLimits] = None,
                  resize: Optional[dict] = None) -> ReaderChoice:
    """:func:`check_video`, then decord where it reads the file as players
    show it, else PyAV with the reason; ``size`` is :func:`decode_size` for
    the pipeline step ``resize``."""
    check = check_video(path, limits)
    check = check._replace(size=decode_size(
        check.width, check.height, resize, limits, check.rotation,
        Path(path).name))
    if check.rotation:
        return check._replace(
            reader=PYAV, reason=f'rotated {check.rotation} degrees: decoded '
            'with PyAV and turned upright (decord ignores the tag of some '
            'containers)')
    failure = _decord_failure(path, decord_size(check.size))
    if failure:
        return check._replace(
            reader=PYAV, reason=f'decord cannot read this {check.codec} '
            f'file ({failure}); decoded with PyAV instead')
    return check


def _decord_failure(path, size=None) -> Optional[str]:
    """None when decord opens ``path`` and decodes its first frame (at
    ``size``, (width, height), when given), else decord's error, first
    line."""
    import decord
    width, height = size or (-1, -1)
    try:
        reader = decord.VideoReader(str(path), num_threads=1, width=width,
                                    height=height)
        if len(reader) == 0:
            return 'no frames'
        reader[0]
    except Exception as error:  # noqa: BLE001  decord raises DECORDError and RuntimeError
        return _first_line(error)
    return None


def count_frames(path: Union[str, Path],
                 limits: Optional[InputLimits] = None
                 ) -> Tuple[int, float, int]:
    """(frames, average rate, rotation) in one decoding pass: the header's
    count is 0 for WebM/MKV and wrong for some GIFs. Used only on the PyAV
    path; stops at the deadline of :func:`dance_style.limits.check_time`."""
    import av
    limits = limits or InputLimits()
    count, rotation = 0, 0
    with av.open(str(path), container_options=OPEN_OPTIONS,
                 options=limits.decoder_options) as container:
        stream = container.streams.video[0]
        stream.thread_type = 'AUTO'
        stream.codec_context.options = dict(limits.decoder_options)
        fps = float(stream.average_rate or stream.guessed_rate or 30)
        for frame in container.decode(stream):
            check_time()
            if count == 0:
                rotation = int(getattr(frame, 'rotation', 0) or 0) % 360
            count += 1
    return count, fps, rotation
