"""Decoding for prediction: at the model's size, and for every video.

mmaction2's decoders return frames at the source's resolution, and the
``Resize`` after them scales them down: 128 frames of an 8K clip (8 test
clips of 16) are 12.7 GB as RGB before the ``Resize`` sees them. The
transforms here decode straight to ``results['decode_size']`` (set by
:func:`dance_style.predict.predict_videos` from
:func:`dance_style.readers.decode_size`): decord scales inside its decoder
(``DecordScaledInit``), PyAV one frame at a time right after decoding
(``PyAVStreamDecode``). Without that key they decode as mmaction2's do.
Each calls :func:`dance_style.limits.check_time` between frames (decord:
between batches of :data:`DECORD_BATCH` frames), so a deadline stops them.

PyAV decodes the videos decord cannot read or turns the wrong way. mmaction2
ships ``PyAVInit``/``PyAVDecode``, but ``PyAVInit`` takes the
frame count from the header (0 for WebM/MKV, so ``SampleFrames`` samples
nothing) and neither applies the rotation tag. These two count frames by
decoding, keep only the sampled frames while streaming (memory is the
sampled frames, not the video), and turn every frame upright. They are
swapped in for ``DecordInit``/``DecordDecode`` by
:func:`dance_style.predict.pipeline_for` when :mod:`dance_style.readers`
chooses PyAV.
"""
from typing import Dict, List

import numpy as np
from mmaction.datasets.transforms.loading import DecordDecode, DecordInit
from mmaction.registry import TRANSFORMS
from mmcv.transforms import BaseTransform

from .limits import InputLimits, check_time
from .readers import OPEN_OPTIONS, count_frames, decord_size, upright

DECORD_BATCH = 16  # frames per decord call between two deadline checks


def _limits(results: Dict) -> InputLimits:
    return results.get('input_limits') or InputLimits()


@TRANSFORMS.register_module()
class DecordScaledInit(DecordInit):
    """``DecordInit`` whose reader returns frames of
    ``results['decode_size']`` (width, height), scaled by FFmpeg inside
    decord; the source's size without that key. Reads the file from its
    path (``DecordInit`` copies it into memory first).

    Required keys: ``filename``; optional ``decode_size``. Added keys:
    ``video_reader``, ``total_frames``, ``avg_fps``.
    """

    def transform(self, results: Dict) -> Dict:
        """Open the reader at the size to decode at."""
        import decord
        width, height = decord_size(results.get('decode_size')) or (-1, -1)
        reader = decord.VideoReader(str(results['filename']),
                                    num_threads=self.num_threads,
                                    width=width, height=height)
        results['video_reader'] = reader
        results['total_frames'] = len(reader)
        results['avg_fps'] = reader.get_avg_fps()
        return results


@TRANSFORMS.register_module()
class DecordChunkedDecode(DecordDecode):
    """``DecordDecode`` in batches of :data:`DECORD_BATCH` frames, with
    :func:`dance_style.limits.check_time` between them; the same frames."""

    def _decord_load_frames(self, container: object,
                            frame_inds: np.ndarray) -> List[np.ndarray]:
        if self.mode != 'accurate':
            return super()._decord_load_frames(container, frame_inds)
        imgs: List[np.ndarray] = []
        for start in range(0, len(frame_inds), DECORD_BATCH):
            check_time()
            imgs.extend(container.get_batch(
                frame_inds[start:start + DECORD_BATCH]).asnumpy())
        return imgs


@TRANSFORMS.register_module()
class PyAVStreamInit(BaseTransform):
    """Count a video's frames and read its rate and rotation with PyAV.

    Required keys: ``filename``. Added keys: ``total_frames``, ``avg_fps``,
    ``rotation`` (degrees counter-clockwise that make frames upright).
    """

    def transform(self, results: Dict) -> Dict:
        """Fill ``total_frames``, ``avg_fps`` and ``rotation``."""
        (results['total_frames'], results['avg_fps'],
         results['rotation']) = count_frames(results['filename'],
                                             _limits(results))
        return results


@TRANSFORMS.register_module()
class PyAVStreamDecode(BaseTransform):
    """Decode the frames of ``frame_inds`` in one sequential pass, upright,
    each scaled to ``decode_size`` (width, height as stored) when given.

    Required keys: ``filename``, ``frame_inds``, ``rotation``; optional
    ``decode_size``, ``input_limits``. Added keys:
    ``imgs`` (RGB uint8, in ``frame_inds`` order, repeats included),
    ``original_shape``, ``img_shape``.
    """

    def transform(self, results: Dict) -> Dict:
        """Fill ``imgs`` with the sampled frames."""
        import av
        inds = np.asarray(results['frame_inds']).reshape(-1).astype(int)
        wanted = set(int(i) for i in inds)
        last = max(wanted)
        kept = {}
        limits = _limits(results)
        width, height = results.get('decode_size') or (None, None)
        with av.open(str(results['filename']),
                     container_options=OPEN_OPTIONS,
                     options=limits.decoder_options) as container:
            stream = container.streams.video[0]
            stream.thread_type = 'AUTO'
            stream.codec_context.options = dict(limits.decoder_options)
            for index, frame in enumerate(container.decode(stream)):
                check_time()
                if index in wanted:
                    # one frame at the source's size at a time
                    rgb = frame.reformat(width=width, height=height,
                                         format='rgb24').to_ndarray()
                    kept[index] = upright(rgb, results.get('rotation', 0))
                if index >= last:
                    break
        # a frame the count promised but the decoder did not deliver (a file
        # damaged near its end): the last decoded frame stands in
        fallback = kept[max(kept)] if kept else None
        if fallback is None:
            raise ValueError(f'no frame decoded from {results["filename"]}')
        results['imgs'] = [kept.get(int(i), fallback) for i in inds]
        results['original_shape'] = results['imgs'][0].shape[:2]
        results['img_shape'] = results['original_shape']
        return results
