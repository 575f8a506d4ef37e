"""Stage 3: re-encode every kept clip for fast decoding.

Each clip (a video file, or a Let's Dance frame sequence) becomes an H.264
``.mp4`` with the short side at ``short_side`` px (only ever scaled down),
a constant frame rate, and a keyframe every 16 frames, so mmaction2's
random-access frame sampling decodes little. Decoding and encoding stream
frame by frame (a long 1080p original never sits in memory), with PyAV:
no system ffmpeg.

A clip whose output already exists is skipped (outputs appear only when
complete, see :mod:`dance_style.fileio`). Missing, empty, unreadable,
truncated and too-short inputs are recorded with a reason; the stage goes on.
"""
import os
from pathlib import Path
from typing import Iterator, List, Optional, Tuple

import numpy as np

from ..video import VideoWriter, decord_safe_width, iter_frames, probe
from .pool import run_tasks
from .records import SourceClip

DEFAULT_SHORT_SIDE = 256  # mmaction2's Kinetics recipe resizes to 256 anyway
DEFAULT_FPS = 30.0        # I3D's 32x2 window assumes ~30 fps (2.1 s)
DEFAULT_MIN_SECONDS = 1.0
DEFAULT_CRF = 23          # x264's default, as mmaction2's resize script
DEFAULT_PRESET = 'fast'


class ClipTooShort(Exception):
    """Raised inside the writer so that no partial output is kept."""


def output_path(record: SourceClip) -> str:
    """Where a clip's normalised video goes, relative to the dataset root:
    ``videos/<dataset>/<label name>/<clip id>.mp4``."""
    from ..classes import DANCE19_CLASSES
    return (f'videos/{record.dataset}/{DANCE19_CLASSES[record.label]}/'
            f'{record.clip_id}.mp4')


def output_size(height: int, width: int, short_side: int) -> Tuple[int, int]:
    """(height, width) with the short side at most ``short_side``, both even,
    and a width decord reads back."""
    scale = min(1.0, short_side / min(height, width))
    h = max(2, int(round(height * scale / 2)) * 2)
    w = max(2, int(round(width * scale / 2)) * 2)
    return h, decord_safe_width(w)


def _frames_of(task: dict) -> Iterator[Tuple[float, np.ndarray]]:
    """(time, RGB frame) of a video file or a frame sequence."""
    if task['frames']:
        import cv2
        step = 1.0 / task['source_fps']
        for index, path in enumerate(task['frames']):
            bgr = cv2.imread(path, cv2.IMREAD_COLOR)
            if bgr is None:
                raise ValueError(f'unreadable frame {os.path.basename(path)}')
            yield index * step, cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
    else:
        yield from iter_frames(task['source'])


def file_task(source, output, short_side: int = DEFAULT_SHORT_SIDE,
              fps: float = DEFAULT_FPS) -> dict:
    """A :func:`transcode` task for one video file with the stage's
    defaults (the benchmarks normalise loose files, not manifest records)."""
    return dict(key=str(source), source=str(source), frames=[],
                source_fps=None, output=str(Path(output).resolve()),
                short_side=short_side, fps=fps,
                min_seconds=DEFAULT_MIN_SECONDS, crf=DEFAULT_CRF,
                preset=DEFAULT_PRESET)


def transcode(task: dict) -> dict:
    """Normalise one clip (a pool task: a plain dict in, a plain dict out).

    task keys: key, source, frames, source_fps, output (absolute), short_side,
    fps (0: keep the source's rate), min_seconds, crf, preset.
    Returns: key, status, reason, frames, fps, height, width.
    """
    result = dict(key=task['key'], status='ok', reason='', frames=0, fps=0.0,
                  height=0, width=0)
    output = Path(task['output'])
    if output.is_file():
        info = probe(output)
        result.update(reason='already normalised', frames=info.frames,
                      fps=info.fps, height=info.height, width=info.width)
        return result
    source = task['source']
    if not task['frames']:
        if not os.path.isfile(source):
            return dict(result, status='missing', reason='file vanished')
        if os.path.getsize(source) == 0:
            return dict(result, status='corrupt', reason='empty file (0 bytes)')
    import av
    try:
        source_fps = task['source_fps']
        if not task['frames']:
            info = probe(source)
            source_fps = info.fps or DEFAULT_FPS
            if 0 < info.duration < task['min_seconds']:
                raise ClipTooShort(f'{info.duration:.2f} s')
        fps = task['fps'] or source_fps
        with VideoWriter(output, fps, crf=task['crf'],
                         preset=task['preset']) as writer:
            count, size = _resample(_frames_of(task), writer, fps, source_fps,
                                    task['short_side'])
            if count / fps < task['min_seconds']:
                raise ClipTooShort(f'{count / fps:.2f} s')
    except ClipTooShort as error:
        return dict(result, status='too_short',
                    reason=f'{error} long, shorter than --min-seconds '
                    f'{task["min_seconds"]:g}')
    except (av.error.FFmpegError, ValueError, OSError) as error:
        text = str(error) or type(error).__name__
        return dict(result, status='corrupt',
                    reason=f'cannot decode: {text}'[:300])
    return dict(result, frames=count, fps=float(fps), height=size[0],
                width=size[1])


def _resample(frames, writer, fps: float, source_fps: float,
              short_side: int) -> Tuple[int, Tuple[int, int]]:
    """Write ``frames`` at a constant ``fps``: output frame k (time k/fps)
    is the latest input frame shown at that time, so a faster source drops
    frames and a slower one repeats them. Returns (frames written, size)."""
    import cv2
    previous: Optional[np.ndarray] = None
    size = None
    k = 0
    last_time = 0.0
    for time, rgb in frames:
        if previous is not None:
            while k / fps < time - 1e-6:
                writer.write(previous)
                k += 1
        if size is None:
            size = output_size(rgb.shape[0], rgb.shape[1], short_side)
        if rgb.shape[:2] != size:
            rgb = cv2.resize(rgb, (size[1], size[0]),
                             interpolation=cv2.INTER_AREA)
        previous, last_time = rgb, time
    if previous is None:
        raise ValueError('no frames decoded')
    end = last_time + 1.0 / source_fps  # the last frame is shown this long
    while k / fps < end - 1e-6:
        writer.write(previous)
        k += 1
    return k, size


def normalise(records: List[SourceClip], root: Path,
              short_side: int = DEFAULT_SHORT_SIDE, fps: float = DEFAULT_FPS,
              min_seconds: float = DEFAULT_MIN_SECONDS, crf: int = DEFAULT_CRF,
              preset: str = DEFAULT_PRESET, workers: int = 1,
              progress: bool = True) -> dict:
    """Stage 3 over every 'ok' record with a label; updates the records'
    status/reason/output in place. Returns counts: written, skipped (already
    there), failed."""
    tasks = {}
    for record in records:
        if record.status != 'ok' or record.label is None:
            continue
        record.output = output_path(record)
        tasks[record.key] = dict(
            key=record.key, source=record.source, frames=record.frames,
            source_fps=record.fps or DEFAULT_FPS,
            output=str(Path(root) / record.output), short_side=short_side,
            fps=fps, min_seconds=min_seconds, crf=crf, preset=preset)
    # keys are unique among kept clips (a duplicate CSV row shares its key)
    by_key = {r.key: r for r in records if r.status == 'ok'}
    counts = dict(written=0, skipped=0, failed=0)

    def finish(result):
        record = by_key[result['key']]
        if result['status'] != 'ok':
            record.fail(result['status'], result['reason'])
            record.output = ''
            counts['failed'] += 1
        elif result['reason'] == 'already normalised':
            counts['skipped'] += 1
        else:
            counts['written'] += 1

    run_tasks(transcode, list(tasks.values()), finish, workers=workers,
              desc='normalise', progress=progress)
    return counts
