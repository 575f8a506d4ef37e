"""Start a 3D stem with filters that see motion: temporal-derivative init.

A 3D convolution's filter answers a still scene with the sum of its
temporal taps times the scene, and a moving one with its temporal
differences. Kaiming's random taps are mostly the former, so a network
trained from scratch begins by seeing appearance. On the synthetic data,
where appearance is drawn apart from the class and only the motion tells
the styles apart, the RGB Inception I3D never leaves chance that way
(docs/two_stream.md measures it), while its flow stream, handed the motion,
learns at once.

:func:`init_motion_filters` rebuilds each filter as a random spatial filter
times a temporal profile: for a ``share`` of the output channels the
derivative of a Gaussian over the taps (odd, so it sums to zero: a still
scene gives exactly 0 and only change passes), for the rest a flat profile,
which is what I3D's own inflation of a 2D filter gives (the 2D filter
repeated over the taps). The spatial part and the weight tensor's norm are
the random init's, so nothing else about the network's start changes. It
is an initialisation only: the same weights are learnt afterwards, the
module's shape and checkpoint keys do not change, and weights loaded from a
checkpoint replace it.
"""
import math

import torch


def temporal_profiles(taps: int) -> tuple:
    """(derivative, flat) unit-norm temporal profiles of ``taps`` taps; the
    derivative is that of a Gaussian with sigma taps / 4 (the 7 taps of the
    I3D stem: -0.32, -0.49, -0.40, 0, 0.40, 0.49, 0.32 after normalising)."""
    if taps < 2:
        raise ValueError(f'a temporal derivative needs at least 2 taps, '
                         f'got {taps}')
    t = torch.arange(taps, dtype=torch.float64) - (taps - 1) / 2
    sigma = taps / 4
    derivative = t * torch.exp(-t**2 / (2 * sigma**2))
    derivative /= derivative.norm()
    flat = torch.full((taps, ), 1 / math.sqrt(taps), dtype=torch.float64)
    return derivative, flat


@torch.no_grad()
def init_motion_filters(weight: torch.Tensor, share: float) -> None:
    """Rewrite a randomly initialised conv3d ``weight`` (out x in x T x H x
    W) in place: the first ``round(share * out)`` filters get the temporal
    derivative profile, the others the flat one, each times its own random
    spatial filter (the mean over time of its random taps); the tensor's
    norm is kept."""
    if not 0 <= share <= 1:
        raise ValueError(f'share must be in [0, 1], got {share}')
    out_channels, _, taps = weight.shape[:3]
    derivative, flat = (p.to(weight.dtype) for p in temporal_profiles(taps))
    moving = int(round(share * out_channels))
    profiles = torch.stack([derivative] * moving +
                           [flat] * (out_channels - moving))  # out x T
    spatial = weight.mean(dim=2)  # out x in x H x W
    norm = weight.norm()
    weight.copy_(spatial[:, :, None] * profiles[:, None, :, None, None])
    weight.mul_(norm / weight.norm())
