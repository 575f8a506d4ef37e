"""PyAV decoding for the videos decord cannot read or turns the wrong way.

mmaction2 ships ``PyAVInit``/``PyAVDecode``, but ``PyAVInit`` takes the
frame count from the header (0 for WebM/MKV, so ``SampleFrames`` samples
nothing) and neither applies the rotation tag. These two count frames by
decoding, keep only the sampled frames while streaming (memory is the
sampled frames, not the video), and turn every frame upright. They are
swapped in for ``DecordInit``/``DecordDecode`` by
:func:`dance_style.predict.pipeline_for` when :mod:`dance_style.readers`
chooses PyAV.
"""
from typing import Dict

import numpy as np
from mmaction.registry import TRANSFORMS
from mmcv.transforms import BaseTransform

from .readers import OPEN_OPTIONS, count_frames, upright


@TRANSFORMS.register_module()
class PyAVStreamInit(BaseTransform):
    """Count a video's frames and read its rate and rotation with PyAV.

    Required keys: ``filename``. Added keys: ``total_frames``, ``avg_fps``,
    ``rotation`` (degrees counter-clockwise that make frames upright).
    """

    def transform(self, results: Dict) -> Dict:
        """Fill ``total_frames``, ``avg_fps`` and ``rotation``."""
        (results['total_frames'], results['avg_fps'],
         results['rotation']) = count_frames(results['filename'])
        return results


@TRANSFORMS.register_module()
class PyAVStreamDecode(BaseTransform):
    """Decode the frames of ``frame_inds`` in one sequential pass, upright.

    Required keys: ``filename``, ``frame_inds``, ``rotation``. Added keys:
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
        with av.open(str(results['filename']),
                     container_options=OPEN_OPTIONS) as container:
            stream = container.streams.video[0]
            stream.thread_type = 'AUTO'
            for index, frame in enumerate(container.decode(stream)):
                if index in wanted:
                    kept[index] = upright(frame.to_ndarray(format='rgb24'),
                                          results.get('rotation', 0))
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
