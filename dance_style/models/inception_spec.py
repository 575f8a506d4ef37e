"""Inception-v1 I3D as data: its blocks, stem, stages and the tensor shapes
they imply.

The backbone (:mod:`.inception_i3d`) is built from these tables and the
weight readers (:mod:`.i3d_weights`) check checkpoints against
:func:`state_shapes`; neither needs to import the other for that.
"""
from typing import Dict, Tuple

# Inception blocks: name -> (input channels, (branch 0 1x1, branch 1 1x1,
# branch 1 3x3x3, branch 2 1x1, branch 2 3x3x3, branch 3 1x1 after pooling)).
# The paper's table (Szegedy et al. 2015, Table 1) with its 5x5 branch as
# 3x3x3, as the I3D implementations have it.
MIXED_BLOCKS: Dict[str, Tuple[int, Tuple[int, ...]]] = {
    'Mixed_3b': (192, (64, 96, 128, 16, 32, 32)),
    'Mixed_3c': (256, (128, 128, 192, 32, 96, 64)),
    'Mixed_4b': (480, (192, 96, 208, 16, 48, 64)),
    'Mixed_4c': (512, (160, 112, 224, 24, 64, 64)),
    'Mixed_4d': (512, (128, 128, 256, 24, 64, 64)),
    'Mixed_4e': (512, (112, 144, 288, 32, 64, 64)),
    'Mixed_4f': (528, (256, 160, 320, 32, 128, 128)),
    'Mixed_5b': (832, (256, 160, 320, 32, 128, 128)),
    'Mixed_5c': (832, (384, 192, 384, 48, 128, 128)),
}
# The convolutions of a block: name -> (index in the channel tuple of its
# output, index of its input channels (-1: the block's input), kernel).
BRANCH_UNITS = {
    'b0': (0, -1, 1),
    'b1a': (1, -1, 1),
    'b1b': (2, 1, 3),
    'b2a': (3, -1, 1),
    'b2b': (4, 3, 3),
    'b3b': (5, -1, 1),
}
OUT_CHANNELS = 1024  # Mixed_5c's branches: 384 + 384 + 128 + 128

# The stem's convolutions: name -> (input channels, output channels, kernel);
# None is the clip's channel count (3 for RGB, 2 for optical flow).
STEM = {
    'Conv3d_1a_7x7': (None, 64, 7),  # stride 2
    'Conv3d_2b_1x1': (64, 64, 1),
    'Conv3d_2c_3x3': (64, 192, 3),
}
STEM_UNITS = tuple(STEM)

# Stages for ``frozen_stages``: 0 the stem, 1 Mixed_3*, 2 Mixed_4*,
# 3 Mixed_5* (ResNet3d's convention: frozen_stages=k freezes 0..k).
STAGES = (STEM_UNITS, ('Mixed_3b', 'Mixed_3c'),
          ('Mixed_4b', 'Mixed_4c', 'Mixed_4d', 'Mixed_4e', 'Mixed_4f'),
          ('Mixed_5b', 'Mixed_5c'))


def unit_shapes(in_channels: int = 3) -> Dict[str, Tuple[int, int, int]]:
    """(output channels, input channels, kernel) of every convolution unit,
    by its module name (``Conv3d_1a_7x7``, ``Mixed_3b.b1b`` ...)."""
    units = {name: (out, in_channels if inp is None else inp, kernel)
             for name, (inp, out, kernel) in STEM.items()}
    for block, (block_in, channels) in MIXED_BLOCKS.items():
        for branch, (out_index, in_index, kernel) in BRANCH_UNITS.items():
            unit_in = block_in if in_index < 0 else channels[in_index]
            units[f'{block}.{branch}'] = (channels[out_index], unit_in, kernel)
    return units


def state_shapes(in_channels: int = 3) -> Dict[str, Tuple[int, ...]]:
    """The shape of every tensor in the backbone's state dict: per unit a
    bias-free ``conv3d.weight`` and a BatchNorm ``bn``."""
    shapes: Dict[str, Tuple[int, ...]] = {}
    for name, (out, inp, kernel) in unit_shapes(in_channels).items():
        shapes[f'{name}.conv3d.weight'] = (out, inp, kernel, kernel, kernel)
        for param in ('weight', 'bias', 'running_mean', 'running_var'):
            shapes[f'{name}.bn.{param}'] = (out, )
        shapes[f'{name}.bn.num_batches_tracked'] = ()
    return shapes
