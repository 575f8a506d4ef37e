"""Training-pipeline transforms that mmaction2 lacks."""
from typing import Dict

import numpy as np
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
