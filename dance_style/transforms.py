"""Training-pipeline transforms that mmaction2 lacks or gets wrong."""
from typing import Dict, List

import mmcv
import numpy as np
from mmaction.datasets.transforms.processing import Flip
from mmaction.registry import TRANSFORMS
from mmcv.transforms import BaseTransform


@TRANSFORMS.register_module()
class GaussianNoise(BaseTransform):
    """Add Gaussian pixel noise to every frame of a clip.

    The study's "noise" augmentation. Frames are uint8 RGB/BGR arrays
    (before ``FormatShape``); the noise is independent per pixel and frame,
    the clip is clipped back to 0..255. Uses ``np.random`` like mmaction2's
    own random transforms, so mmengine's per-worker seeding applies.

    Args:
        sigma (float): Standard deviation in grey levels (0..255 scale).
            Defaults to 8.
        prob (float): Probability of adding noise to a clip. Defaults to 0.5.
    """

    def __init__(self, sigma: float = 8.0, prob: float = 0.5) -> None:
        if sigma < 0 or not 0 <= prob <= 1:
            raise ValueError(f'GaussianNoise needs sigma >= 0 and prob in '
                             f'[0, 1]; got sigma={sigma}, prob={prob}')
        self.sigma = float(sigma)
        self.prob = float(prob)

    def transform(self, results: Dict) -> Dict:
        """Add noise to ``results['imgs']`` with probability ``prob``."""
        if self.sigma == 0 or np.random.rand() >= self.prob:
            return results
        noisy = []
        for img in results['imgs']:
            noise = np.random.normal(0.0, self.sigma, img.shape)
            # rint: a plain astype would truncate, darkening by half a level
            noisy.append(
                np.clip(np.rint(img + noise), 0, 255).astype(np.uint8))
        results['imgs'] = noisy
        return results

    def __repr__(self) -> str:
        return f'{type(self).__name__}(sigma={self.sigma}, prob={self.prob})'


@TRANSFORMS.register_module()
class FlowFlip(Flip):
    """mmaction2's ``Flip`` that flips optical flow correctly.

    What upstream does: mmaction2 1.x decodes a flow frame as one
    H x W x 2 array (x and y stacked, ``RawFrameDecode``), but ``Flip`` still
    assumes 0.x's list of alternating single-channel x and y images and
    inverts every second *frame* whole: a horizontally flipped clip gets both
    components of half its frames negated and the other half unchanged
    (``tests/test_transforms.py`` shows it).

    Why ours differs: mirroring a video left to right reverses the
    horizontal motion only, so x changes sign in every frame and y keeps its
    value. Flow is stored quantised around 128 (``dance_style.prep.flow``),
    so negating is ``255 - x``, as upstream's ``mmcv.iminvert``. Lists of
    single-channel images (0.x's layout) keep upstream's rule (every even
    image is an x). RGB clips are flipped exactly as by ``Flip``. Arguments
    are ``Flip``'s; like ``Flip``, flow flips horizontally only.
    """

    def _flip_imgs(self, imgs: List[np.ndarray], modality: str
                   ) -> List[np.ndarray]:
        for img in imgs:
            mmcv.imflip_(img, self.direction)
        if modality != 'Flow':
            return imgs
        if imgs and imgs[0].ndim == 3 and imgs[0].shape[-1] == 2:
            for img in imgs:
                img[..., 0] = 255 - img[..., 0]
        else:  # 0.x layout: x, y, x, y, ... single-channel images
            for index in range(0, len(imgs), 2):
                imgs[index] = mmcv.iminvert(imgs[index])
        return imgs
