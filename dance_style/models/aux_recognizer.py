"""GoogLeNet's auxiliary classifiers for a 3D recognizer, during training only.

Szegedy et al. (2015) trained the 22-layer GoogLeNet with two extra
classifiers on intermediate Inception blocks (after 4a and 4d), their losses
added with weight 0.3 and dropped at test time: they put a gradient into the
middle of a deep network without residual paths. Inception-v1 I3D is that
network inflated. Tried on its RGB stream from scratch, they restored the
middle blocks' gradient but did not lower the loss within 3 epochs
(docs/two_stream.md); the stream's remedy turned out to be its stem's
initialisation (:mod:`dance_style.models.motion_init`), so no config
switches them on. The backbone is untouched, so converted pytorch-i3d /
kinetics-i3d checkpoints still load strictly into it; the auxiliary heads
live beside the classifier (``aux_heads.*`` in the state dict) and start
fresh when a checkpoint has none.
"""
from typing import Dict, List, Sequence

import torch
from mmaction.models.recognizers import Recognizer3D
from mmaction.registry import MODELS
from torch import nn


@MODELS.register_module()
class AuxHeadRecognizer3D(Recognizer3D):
    """``Recognizer3D`` with auxiliary classification heads on named
    backbone blocks, whose weighted losses are added while training.

    Prediction, testing and feature extraction are ``Recognizer3D``'s: the
    auxiliary heads are not used there.

    Args:
        aux_heads (Sequence[dict]): One per auxiliary classifier: ``block``,
            the name of the backbone's child module whose output it reads
            (e.g. ``'Mixed_4b'``), ``in_channels`` (that output's channels),
            and optionally ``loss_weight`` (default 0.3, GoogLeNet's) and
            ``dropout_ratio`` (default 0.7, GoogLeNet's). Each is an
            ``I3DHead`` (global average, dropout, linear) with the main
            head's number of classes.
        **kwargs: ``Recognizer3D``'s arguments.
    """

    def __init__(self, aux_heads: Sequence[dict] = (), **kwargs) -> None:
        super().__init__(**kwargs)
        num_classes = self.cls_head.num_classes
        self.aux_blocks: List[str] = []
        self.aux_weights: List[float] = []
        heads = []
        for spec in aux_heads:
            spec = dict(spec)
            block = spec.pop('block')
            if not hasattr(self.backbone, block):
                children = [name for name, _ in
                            self.backbone.named_children()]
                raise ValueError(f'aux_heads: the backbone has no block '
                                 f'{block!r}; its blocks: {children}')
            self.aux_blocks.append(block)
            self.aux_weights.append(float(spec.pop('loss_weight', 0.3)))
            heads.append(MODELS.build(dict(
                type='I3DHead', num_classes=num_classes,
                in_channels=spec.pop('in_channels'),
                dropout_ratio=spec.pop('dropout_ratio', 0.7),
                spatial_type='avg', init_std=0.01, **spec)))
        self.aux_heads = nn.ModuleList(heads)

    def loss(self, inputs: torch.Tensor, data_samples, **kwargs) -> Dict:
        """The main head's losses plus ``loss_aux_<block>`` for each
        auxiliary head, weighted."""
        captured: Dict[str, torch.Tensor] = {}
        handles = [
            getattr(self.backbone, block).register_forward_hook(
                lambda module, args, output, block=block:
                captured.__setitem__(block, output))
            for block in self.aux_blocks
        ]
        try:
            losses = super().loss(inputs, data_samples, **kwargs)
        finally:
            for handle in handles:
                handle.remove()
        for block, weight, head in zip(self.aux_blocks, self.aux_weights,
                                       self.aux_heads):
            aux = head.loss(captured[block], data_samples)
            losses[f'loss_aux_{block}'] = weight * aux['loss_cls']
        return losses
