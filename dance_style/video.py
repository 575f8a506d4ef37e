"""Video files in and out with PyAV (its wheels bundle FFmpeg and libx264).

* :class:`VideoWriter` encodes frames one at a time as H.264 ``.mp4``:
  constant frame rate, short GOP, written atomically.
* :func:`write_video` encodes a whole array.
* :func:`iter_frames` decodes a file frame by frame with timestamps, so a
  10-minute 1080p original never sits in memory at once, and can scale each
  frame as it is decoded; :func:`iter_decoded` and :func:`frame_to_rgb`
  are its two halves, for a reader that converts only the frames it uses.
* :func:`probe` reads a file's frame count, rate and size from its header.

decord (mmaction2's reader) is used for training; PyAV here because it also
encodes, and because a decoder that raises on damaged input is what the data
preparation needs to tell corrupt files apart.
"""
from fractions import Fraction
from pathlib import Path
from typing import Iterator, NamedTuple, Optional, Tuple, Union

import numpy as np

from .fileio import atomic_path

# x264 settings. crf 18: visually lossless, so the synthetic clips' pixel
# noise and anti-aliased edges survive; GOP 16 frames: random access (what
# mmaction's frame sampling does) decodes at most 15 extra frames; threads 1:
# data preparation runs one process per core, and a single-threaded encoder
# gives byte-identical files on every run (resumed runs equal fresh ones);
# DETERMINISTIC: even single-threaded, x264's weighted-P analysis and
# macroblock-tree rate control made the same frames encode to different
# bytes from run to run (up to 7 variants in 36 encodes of a 64x86 clip;
# 1 in 60 with weightp off alone); with both off, 96 of 96 encodes were
# identical at each of 7 sizes. Costs a few % of bitrate.
DEFAULT_CRF = 18
DEFAULT_PRESET = 'medium'
GOP = 16
DETERMINISTIC = 'weightp=0:mbtree=0'

# Encoded widths (px) that decord 0.6.0, mmaction2's video reader, decodes as
# 4-channel garbage or fails on. Measured for every even width 2..698 at
# heights 32 and 64; all other widths read back fine.
DECORD_BAD_WIDTHS = (2, 4, 6, 8, 12, 16, 24, 48, 72)


def decord_safe_width(width: int) -> int:
    """The nearest even width >= ``width`` that decord 0.6.0 reads back."""
    width += width % 2
    while width in DECORD_BAD_WIDTHS:
        width += 2
    return width


def _rate(fps: float) -> Fraction:
    if not fps > 0:
        raise ValueError(f'fps must be > 0; got {fps!r}')
    # 1001 covers NTSC rates exactly (30000/1001) while 16.0 stays 16/1.
    return Fraction(fps).limit_denominator(1001)


class VideoWriter:
    """Encode RGB frames one by one into an H.264 yuv420p ``.mp4``.

    Use as a context manager; the file appears at ``path`` only when the
    block ends without error (temp file + rename), and parent folders are
    created. Every frame gets the next tick of a ``1/fps`` time base, so the
    output has a constant frame rate whatever the input had. All frames must
    share one size; odd heights or widths are padded by one replicated
    row/column at the bottom/right (yuv420p needs even sizes).

    Args:
        path: output ``.mp4``.
        fps: frame rate of the output.
        crf: x264 quality (lower is better and bigger; 18 visually lossless,
            23 x264's default).
        preset: x264 speed preset ('ultrafast' ... 'veryslow').
        gop: frames between keyframes.
    """

    def __init__(self, path: Union[str, Path], fps: float,
                 crf: int = DEFAULT_CRF, preset: str = DEFAULT_PRESET,
                 gop: int = GOP) -> None:
        self.path = Path(path)
        self.rate = _rate(fps)
        self.options = {'crf': str(int(crf)), 'preset': preset,
                        'threads': '1', 'x264-params': DETERMINISTIC}
        self.gop = int(gop)
        self.frames_written = 0
        self._atomic = None
        self._container = None
        self._stream = None
        self._size = None

    def __enter__(self) -> 'VideoWriter':
        import av  # lazy: training processes import this module, few encode
        self._atomic = atomic_path(self.path, suffix='.tmp.mp4')
        tmp = self._atomic.__enter__()
        try:
            self._container = av.open(tmp, mode='w', format='mp4')
        except BaseException as error:
            self._atomic.__exit__(type(error), error, error.__traceback__)
            raise
        return self

    def write(self, rgb: np.ndarray) -> None:
        """Append one (H, W, 3) uint8 RGB frame."""
        import av
        rgb = np.asarray(rgb)
        if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
            raise ValueError('a frame must be a uint8 array (H, W, 3); got '
                             f'dtype {rgb.dtype} shape {rgb.shape}')
        h, w = rgb.shape[:2]
        if h % 2 or w % 2:
            rgb = np.pad(rgb, ((0, h % 2), (0, w % 2), (0, 0)), mode='edge')
        if self._stream is None:
            stream = self._container.add_stream(
                'libx264', rate=self.rate, options=dict(self.options))
            stream.width, stream.height = rgb.shape[1], rgb.shape[0]
            stream.pix_fmt = 'yuv420p'
            stream.codec_context.gop_size = self.gop
            stream.codec_context.time_base = Fraction(1) / self.rate
            self._stream, self._size = stream, rgb.shape[:2]
        elif rgb.shape[:2] != self._size:
            raise ValueError(f'frame {self.frames_written} is {h}x{w}; the '
                             f'video is {self._size[0]}x{self._size[1]}')
        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb),
                                           format='rgb24')
        frame.pts = self.frames_written  # one tick per frame: constant rate
        for packet in self._stream.encode(frame):
            self._container.mux(packet)
        self.frames_written += 1

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None:
                if self._stream is None:
                    raise ValueError(f'no frames written to {self.path}')
                for packet in self._stream.encode():  # flush delayed frames
                    self._container.mux(packet)
        except BaseException as error:
            exc_type, exc, tb = type(error), error, error.__traceback__
            raise
        finally:
            self._container.close()
            # renames the temp file on success, removes it on error
            self._atomic.__exit__(exc_type, exc, tb)


def write_video(path: Union[str, Path], frames: np.ndarray, fps: float,
                crf: int = DEFAULT_CRF, preset: str = DEFAULT_PRESET,
                gop: int = GOP) -> None:
    """Encode ``frames`` (T, H, W, 3) uint8 RGB as H.264 yuv420p .mp4 at
    ``fps`` (constant frame rate, a keyframe every ``gop`` frames),
    atomically; see VideoWriter.

    Note: decord 0.6.0 mis-reads a few widths (48 and 72 px among common
    ones; :data:`DECORD_BAD_WIDTHS`).
    """
    frames = np.asarray(frames)
    if frames.ndim != 4 or frames.shape[-1] != 3 or frames.dtype != np.uint8 \
            or frames.shape[0] < 1:
        raise ValueError('frames must be a uint8 array (T, H, W, 3) with '
                         f'T >= 1; got dtype {frames.dtype} shape '
                         f'{frames.shape}')
    _rate(fps)
    with VideoWriter(path, fps, crf=crf, preset=preset, gop=gop) as writer:
        for rgb in frames:
            writer.write(rgb)


class VideoInfo(NamedTuple):
    """What a file's header says: frames (0 if unknown), frame rate, size."""
    frames: int
    fps: float
    height: int
    width: int
    duration: float


def probe(path: Union[str, Path]) -> VideoInfo:
    """Header facts of a video file; raises ``av.error.FFmpegError`` (or
    ``ValueError`` without a video stream) on files FFmpeg cannot open."""
    import av
    with av.open(str(path)) as container:
        if not container.streams.video:
            raise ValueError('no video stream')
        stream = container.streams.video[0]
        fps = float(stream.average_rate or stream.guessed_rate or 0)
        duration = 0.0
        if stream.duration is not None and stream.time_base is not None:
            duration = float(stream.duration * stream.time_base)
        elif container.duration is not None:
            duration = container.duration / 1e6
        return VideoInfo(int(stream.frames or 0), fps,
                         stream.codec_context.height,
                         stream.codec_context.width, duration)


def iter_frames(path: Union[str, Path],
                size: Optional[Tuple[int, int]] = None,
                decoder_options: Optional[dict] = None,
                container_options: Optional[dict] = None
                ) -> Iterator[Tuple[float, np.ndarray]]:
    """Decode ``path`` frame by frame: yields (time in seconds, RGB uint8
    array), upright: a frame with a rotation tag (phones filming upright
    store landscape pixels and a display matrix) is turned as players show
    it. Times come from the presentation timestamps, so variable frame
    rate input is described faithfully; a file that is damaged part-way
    raises when the decoder reaches the damage.

    ``size``: (width, height) as stored, before the rotation: each frame is
    scaled to it as it is decoded, so one frame at the source's size is in
    memory at a time. ``decoder_options`` and ``container_options``: FFmpeg
    options (:mod:`dance_style.limits`,
    :data:`dance_style.readers.OPEN_OPTIONS`).
    """
    frames = iter_decoded(path, decoder_options, container_options)
    try:
        for t, frame in frames:
            yield t, frame_to_rgb(frame, size)
    finally:
        frames.close()


def iter_decoded(path: Union[str, Path],
                 decoder_options: Optional[dict] = None,
                 container_options: Optional[dict] = None,
                 threads: str = 'SLICE') -> Iterator[Tuple[float, object]]:
    """:func:`iter_frames`' (time in seconds, frame) pairs with PyAV's
    frames as decoded, for a reader that converts only the frames it uses
    (:func:`frame_to_rgb`).

    ``threads``: FFmpeg's threading, PyAV's ``thread_type``. ``'SLICE'``
    (the default) keeps the frames in step with the packets, so a damaged
    file raises at its damage; ``'AUTO'`` adds frame threads, which decode
    several frames at once on every core (an H.264 stream of one slice per
    frame decodes on one core otherwise) and report an error a few frames
    late."""
    import av
    with av.open(str(path), container_options=container_options or {},
                 options=decoder_options or {}) as container:
        if not container.streams.video:
            raise ValueError('no video stream')
        stream = container.streams.video[0]
        stream.thread_type = threads
        if decoder_options:
            stream.codec_context.options = dict(decoder_options)
        start: Optional[float] = None
        for index, frame in enumerate(container.decode(stream)):
            if frame.pts is not None and stream.time_base is not None:
                t = float(frame.pts * stream.time_base)
            else:  # no timestamps: assume the average rate
                t = index / float(stream.average_rate or 30)
            if start is None:
                start = t
            yield t - start, frame


def frame_to_rgb(frame, size: Optional[Tuple[int, int]] = None
                 ) -> np.ndarray:
    """A PyAV frame as an upright RGB uint8 array, scaled to ``size``
    ((width, height) as stored, before the rotation) on the way."""
    from .readers import upright
    if size is None:
        rgb = frame.to_ndarray(format='rgb24')
    else:
        width, height = size
        rgb = frame.reformat(width=width, height=height,
                             format='rgb24').to_ndarray()
    return upright(rgb, frame.rotation or 0)
