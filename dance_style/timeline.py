"""A style timeline of a long video, streamed in bounded memory.

A *window* is one of the config's test clips: ``clip_len`` frames every
``frame_interval``-th frame at the rate the model was trained on
(``video_fps`` of the config; the source's own rate when the config has
none), scored with the config's test crops. Windows start every
``stride`` seconds. The video is decoded once, frame by frame (PyAV, turned
upright, at the size the test pipeline's first ``Resize`` makes),
resampled to that rate, and each frame goes through the pipeline's leading
``Resize`` steps as it arrives, so the buffer holds one window of small
frames whatever the video's length and size. What follows
``Resize`` (crops, ``FormatShape``, ``PackActionInputs``) runs per window, as
in ``tools/test.py``: for a video exactly one window long the timeline's
score is test.py's single-clip score (tests/test_timeline.py).

mmaction2's ``demo/long_video_demo.py`` keeps a queue of full-size frames,
takes one frame at random out of every ``--input-step`` frames and feeds
``clip_len x num_clips`` of them to the pipeline without its sampler: its
windows are neither the config's clips nor reproducible, and its users report
that it disagrees with ``test.py`` (mmaction2 #2464, #2911).
"""
import collections
from pathlib import Path
from typing import Dict, Iterator, List, NamedTuple, Optional, Sequence, Tuple

import numpy as np

from .classes import DANCE19_CLASSES
from .errors import DanceStyleError
from .readers import DECODE_TYPES  # noqa: F401  (imported from here too)
from .segments import UNSURE
KINETICS_CLIP_SECONDS = 10.0  # what UniformSample spreads its frames over


class WindowSpec(NamedTuple):
    """Frames of one window at ``fps``: ``clip_len`` every ``interval``,
    the first ``offset`` frames after the window's start."""
    clip_len: int
    interval: int
    fps: float
    offset: int = 0

    @property
    def span(self) -> int:
        """Frames from a window's first sampled frame to past its last."""
        return self.clip_len * self.interval

    @property
    def seconds(self) -> float:
        return self.span / self.fps


def _test_pipeline(cfg) -> List[dict]:
    return list(cfg.test_dataloader.dataset.pipeline)


def window_spec(cfg, source_fps: float, fps: Optional[float] = None
                ) -> WindowSpec:
    """The window of ``cfg``'s test sampler at ``fps`` (default: the
    config's ``video_fps``, else ``source_fps``)."""
    fps = float(fps or cfg.get('video_fps') or source_fps)
    for step in _test_pipeline(cfg):
        if step['type'] not in ('SampleFrames', 'UniformSample'):
            continue
        clip_len = int(step['clip_len'])
        if clip_len < 2:
            raise DanceStyleError(
                'the config\'s test clips are single frames (a 2D, TSN-style '
                'sampler): a timeline window needs a clip of frames (a 3D '
                'config such as configs/i3d_nl_dance.py)')
        if step['type'] == 'SampleFrames':
            return WindowSpec(clip_len, int(step.get('frame_interval', 1)),
                              fps)
        # UniformSample spreads clip_len frames over the whole video, which a
        # window cannot: a window is a Kinetics clip's 10 s in clip_len
        # segments, one frame from the middle of each (its test mode)
        interval = max(1, round(KINETICS_CLIP_SECONDS * fps / clip_len))
        return WindowSpec(clip_len, interval, fps, offset=interval // 2)
    raise DanceStyleError(
        'the config\'s test pipeline has no SampleFrames or UniformSample '
        'step, so a timeline window cannot be defined')


def split_pipeline(cfg) -> Tuple[List[dict], List[dict]]:
    """(per-frame steps, per-window steps): what follows the decode step of
    the test pipeline, cut after its leading Resize steps."""
    steps = _test_pipeline(cfg)
    decode = next((i for i, s in enumerate(steps)
                   if s['type'] in DECODE_TYPES), None)
    if decode is None:
        raise DanceStyleError(
            'the config\'s test pipeline decodes no video (no '
            f'{"/".join(DECODE_TYPES)} step): a timeline needs an RGB video '
            'config')
    rest = steps[decode + 1:]
    cut = 0
    while cut < len(rest) and rest[cut]['type'] == 'Resize':
        cut += 1
    return rest[:cut], rest[cut:]


def resample(frames: Iterator[Tuple[float, np.ndarray]], fps: float
             ) -> Iterator[np.ndarray]:
    """Frames at a constant ``fps`` from (time, frame) pairs: output frame k
    (time k/fps) is the latest input frame shown at that time, as the data
    preparation resamples (dance_style.prep.normalise)."""
    previous = None
    k = 0
    last_time = 0.0
    step = None
    for time, rgb in frames:
        if previous is not None:
            step = time - last_time
            while k / fps < time - 1e-6:
                yield previous
                k += 1
        previous, last_time = rgb, time
    if previous is None:
        return
    end = last_time + (step if step and step > 0 else 1.0 / fps)
    while k / fps < end - 1e-6 or k == 0:
        yield previous
        k += 1


def window_starts(total: int, spec: WindowSpec, stride: int) -> List[int]:
    """First frames of the windows over ``total`` frames: every ``stride``
    while a window fits, plus one ending at the last frame when the regular
    ones leave the end uncovered; one window at 0 for a short video."""
    if total <= spec.span:
        return [0]
    starts = list(range(0, total - spec.span + 1, stride))
    if starts[-1] + spec.span < total:
        starts.append(total - spec.span)
    return starts


class _Windows:
    """Collects resized frames and yields each window's frames as soon as
    the window is complete.

    Keeps the frames from the next regular window's start, and always the
    last ``span`` frames: the window that ends at the video's last frame
    (:func:`window_starts`) is known only when the stream ends.
    """

    def __init__(self, spec: WindowSpec, stride: int):
        self.spec, self.stride = spec, stride
        self.buffer: Dict[int, np.ndarray] = {}
        self.next_start = 0
        self.count = 0
        self.peak = 0

    def add(self, frame: np.ndarray
            ) -> Iterator[Tuple[int, List[int], List[np.ndarray]]]:
        self.buffer[self.count] = frame
        self.count += 1
        self.peak = max(self.peak, len(self.buffer))
        while self.next_start + self.spec.span <= self.count:
            yield self._emit(self.next_start)
            self.next_start += self.stride
        self._drop_before(min(self.next_start, self.count - self.spec.span))

    def finish(self) -> Iterator[Tuple[int, List[int], List[np.ndarray]]]:
        """The end-aligned (or only) window, if the regular ones missed it."""
        emitted = self.next_start - self.stride
        for start in window_starts(self.count, self.spec, self.stride):
            if start > emitted:
                yield self._emit(start)

    def _emit(self, start: int) -> Tuple[int, List[int], List[np.ndarray]]:
        spec = self.spec
        # as SampleFrames(test_mode=True) picks them; indices past the end
        # of a short video loop back to its start (its out_of_bound 'loop')
        inds = [start + spec.offset + j * spec.interval
                for j in range(spec.clip_len)]
        inds = [i if i < self.count else i % self.count for i in inds]
        missing = [i for i in inds if i not in self.buffer]
        assert not missing, f'frames {missing} of window {start} were dropped'
        return start, inds, [self.buffer[i] for i in inds]

    def _drop_before(self, start: int) -> None:
        for index in [i for i in self.buffer if i < start]:
            del self.buffer[index]


# Frames decoded ahead of the model (after the per-frame Resize: small).
READ_AHEAD_FRAMES = 16
# Frame threads on every core (dance_style.video.iter_decoded): a damaged
# file's error comes a few frames late, and still says how far it got
DECODER_THREADS = 'AUTO'


class _Later:
    """A decoded frame, prepared (RGB at the decode size, then the
    pipeline's Resize steps) the first time it is asked for; the resampling
    may hand out one frame several times (a source slower than the model's
    rate) or never (a faster one)."""
    __slots__ = ('_prepare', '_frame', '_result')

    def __init__(self, prepare, frame):
        self._prepare, self._frame, self._result = prepare, frame, None

    def get(self) -> dict:
        if self._result is None:
            self._result = self._prepare(self._frame)
            self._prepare = self._frame = None  # the decoded frame goes
        return self._result


def score_windows(model, path, stride_seconds: float = 1.0,
                  fps: Optional[float] = None, batch_size: int = 8,
                  progress: bool = True, limits=None,
                  read_ahead: int = READ_AHEAD_FRAMES) -> dict:
    """Decode ``path`` once and score every window with ``model``.

    Frames are decoded at the size the pipeline's first ``Resize`` makes
    (:func:`dance_style.readers.decode_size`); ``limits``
    (:class:`dance_style.limits.InputLimits`, default: frames up to 8K)
    are checked on the header before decoding, and the duration again as
    frames arrive (a header can understate it). Stops at the deadline of
    :func:`dance_style.limits.check_time`.

    ``read_ahead``: frames decoded ahead of the model, in a thread, with
    frame threads in the decoder; only the frames the resampling keeps are
    converted. 0: the serial path this replaced (every decoded frame
    converted in this thread, slice threads only), kept as the timeline
    benchmark's baseline (``tools/benchmark.py --what timeline``).

    Returns dict: ``fps``, ``window_seconds``, ``stride_seconds``,
    ``duration`` (s), ``frames`` (at ``fps``), ``starts`` (window start
    times, s), ``scores`` (windows x classes probabilities), ``rotation``,
    ``source_fps``, ``peak_buffered_frames``.
    """
    import av
    import torch
    from mmengine.dataset import Compose, pseudo_collate
    from mmengine.registry import init_default_scope

    from .limits import InputLimits, check_time
    from .read_ahead import ReadAhead
    from .readers import OPEN_OPTIONS, VideoRefused, check_video, decode_size
    from .video import frame_to_rgb, iter_decoded

    limits = limits or InputLimits()
    check = check_video(path, limits)
    init_default_scope(model.cfg.get('default_scope', 'mmaction'))
    with av.open(str(path), container_options=OPEN_OPTIONS,
                 options=limits.decoder_options) as container:
        stream = container.streams.video[0]
        source_fps = float(stream.average_rate or stream.guessed_rate or 30)
        duration_hint = (float(stream.duration * stream.time_base)
                         if stream.duration and stream.time_base else
                         (container.duration or 0) / 1e6)
    spec = window_spec(model.cfg, source_fps, fps)
    stride = max(1, int(round(stride_seconds * spec.fps)))
    resizes, rest = split_pipeline(model.cfg)
    size = decode_size(check.width, check.height,
                       resizes[0] if resizes else None, limits,
                       check.rotation, Path(path).name)
    per_frame, per_window = Compose(resizes), Compose(rest)
    windows = _Windows(spec, stride)
    batch: List[dict] = []
    starts: List[int] = []
    scores: List[np.ndarray] = []
    bar = None
    if progress:
        from tqdm import tqdm
        bar = tqdm(total=int(duration_hint * spec.fps) or None,
                   desc=f'timeline {Path(path).name}', unit='frame',
                   leave=False)
    state = {}

    def flush():
        if not batch:
            return
        check_time()
        with torch.no_grad():
            samples = model.test_step(pseudo_collate(batch))
        scores.extend(s.pred_score.detach().cpu().float().numpy()
                      for s in samples)
        batch.clear()

    def queue(start, inds, frames):
        first = state['first']
        results = dict(first, imgs=frames, frame_inds=np.array(inds),
            clip_len=spec.clip_len, frame_interval=spec.interval,
            num_clips=1, total_frames=windows.count, label=-1,
            start_index=0, modality='RGB', filename=str(path))
        batch.append(per_window(results))
        starts.append(start)
        if len(batch) >= batch_size:
            flush()

    def prepared(frame) -> dict:
        rgb = frame_to_rgb(frame, size)
        return per_frame(dict(imgs=[rgb], img_shape=rgb.shape[:2],
                              original_shape=rgb.shape[:2], modality='RGB'))

    if read_ahead:
        # decoding, resampling and the per-frame steps run in a thread, a
        # few frames ahead of the model; a decoded frame that the resampling
        # drops (a 30 fps source for a 16 fps model) is never converted
        source = iter_decoded(path, limits.decoder_options, OPEN_OPTIONS,
                              threads=DECODER_THREADS)
        decoded = ((t, _Later(prepared, frame)) for t, frame in source)
        frames = ReadAhead(
            (later.get() for later in resample(decoded, spec.fps)),
            max_items=read_ahead)
    else:
        source = iter_decoded(path, limits.decoder_options, OPEN_OPTIONS)
        frames = resample(((t, prepared(frame)) for t, frame in source),
                          spec.fps)
    try:
        for resized in frames:
            check_time()
            if limits.max_seconds is not None and \
                    windows.count > limits.max_seconds * spec.fps:
                raise VideoRefused(
                    f'{Path(path).name}: lasts longer than '
                    f'{limits.max_seconds / 60:g} minutes, the limit '
                    '(--max-minutes), though its header said '
                    f'{duration_hint / 60:.1f}')
            if 'first' not in state:
                state['first'] = {k: v for k, v in resized.items()
                                  if k not in ('imgs', )}
            for window in windows.add(resized['imgs'][0]):
                queue(*window)
            if bar is not None:
                bar.update()
    except (av.error.FFmpegError, ValueError, OSError) as error:
        from .readers import UnreadableVideo, reencode_command
        raise UnreadableVideo(
            f'{Path(path).name}: decoding failed {windows.count / spec.fps:.1f}'
            f' s into the video ({error}); re-encode it: '
            f'{reencode_command(path)}') from None
    finally:
        # the thread and the file, now, also when a limit stopped the loop
        frames.close()
        source.close()
        if bar is not None:
            bar.close()
    if 'first' not in state:
        raise DanceStyleError(f'{Path(path).name}: no frame decoded')
    for window in windows.finish():
        queue(*window)
    flush()
    return dict(video=str(path), fps=spec.fps, source_fps=source_fps,
                rotation=check.rotation, window_seconds=spec.seconds,
                stride_seconds=stride / spec.fps,
                frames=windows.count, duration=windows.count / spec.fps,
                starts=[s / spec.fps for s in starts],
                scores=np.stack(scores), peak_buffered_frames=windows.peak)


def smooth_scores(scores: np.ndarray, windows: int) -> np.ndarray:
    """Centred moving average over ``windows`` windows (odd; 1: unchanged);
    the ends average what exists."""
    if windows < 1 or windows % 2 == 0:
        raise DanceStyleError(f'--smooth must be an odd number of windows '
                              f'(1, 3, 5 ...: centred on each); got {windows}')
    if windows == 1 or len(scores) <= 1:
        return scores
    half = windows // 2
    cumulative = np.cumsum(np.pad(scores, ((1, 0), (0, 0))), axis=0)
    out = np.empty_like(scores)
    for i in range(len(scores)):
        lo, hi = max(0, i - half), min(len(scores), i + half + 1)
        out[i] = (cumulative[hi] - cumulative[lo]) / (hi - lo)
    return out


def segments_of(starts: Sequence[float], scores: np.ndarray,
                window_seconds: float, duration: float,
                class_names: Sequence[str] = DANCE19_CLASSES,
                min_seconds: float = 0.0,
                unsure_below: float = 0.0,
                switch_penalty: float = 0.0) -> List[dict]:
    """Consecutive windows with the same label, merged. A window
    stands for the time around its centre: boundaries are the midpoints
    between neighbouring centres, the first segment starts at 0 and the last
    ends at ``duration``. A window's label is its top style where
    ``switch_penalty`` is 0, else that of the sequence that pays it for
    every change; windows whose top probability is below ``unsure_below``
    are ``unsure``; segments shorter than ``min_seconds`` go to a neighbour
    (:mod:`dance_style.segments`)."""
    from .segments import absorb_short, segments, steady_labels, window_spans
    spans = window_spans(starts, window_seconds, duration)
    labels = steady_labels(scores, spans[:, 1] - spans[:, 0], switch_penalty,
                           unsure_below)
    labels = absorb_short(labels, scores, spans, min_seconds)
    return segments(labels, scores, spans, class_names)


def check_segment_settings(min_segment: float, unsure_below: float,
                           switch_penalty: float = 0.0) -> None:
    """Refuse a negative minimum length or switch penalty, or a threshold
    outside 0..1."""
    if not 0 <= switch_penalty < float('inf'):
        raise DanceStyleError(f'--switch-penalty must be a number >= 0 '
                              f'(0: off); got {switch_penalty}')
    if not min_segment >= 0:
        raise DanceStyleError(f'--min-segment must be >= 0 s; got '
                              f'{min_segment}')
    if not 0 <= unsure_below < 1:
        raise DanceStyleError(f'--unsure-below is a probability, 0 (off) '
                              f'to below 1; got {unsure_below}')


def shares_of(segments: List[dict], duration: float) -> Dict[str, float]:
    """Each style's share of the video (0..1), largest first."""
    totals: Dict[str, float] = collections.defaultdict(float)
    for seg in segments:
        totals[seg['style']] += seg['end'] - seg['start']
    return dict(sorted(((k, v / duration) for k, v in totals.items()),
                       key=lambda kv: -kv[1]))


def build_timeline(model, path, stride_seconds: float = 1.0,
                   smooth: int = 1, fps: Optional[float] = None,
                   batch_size: int = 8, progress: bool = True,
                   class_names: Sequence[str] = DANCE19_CLASSES,
                   limits=None, min_segment: float = 0.0,
                   unsure_below: float = 0.0,
                   switch_penalty: float = 0.0) -> dict:
    """:func:`score_windows`, smoothed, as segments and shares
    (``min_segment`` seconds, ``unsure_below`` and ``switch_penalty``:
    :func:`segments_of`)."""
    if not stride_seconds > 0:
        raise DanceStyleError(f'--stride must be > 0 s; got {stride_seconds}')
    check_segment_settings(min_segment, unsure_below, switch_penalty)
    raw = score_windows(model, path, stride_seconds, fps, batch_size,
                        progress, limits)
    smoothed = smooth_scores(raw['scores'], smooth)
    segments = segments_of(raw['starts'], smoothed, raw['window_seconds'],
                           raw['duration'], class_names, min_segment,
                           unsure_below, switch_penalty)
    raw.update(smooth=smooth, smoothed=smoothed, segments=segments,
               shares=shares_of(segments, raw['duration']),
               class_names=list(class_names), min_segment=min_segment,
               unsure_below=unsure_below, switch_penalty=switch_penalty)
    # what the model was trained on (load_recognizer sets it), kept with
    # the segments it produced
    if getattr(model, 'about', None):
        raw['model'] = model.about
    return raw


def timeline_json(timeline: dict, top_k: int = 5) -> dict:
    """The JSON-able part: settings, segments, shares, and each window's
    top-k (smoothed) probabilities."""
    names = timeline['class_names']
    windows = []
    for start, probs in zip(timeline['starts'], timeline['smoothed']):
        order = np.argsort(-probs)[:top_k]
        windows.append(dict(start=round(start, 3),
                            end=round(start + timeline['window_seconds'], 3),
                            top=[dict(style=names[i],
                                      probability=round(float(probs[i]), 5))
                                 for i in order]))
    keys = ('video', 'fps', 'source_fps', 'rotation', 'window_seconds',
            'stride_seconds', 'smooth', 'switch_penalty', 'min_segment',
            'unsure_below', 'duration', 'frames')
    out = {k: timeline[k] for k in keys if k in timeline}
    if 'model' in timeline:
        out['model'] = timeline['model']
    out.update(segments=timeline['segments'], shares=timeline['shares'],
               windows=windows)
    return out


def segments_csv(timeline: dict) -> str:
    """start,end,style,probability per segment (seconds, 0..1)."""
    lines = ['start,end,style,probability']
    for seg in timeline['segments']:
        lines.append(f'{seg["start"]:.3f},{seg["end"]:.3f},{seg["style"]},'
                     f'{seg["probability"]:.4f}')
    return '\n'.join(lines) + '\n'


def format_timeline(timeline: dict) -> str:
    """Segments and shares as text lines."""
    lines = [f'{timeline["video"]}  ({timeline["duration"]:.1f} s, '
             f'{len(timeline["starts"])} windows of '
             f'{timeline["window_seconds"]:.2f} s every '
             f'{timeline["stride_seconds"]:.2f} s)']
    for seg in timeline['segments']:
        lines.append(f'  {_clock(seg["start"])}-{_clock(seg["end"])}  '
                     f'{seg["style"]:<24} {100 * seg["probability"]:5.1f} %')
    lines.append('  share: ' + ', '.join(
        f'{k} {100 * v:.0f} %' for k, v in timeline['shares'].items()))
    return '\n'.join(lines)


def _clock(seconds: float) -> str:
    minutes, secs = divmod(round(seconds, 1), 60)
    return f'{int(minutes):02d}:{secs:04.1f}'


def plot_timeline(timeline: dict, path, top: int = 5) -> Path:
    """A PNG: the top styles' probabilities over time, and a band of the
    segments underneath."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    from .fileio import atomic_path
    names = timeline['class_names']
    smoothed = timeline['smoothed']
    centres = np.array(timeline['starts']) + timeline['window_seconds'] / 2
    order = np.argsort(-smoothed.mean(0))
    shown = [int(i) for i in order[:top]]
    for seg in timeline['segments']:  # every segment's style has a line
        if seg['label'] not in shown and seg['label'] != UNSURE:
            shown.append(seg['label'])
    colours = {label: plt.cm.tab10(i % 10) for i, label in enumerate(shown)}
    colours[UNSURE] = (0.85, 0.85, 0.85, 1.0)  # unsure: a light grey band
    fig, (ax, band) = plt.subplots(
        2, 1, figsize=(10, 4), sharex=True,
        gridspec_kw=dict(height_ratios=[4, 0.6]))
    for label in shown:
        ax.plot(centres, smoothed[:, label], color=colours[label],
                label=names[label], lw=1.8)
    ax.set_ylim(0, 1)
    ax.set_ylabel('probability')
    ax.set_title(f'{Path(timeline["video"]).name}: dance styles over time')
    ax.legend(loc='upper left', bbox_to_anchor=(1.0, 1.0), fontsize=8)
    ax.grid(alpha=0.3)
    for seg in timeline['segments']:
        band.axvspan(seg['start'], seg['end'], color=colours[seg['label']])
        # a name only where it fits (the legend names every colour)
        if seg['end'] - seg['start'] > 0.16 * timeline['duration']:
            band.text((seg['start'] + seg['end']) / 2, 0.5, seg['style'],
                      ha='center', va='center', fontsize=8)
    band.set_yticks([])
    band.set_xlim(0, timeline['duration'])
    band.set_xlabel('time (s)')
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path, suffix='.tmp.png') as tmp:
        fig.savefig(tmp, dpi=110, format='png')
    plt.close(fig)
    return path


def style_at(timeline: dict, seconds: float) -> Tuple[str, float]:
    """The segment style and probability at a time."""
    for seg in timeline['segments']:
        if seconds < seg['end']:
            return seg['style'], seg['probability']
    last = timeline['segments'][-1]
    return last['style'], last['probability']


def write_overlay(timeline: dict, out_path, progress: bool = True) -> Path:
    """Re-encode the video (upright, H.264, at its own rate) with the
    current style and its probability drawn in the top-left corner."""
    import cv2

    from .video import VideoWriter, iter_frames
    source = timeline['video']
    fps = timeline['source_fps'] or 30.0
    bar = None
    if progress:
        from tqdm import tqdm
        bar = tqdm(total=int(timeline['duration'] * fps) or None,
                   desc='overlay', unit='frame', leave=False)
    with VideoWriter(out_path, fps, crf=23, preset='fast') as writer:
        for index, rgb in enumerate(resample(iter_frames(source), fps)):
            style, prob = style_at(timeline, index / fps)
            frame = np.ascontiguousarray(rgb)
            scale = max(0.35, min(frame.shape[:2]) / 400)
            thick = max(1, int(round(2 * scale)))
            text = f'{style} {100 * prob:.0f}%'
            (w, h), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX,
                                           scale, thick)
            cv2.rectangle(frame, (0, 0), (w + 8, h + base + 8), (0, 0, 0),
                          -1)
            cv2.putText(frame, text, (4, h + 4), cv2.FONT_HERSHEY_SIMPLEX,
                        scale, (255, 255, 255), thick, cv2.LINE_AA)
            writer.write(frame)
            if bar is not None:
                bar.update()
    if bar is not None:
        bar.close()
    return Path(out_path)


def write_outputs(timeline: dict, out_dir, stem: Optional[str] = None,
                  png: bool = True) -> Dict[str, Path]:
    """``<stem>.timeline.json``, ``.csv`` and ``.png`` in ``out_dir``,
    each written atomically."""
    import json

    from .fileio import write_text_atomic
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = stem or Path(timeline['video']).stem
    paths = dict(json=out_dir / f'{stem}.timeline.json',
                 csv=out_dir / f'{stem}.timeline.csv')
    write_text_atomic(paths['json'],
                      json.dumps(timeline_json(timeline), indent=2) + '\n')
    write_text_atomic(paths['csv'], segments_csv(timeline))
    if png:
        paths['png'] = plot_timeline(timeline, out_dir /
                                     f'{stem}.timeline.png')
    return paths


def boundaries(segments: List[dict]) -> List[float]:
    """Times where the style changes."""
    return [seg['start'] for seg in segments[1:]]

