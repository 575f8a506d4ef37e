"""Inception-v1 I3D (Carreira and Zisserman 2017) as an mmaction2 backbone.

The study's primary model: Inception-v1 (GoogLeNet with batch norm) with
every 2D filter and pooling kernel inflated to 3D, as in the paper and its
public implementations (deepmind/kinetics-i3d in TensorFlow and its PyTorch
port piergiaj/pytorch-i3d):

* stem ``Conv3d_1a_7x7`` (64, 7x7x7, stride 2), ``MaxPool3d_2a_3x3``
  (1x3x3, stride 1,2,2), ``Conv3d_2b_1x1`` (64), ``Conv3d_2c_3x3`` (192),
  ``MaxPool3d_3a_3x3`` (1x3x3, stride 1,2,2);
* Inception blocks ``Mixed_3b``, ``Mixed_3c``, pool ``MaxPool3d_4a_3x3``
  (3x3x3, stride 2), ``Mixed_4b`` ... ``Mixed_4f``, pool
  ``MaxPool3d_5a_2x2`` (2x2x2, stride 2), ``Mixed_5b``, ``Mixed_5c``;
  1024 channels out at 1/8 of the frames and 1/32 of the height and width.

Every convolution is conv (no bias) + BatchNorm (eps 1e-3) + ReLU, with
TensorFlow's "SAME" padding, so weights converted from the public
checkpoints give the same activations. The classifier (dropout + a linear
layer, the paper's 1x1x1 "Logits" convolution) is mmaction2's ``I3DHead``
with ``in_channels=1024``; it averages features over space and time before
the linear layer where the paper averages logits over time, which is the
same linear map up to the paper's 2-frame window at the clip ends.

Module names follow pytorch-i3d (``Mixed_3b.b1b.conv3d.weight``), so its
checkpoints load after only the head is renamed
(:mod:`dance_style.models.i3d_weights`).
"""
from typing import List, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from mmaction.registry import MODELS
from mmengine.logging import MMLogger
from mmengine.model import BaseModule
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm

from .i3d_weights import inflate_inception_v1, read_i3d_checkpoint
from .inception_spec import (BRANCH_UNITS, MIXED_BLOCKS, OUT_CHANNELS,
                             STAGES)
from .motion_init import init_motion_filters

def same_padding(size: int, kernel: int, stride: int) -> Tuple[int, int]:
    """TensorFlow's "SAME" padding of one dimension: (before, after).

    The output has ceil(size / stride) positions; an odd total puts the
    extra position after, as TensorFlow does.
    """
    if size % stride == 0:
        total = max(kernel - stride, 0)
    else:
        total = max(kernel - size % stride, 0)
    return total // 2, total - total // 2


def pad_same(x: torch.Tensor, kernel: Sequence[int], stride: Sequence[int],
             value: float = 0.0) -> torch.Tensor:
    """Pad an N,C,T,H,W tensor for a "SAME" window of ``kernel``/``stride``."""
    pads: List[int] = []
    # F.pad takes the last dimension first
    for size, k, s in zip(reversed(x.shape[2:]), reversed(kernel),
                          reversed(stride)):
        pads.extend(same_padding(size, k, s))
    if not any(pads):
        return x
    return F.pad(x, pads, value=value)


class Unit3d(nn.Module):
    """Conv3d (no bias) + BatchNorm3d + ReLU with "SAME" padding.

    A stride-1 unit pads inside its convolution (odd kernels pad the same
    on both sides); a strided one pads explicitly, because "SAME" then
    depends on the input size.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel: int,
                 stride: int = 1, bn_eps: float = 1e-3,
                 bn_momentum: float = 0.1) -> None:
        super().__init__()
        self.kernel = (kernel, ) * 3
        self.stride = (stride, ) * 3
        self.conv3d = nn.Conv3d(
            in_channels, out_channels, kernel, stride=stride,
            padding=kernel // 2 if stride == 1 else 0, bias=False)
        self.bn = nn.BatchNorm3d(out_channels, eps=bn_eps,
                                 momentum=bn_momentum)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Convolve, normalise, rectify."""
        if self.stride[0] > 1:
            x = pad_same(x, self.kernel, self.stride)
        return F.relu(self.bn(self.conv3d(x)), inplace=True)


class MaxPool3dSame(nn.Module):
    """3D max pooling with TensorFlow's "SAME" padding (padding never wins
    the max, as in TensorFlow)."""

    def __init__(self, kernel: Sequence[int], stride: Sequence[int]) -> None:
        super().__init__()
        self.kernel = tuple(kernel)
        self.stride = tuple(stride)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Pad to "SAME" and pool."""
        x = pad_same(x, self.kernel, self.stride, value=float('-inf'))
        return F.max_pool3d(x, self.kernel, self.stride)


class InceptionBlock3d(nn.Module):
    """An inflated Inception block: four branches concatenated.

    ``b0`` 1x1x1; ``b1a`` 1x1x1 then ``b1b`` 3x3x3; ``b2a`` 1x1x1 then
    ``b2b`` 3x3x3; ``b3a`` 3x3x3 max pooling then ``b3b`` 1x1x1.
    """

    def __init__(self, in_channels: int, channels: Sequence[int],
                 **unit_kwargs) -> None:
        super().__init__()
        for name, (out_index, in_index, kernel) in BRANCH_UNITS.items():
            unit_in = in_channels if in_index < 0 else channels[in_index]
            self.add_module(
                name, Unit3d(unit_in, channels[out_index], kernel,
                             **unit_kwargs))
        self.b3a = MaxPool3dSame((3, 3, 3), (1, 1, 1))
        self.out_channels = channels[0] + channels[2] + channels[4] + channels[5]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Run the four branches and concatenate their channels."""
        return torch.cat([
            self.b0(x),
            self.b1b(self.b1a(x)),
            self.b2b(self.b2a(x)),
            self.b3b(self.b3a(x)),
        ], dim=1)


@MODELS.register_module()
class InceptionI3d(BaseModule):
    """Inception-v1 inflated to 3D (I3D), the paper's architecture.

    Input N x C x T x H x W (C = 3 for RGB, 2 for the x/y optical flow);
    output N x 1024 x ceil(T/8) x ceil(H/32) x ceil(W/32), for
    ``I3DHead(in_channels=1024)``.

    Args:
        in_channels (int): 3 for RGB, 2 for optical flow. Defaults to 3.
        pretrained (str, optional): A local checkpoint to initialise from:
            with ``pretrained2d=True`` a 2D Inception-v1 (torchvision's
            GoogLeNet layout, e.g. ``googlenet-1378be20.pth``) inflated to
            3D; otherwise a 3D I3D checkpoint in any layout that
            :func:`dance_style.models.i3d_weights.read_i3d_checkpoint`
            reads (pytorch-i3d, kinetics-i3d exported to .npz, or this
            project's). Only the backbone is taken. Defaults to None
            (random initialisation).
        pretrained2d (bool): Whether ``pretrained`` is a 2D checkpoint to
            inflate. Defaults to True.
        frozen_stages (int): Stages to freeze (parameters fixed, BN in eval
            mode): 0 the stem, 1 also Mixed_3*, 2 also Mixed_4*, 3 all.
            -1 freezes nothing. Defaults to -1.
        norm_eval (bool): Keep every BatchNorm in eval mode while training
            (fine-tuning with small batches). Defaults to False.
        bn_eps (float): BatchNorm epsilon; 1e-3 as the public checkpoints.
        bn_momentum (float): BatchNorm momentum (PyTorch's convention).
            Defaults to PyTorch's 0.1, as mmaction2's backbones; pytorch-i3d
            uses 0.01 (TensorFlow's decay 0.99), whose running statistics
            lag far behind a short or from-scratch run (on the synthetic
            data validation stayed at chance).
        stem_motion_share (float): Share of the stem's 64 filters that a
            random initialisation starts as temporal derivatives (blind to
            a still scene), the rest flat over time as I3D's inflation
            makes them (:mod:`dance_style.models.motion_init`). Only the
            starting weights change; ``pretrained`` and ``load_from``
            replace them. 0 keeps plain Kaiming filters. Defaults to 0.
        init_cfg (dict, optional): mmengine init config. Defaults to None.
    """

    def __init__(self,
                 in_channels: int = 3,
                 pretrained: Optional[str] = None,
                 pretrained2d: bool = True,
                 frozen_stages: int = -1,
                 norm_eval: bool = False,
                 bn_eps: float = 1e-3,
                 bn_momentum: float = 0.1,
                 stem_motion_share: float = 0.0,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if in_channels < 1:
            raise ValueError(f'in_channels must be >= 1, got {in_channels}')
        if not -1 <= frozen_stages < len(STAGES):
            raise ValueError(f'frozen_stages must be in -1..{len(STAGES) - 1}'
                             f', got {frozen_stages}')
        self.in_channels = in_channels
        self.pretrained = pretrained
        self.pretrained2d = pretrained2d
        self.frozen_stages = frozen_stages
        self.norm_eval = norm_eval
        if not 0 <= stem_motion_share <= 1:
            raise ValueError('stem_motion_share must be in [0, 1], got '
                             f'{stem_motion_share}')
        self.stem_motion_share = stem_motion_share
        units = dict(bn_eps=bn_eps, bn_momentum=bn_momentum)

        # Attribute names are the endpoint names of the paper's code (not
        # snake_case) so that state-dict keys match pytorch-i3d's.
        self.Conv3d_1a_7x7 = Unit3d(in_channels, 64, 7, stride=2, **units)
        self.MaxPool3d_2a_3x3 = MaxPool3dSame((1, 3, 3), (1, 2, 2))
        self.Conv3d_2b_1x1 = Unit3d(64, 64, 1, **units)
        self.Conv3d_2c_3x3 = Unit3d(64, 192, 3, **units)
        self.MaxPool3d_3a_3x3 = MaxPool3dSame((1, 3, 3), (1, 2, 2))
        for name in ('Mixed_3b', 'Mixed_3c'):
            self._add_block(name, units)
        self.MaxPool3d_4a_3x3 = MaxPool3dSame((3, 3, 3), (2, 2, 2))
        for name in ('Mixed_4b', 'Mixed_4c', 'Mixed_4d', 'Mixed_4e',
                     'Mixed_4f'):
            self._add_block(name, units)
        self.MaxPool3d_5a_2x2 = MaxPool3dSame((2, 2, 2), (2, 2, 2))
        for name in ('Mixed_5b', 'Mixed_5c'):
            self._add_block(name, units)
        self.out_channels = OUT_CHANNELS
        self._freeze_stages()

    def _add_block(self, name: str, units: dict) -> None:
        in_channels, channels = MIXED_BLOCKS[name]
        self.add_module(name, InceptionBlock3d(in_channels, channels,
                                               **units))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """N x C x T x H x W clips -> N x 1024 x T' x H' x W' features."""
        if x.shape[1] != self.in_channels:
            raise ValueError(
                f'InceptionI3d(in_channels={self.in_channels}) got clips '
                f'with {x.shape[1]} channels (shape {tuple(x.shape)}): RGB '
                'needs 3, optical flow 2; check the data preprocessor and '
                'the dataset modality')
        for module in self.children():
            x = module(x)
        return x

    def init_weights(self) -> None:
        """Random init (Kaiming convs, unit BN; the stem's filters partly
        temporal derivatives with ``stem_motion_share``), then
        ``pretrained``."""
        for module in self.modules():
            if isinstance(module, nn.Conv3d):
                nn.init.kaiming_normal_(module.weight, mode='fan_out',
                                        nonlinearity='relu')
            elif isinstance(module, _BatchNorm):
                nn.init.ones_(module.weight)
                nn.init.zeros_(module.bias)
        if self.stem_motion_share:
            init_motion_filters(self.Conv3d_1a_7x7.conv3d.weight,
                                self.stem_motion_share)
        if self.pretrained is None:
            return
        logger = MMLogger.get_current_instance()
        own = self.state_dict()
        if self.pretrained2d:
            state = inflate_inception_v1(self.pretrained, own)
            what = 'inflated from the 2D Inception-v1'
        else:
            state = read_i3d_checkpoint(
                self.pretrained, in_channels=self.in_channels)['backbone']
            what = 'loaded from the I3D checkpoint'
        self.load_state_dict(state, strict=True)
        logger.info(f'InceptionI3d: {len(state)} tensors {what} '
                    f'{self.pretrained}')

    def _freeze_stages(self) -> None:
        for stage in STAGES[:self.frozen_stages + 1]:
            for name in stage:
                module = getattr(self, name)
                module.eval()
                for param in module.parameters():
                    param.requires_grad = False

    def train(self, mode: bool = True) -> 'InceptionI3d':
        """Set training mode, keeping frozen stages and (with
        ``norm_eval``) every BatchNorm in eval mode."""
        super().train(mode)
        self._freeze_stages()
        if mode and self.norm_eval:
            for module in self.modules():
                if isinstance(module, _BatchNorm):
                    module.eval()
        return self
