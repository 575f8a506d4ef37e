"""ResNet3dIdentityNL: the I3D R50 NonLocal backbone keeps its NonLocal
blocks as identity mappings when it starts from scratch, where mmaction2's
ResNet3d re-initialises them; weights from a file are left alone."""
import pytest
import torch
from mmaction.models.backbones.resnet3d import ResNet3d
from mmaction.registry import MODELS
from mmcv.cnn import NonLocal3d
from mmengine.config import Config

from support import REPO
from dance_style.models import ResNet3dIdentityNL

NL_CONFIG = REPO / 'configs' / 'i3d_nl_dance.py'


def backbone_cfg(**changes):
    cfg = Config.fromfile(NL_CONFIG).model.backbone
    cfg.update(changes)
    return cfg


def identity_blocks(backbone):
    """(number of NonLocal blocks, whether every one returns its input)."""
    blocks = [m for m in backbone.modules() if isinstance(m, NonLocal3d)]
    torch.manual_seed(0)
    same = []
    for block in blocks:
        x = torch.randn(2, block.in_channels, 2, 4, 4)
        same.append(torch.equal(block.eval()(x), x))
    return len(blocks), all(same)


def test_the_nl_configs_name_the_registered_backbone():
    assert backbone_cfg().type == 'ResNet3dIdentityNL'
    assert MODELS.get('ResNet3dIdentityNL') is ResNet3dIdentityNL
    assert issubclass(ResNet3dIdentityNL, ResNet3d)


def test_upstream_scratch_init_breaks_the_non_local_blocks():
    upstream = MODELS.build(backbone_cfg(type='ResNet3d'))
    assert identity_blocks(upstream) == (5, True)  # as mmcv built them
    upstream.init_weights()
    assert identity_blocks(upstream) == (5, False)


def test_scratch_init_keeps_the_non_local_blocks_identities():
    ours = MODELS.build(backbone_cfg())
    ours.init_weights()
    assert identity_blocks(ours) == (5, True)


@pytest.mark.kernel_free  # weights and files, no kernel computes them
@pytest.mark.parametrize('name', ['conv1.conv.weight',
                                  'layer4.2.conv3.conv.weight'])
def test_everything_else_is_initialised_as_upstream(name):
    """Same seed, same draws: the rest of the network is bit for bit
    upstream's (seeded runs of before the backbone existed reproduce)."""
    states = []
    for kind in ('ResNet3d', 'ResNet3dIdentityNL'):
        torch.manual_seed(0)
        model = MODELS.build(backbone_cfg(type=kind))
        model.init_weights()
        states.append(model.state_dict())
    assert torch.equal(states[0][name], states[1][name])


@pytest.mark.kernel_free  # weights and files, no kernel computes them
def test_weights_from_a_checkpoint_are_not_touched(tmp_path):
    source = MODELS.build(backbone_cfg())
    for block in source.modules():
        if isinstance(block, NonLocal3d):
            torch.nn.init.constant_(block.conv_out.norm.weight, 0.5)
    path = tmp_path / 'backbone.pth'
    torch.save({'state_dict': source.state_dict()}, path)
    loaded = MODELS.build(backbone_cfg(pretrained=str(path),
                                       pretrained2d=False))
    loaded.init_weights()
    weights = [b.conv_out.norm.weight for b in loaded.modules()
               if isinstance(b, NonLocal3d)]
    assert len(weights) == 5
    assert all(torch.all(w == 0.5) for w in weights)
