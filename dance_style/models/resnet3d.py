"""ResNet3d whose NonLocal blocks start as identities when trained from
scratch (the I3D R50 NonLocal of ``configs/_base_/models/i3d_r50_nl.py``)."""
from typing import Optional

import torch.nn as nn
from mmaction.models.backbones.resnet3d import ResNet3d
from mmaction.registry import MODELS
from mmcv.cnn import NonLocal3d
from mmengine.model import constant_init, normal_init


def reset_non_local_blocks(module: nn.Module) -> int:
    """Give every NonLocal3d under ``module`` mmcv's own initialisation:
    normal(std=0.01) g/theta/phi convolutions and a zero output BN, so each
    block is an identity mapping at the start of training.

    (``NonLocal3d.init_weights`` cannot be called again: with ``sub_sample``
    its g and phi become ``Sequential(ConvModule, MaxPool)`` after mmcv ran
    it once in the constructor.) Returns the number of blocks reset.
    """
    count = 0
    for block in module.modules():
        if not isinstance(block, NonLocal3d):
            continue
        for name in ('g', 'theta', 'phi'):
            conv_module = getattr(block, name)
            if isinstance(conv_module, nn.Sequential):
                conv_module = conv_module[0]
            normal_init(conv_module.conv, std=0.01)
        if block.conv_out.norm_cfg is None:
            constant_init(block.conv_out.conv, 0)
        else:
            constant_init(block.conv_out.norm, 0)
        count += 1
    return count


@MODELS.register_module()
class ResNet3dIdentityNL(ResNet3d):
    """mmaction2's ``ResNet3d`` whose NonLocal blocks stay identity mappings
    when the network is initialised from scratch.

    What upstream does: ``ResNet3d.init_weights`` with ``pretrained=None``
    re-initialises *every* ``Conv3d`` (Kaiming) and every BatchNorm (weight
    1), including those inside the NonLocal blocks, which mmcv built as
    identity mappings (small normal g/theta/phi, a zero output BN). The five
    blocks of I3D R50 NonLocal then add large random global mixing to the
    residual stream from the first step.

    Why ours differs: trained from scratch that way, I3D NonLocal did not
    learn on the synthetic 19-class data (even with
    ``zero_init_residual=True``, validation stayed at chance), and with the
    blocks reset to mmcv's identity init it did (the demo's run record,
    docs/results/demo.json, is trained this way). So after upstream's init we
    restore mmcv's init of the NonLocal blocks, in the same order of random
    draws as before, so seeded runs stay reproducible.

    Frozen stages (``frozen_stages``) are frozen when the network is built,
    not first in ``train()`` as upstream: mmengine wraps the model in
    DistributedDataParallel before it calls ``train()``, and DDP, which
    registers every parameter that needs a gradient when it wraps, then
    waits for gradients of the frozen ones that never come ("Expected to
    have finished reduction in the prior iteration", mmaction2 issue #646;
    reproduced with 2 CPU processes, tests/test_distributed.py). Their
    BatchNorms are in eval mode from then on, and ``train()`` keeps them so
    as upstream does; loading weights changes values, not ``requires_grad``.

    Nothing else changes: weights from a checkpoint (``load_from``, or
    ``pretrained`` with ``pretrained2d=False``) and ImageNet inflation
    (``pretrained`` with ``pretrained2d=True``) take the other branch and are
    left exactly as upstream loads them. Arguments are ``ResNet3d``'s.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._freeze_stages()  # before any DDP wrapper sees the parameters

    def init_weights(self, pretrained: Optional[str] = None) -> None:
        """Upstream's init, then identity NonLocal blocks when it started
        from scratch; the frozen stages stay frozen."""
        super().init_weights(pretrained)
        if self.pretrained is None:  # the from-scratch branch ran
            reset_non_local_blocks(self)
        self._freeze_stages()
