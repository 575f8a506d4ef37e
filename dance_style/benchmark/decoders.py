"""Video decoders side by side (``tools/benchmark.py --what decoders``).

Training and testing read every clip through decord (mmaction2's default),
unmaintained since 2022. PyAV (pinned, with its own FFmpeg) and torchcodec
(PyTorch's decoder; it loads the system's FFmpeg libraries) are the
maintained alternatives. On the same normalised clips (data prep's output:
H.264, short side 256, 30 fps) and with each sampling the configs use,
this measures, per decoder, on one thread:

* clips per second (the sampled frames of one clip, decoded to RGB);
* the frames against decord's, pixel for pixel: the share of equal
  pixels and the largest difference (a decoder may convert YUV to RGB with
  other rounding);
* which of the formats of :mod:`dance_style.synthetic.formats` it fails to
  open or decode.

A decoder that cannot be imported (torchcodec without FFmpeg's shared
libraries) is reported with the import's error instead of figures.
"""
import tempfile
import time
from pathlib import Path
from typing import Callable, Dict, List, Sequence

import numpy as np

# The configs' samplings: (name, clip_len, frame_interval, uniform)
SAMPLINGS = (('32x2 dense', 32, 2, False),  # i3d_*_dance.py
             ('16x4', 16, 4, False),  # the flow and demo configs' span
             ('8 uniform', 8, 1, True))  # uniformerv2 / videomaev2
DECODERS = ('decord', 'pyav', 'torchcodec')


def frame_indices(total: int, clip_len: int, interval: int,
                  uniform: bool) -> List[int]:
    """The test-mode frames of one clip: mmaction2's SampleFrames (the
    clip centred in the video, looped when the video is short) or
    UniformSample (the middle frame of each of ``clip_len`` segments)."""
    if uniform:
        edges = np.linspace(0, total, clip_len + 1)
        return [min(total - 1, int((a + b) / 2))
                for a, b in zip(edges[:-1], edges[1:])]
    span = clip_len * interval
    start = max(0, (total - span) // 2)
    return [(start + i * interval) % total for i in range(clip_len)]


def _decord(path: str, indices: Sequence[int]) -> np.ndarray:
    import decord
    reader = decord.VideoReader(path, num_threads=1)
    return reader.get_batch(list(indices)).asnumpy()


def _pyav(path: str, indices: Sequence[int]) -> np.ndarray:
    """Sequential decoding to the last frame wanted, as mmaction2's
    PyAVDecode does (seeking in H.264 lands on keyframes)."""
    import av
    wanted, last = set(indices), max(indices)
    frames = {}
    with av.open(path) as container:
        stream = container.streams.video[0]
        stream.thread_count = 1
        for index, frame in enumerate(container.decode(stream)):
            if index in wanted:
                frames[index] = frame.to_ndarray(format='rgb24')
            if index >= last:
                break
    return np.stack([frames[i] for i in indices])


def _torchcodec(path: str, indices: Sequence[int]) -> np.ndarray:
    from torchcodec.decoders import VideoDecoder
    decoder = VideoDecoder(path, num_ffmpeg_threads=1, seek_mode='exact')
    batch = decoder.get_frames_at(indices=list(indices))
    return batch.data.permute(0, 2, 3, 1).numpy()  # NCHW -> NHWC


READERS: Dict[str, Callable[[str, Sequence[int]], np.ndarray]] = dict(
    decord=_decord, pyav=_pyav, torchcodec=_torchcodec)


def frame_count(path: str) -> int:
    import av
    with av.open(path) as container:
        return sum(1 for _ in container.decode(video=0))


def available(name: str) -> str:
    """'' when ``name`` imports here, else the reason."""
    try:
        if name == 'torchcodec':
            from torchcodec.decoders import VideoDecoder  # noqa: F401
        elif name == 'decord':
            import decord  # noqa: F401
        else:
            import av  # noqa: F401
    except Exception as error:  # noqa: BLE001  an import may raise anything
        # the cause first: torchcodec wraps "libnvrtc.so.13: cannot open
        # shared object file" in "Could not load this library"
        chain = [error.__cause__, error] if error.__cause__ else [error]
        return '; '.join(
            f'{type(e).__name__}: '
            f'{(str(e).strip().splitlines() or [""])[0][:200]}'
            for e in chain)
    return ''


def compare(frames: np.ndarray, reference: np.ndarray) -> Dict:
    """Equal pixels (share) and the largest difference, against decord."""
    if frames.shape != reference.shape:
        return dict(shape=list(frames.shape),
                    reference_shape=list(reference.shape))
    diff = np.abs(frames.astype(np.int16) - reference.astype(np.int16))
    return dict(equal_share=round(float((diff == 0).mean()), 4),
                max_abs_diff=int(diff.max()),
                mean_abs_diff=round(float(diff.mean()), 4))


def time_decoder(read, paths: Sequence[str], totals: Sequence[int],
                 sampling, repeats: int) -> float:
    """Clips per second of ``read`` over ``paths``, after one warm-up."""
    _, clip_len, interval, uniform = sampling
    plans = [frame_indices(t, clip_len, interval, uniform) for t in totals]
    read(paths[0], plans[0])
    start = time.perf_counter()
    for _ in range(repeats):
        for path, plan in zip(paths, plans):
            read(path, plan)
    return repeats * len(paths) / (time.perf_counter() - start)


def format_failures(read, samples: Dict[str, Path]) -> List[str]:
    """The format samples ``read`` fails to open or decode (broken files
    are expected to fail and are left out)."""
    failed = []
    for case, path in samples.items():
        if case.startswith('broken:'):
            continue
        try:
            total = frame_count(str(path))
            read(str(path), frame_indices(total, 4, 1, False))
        except Exception as error:  # noqa: BLE001  decoders raise anything
            first = (str(error).strip().splitlines() or [''])[0][:120]
            failed.append(f'{case}: {type(error).__name__}: {first}')
    return failed


def measure_decoders(clips: int = 6, size=(360, 640), seconds: float = 10.0,
                     short_side: int = 256, fps: float = 30.0,
                     repeats: int = 3,
                     decoders: Sequence[str] = DECODERS) -> Dict:
    """Every decoder on ``clips`` normalised clips with each sampling."""
    import torch

    from ..prep.normalise import file_task, transcode
    from ..synthetic.formats import render_dance, write_format_samples
    from ..synthetic.originals import write_originals
    torch.set_num_threads(1)  # per core: no decoder gets the other core
    with tempfile.TemporaryDirectory(prefix='benchmark_decoders_') as tmp:
        folder = Path(tmp)
        originals = write_originals(folder / 'originals', clips, size,
                                    seconds, fps)
        paths = []
        for original in originals:
            out = folder / 'normalised' / original.name
            result = transcode(file_task(original, out, short_side, fps))
            if result['status'] != 'ok':
                raise RuntimeError(f'normalise failed: {result}')
            paths.append(str(out))
        totals = [frame_count(p) for p in paths]
        try:
            samples = write_format_samples(folder / 'formats',
                                           render_dance(1))
            samples_error = ''
        except Exception as error:  # noqa: BLE001  an encoder may refuse
            # seen once in the full suite (libvpx-vp9 refused to open,
            # "Invalid argument"), never alone: the speeds and frames stay
            # measured, and the record says why no format was checked
            samples, samples_error = {}, f'{type(error).__name__}: {error}'
        unavailable = {name: available(name) for name in decoders}
        rows = {}
        for name in decoders:
            if unavailable[name]:
                rows[name] = dict(unavailable=unavailable[name])
                continue
            read = READERS[name]
            row = dict(clips_per_s={}, frames={})
            for sampling in SAMPLINGS:
                label, clip_len, interval, uniform = sampling
                row['clips_per_s'][label] = round(time_decoder(
                    read, paths, totals, sampling, repeats), 2)
                if name != 'decord' and not unavailable.get('decord'):
                    plans = [frame_indices(t, clip_len, interval, uniform)
                             for t in totals]
                    row['frames'][label] = compare(
                        np.concatenate([read(p, i) for p, i in
                                        zip(paths, plans)]),
                        np.concatenate([_decord(p, i) for p, i in
                                        zip(paths, plans)]))
            row['format_failures'] = format_failures(read, samples)
            rows[name] = row
    ratios = {}
    if 'clips_per_s' in rows.get('decord', {}):
        for name, row in rows.items():
            if name != 'decord' and 'clips_per_s' in row:
                ratios[name] = {label: round(
                    row['clips_per_s'][label] /
                    rows['decord']['clips_per_s'][label], 3)
                    for label in row['clips_per_s']}
    return dict(clips=clips, source_size=list(size), seconds=seconds,
                short_side=short_side, fps=fps, repeats=repeats, threads=1,
                samplings=[s[0] for s in SAMPLINGS], decoders=rows,
                speed_ratio_to_decord=ratios,
                format_samples_error=samples_error,
                format_cases=sorted(k for k in samples
                                    if not k.startswith('broken:')))
