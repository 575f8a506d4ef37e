"""Transfer learning: fine-tuning from a Kinetics-400 checkpoint, frozen
stages with a lower backbone lr, and ImageNet inflation."""
import re

import pytest
import torch
from mmengine.config import Config

from support import REPO, TINY_CONFIG, run_tool

PARTIAL = REPO / 'configs' / 'i3d_nl_dance_partial_freeze.py'
IMAGENET = REPO / 'configs' / 'i3d_r50_imagenet_dance.py'


def build_model(cfg):
    from mmaction.registry import MODELS
    return MODELS.build(cfg.model)


def test_finetune_keeps_the_backbone_and_replaces_the_head(easy_dataset,
                                                           tmp_path):
    # a Kinetics-400 checkpoint as the model zoo writes it: the same
    # architecture with a 400-class head, under 'state_dict', with 'meta'
    cfg = Config.fromfile(TINY_CONFIG)
    cfg.model.cls_head.num_classes = 400
    k400 = build_model(cfg)
    k400.init_weights()
    for param in k400.parameters():  # unlike any fresh initialisation
        param.data.normal_(0, 0.02)
    k400_state = {k: v.clone() for k, v in k400.state_dict().items()}
    checkpoint = tmp_path / 'i3d_k400.pth'
    torch.save({'meta': {'epoch': 100, 'dataset_meta': None},
                'state_dict': k400_state}, checkpoint)

    # a head of unnamed class order is refused, before any training
    refused = run_tool('tools/train.py', TINY_CONFIG, '--work-dir',
                       tmp_path / 'refused', '--data-root', easy_dataset,
                       '--cfg-options', f'load_from={checkpoint}',
                       'train_cfg.max_epochs=1', check=False)
    assert refused.returncode == 2, refused.stderr[-3000:]
    assert 'has a 400-row classifier head' in refused.stderr
    assert 'head_label_map=' in refused.stderr
    assert 'Traceback' not in refused.stderr
    assert not list((tmp_path / 'refused').glob('*.pth'))

    # one epoch at lr 0: whatever the run starts from is what it saves
    proc = run_tool('tools/train.py', TINY_CONFIG, '--work-dir',
                    tmp_path / 'run', '--data-root', easy_dataset,
                    '--cfg-options', f'load_from={checkpoint}',
                    'head_label_map=k400',
                    'train_cfg.max_epochs=1', 'optim_wrapper.optimizer.lr=0')
    log = proc.stdout + proc.stderr
    summary = re.search(r'load_from .*i3d_k400\.pth: (\d+) tensors loaded, '
                        r'(\d+) skipped', log)
    assert summary, log[-3000:]
    assert int(summary.group(2)) == 0  # the head is sliced, not skipped
    assert '0 missing from the checkpoint' in log
    assert ('cls_head.fc_cls: 15 of 19 rows taken by class name from the '
            '400-row head (label map k400); not in that head, initialised '
            'afresh: cumbia, moon walking, mosh pit dancing, square '
            'dancing') in log

    tuned = torch.load(tmp_path / 'run' / 'epoch_1.pth',
                       map_location='cpu')['state_dict']
    backbone = [k for k in tuned if k.startswith('backbone.')
                and k.endswith('conv.weight')]
    assert len(backbone) > 50
    for key in backbone:
        assert torch.equal(tuned[key], k400_state[key]), key
    # the warm start: each class's row is the Kinetics-400 row of its name
    from dance_style.classes import DANCE19_CLASSES
    from dance_style.kinetics_heads import kinetics_classes
    k400_names = kinetics_classes('k400')
    head = tuned['cls_head.fc_cls.weight']
    bias = tuned['cls_head.fc_cls.bias']
    assert head.shape == (19, cfg.model.cls_head.in_channels)
    fresh = []
    for label, name in enumerate(DANCE19_CLASSES):
        if name in k400_names:
            row = k400_names.index(name)
            assert torch.equal(head[label],
                               k400_state['cls_head.fc_cls.weight'][row])
            assert torch.equal(bias[label],
                               k400_state['cls_head.fc_cls.bias'][row])
        else:
            fresh.append(label)
    # the 4 others initialised afresh (std 0.01), unlike the 0.02 source
    assert len(fresh) == 4 and head[fresh].std() < 0.015


def test_partial_freeze_config():
    from mmengine.optim import build_optim_wrapper
    cfg = Config.fromfile(PARTIAL)
    model = build_model(cfg)
    model.train()  # ResNet3d freezes its stages in train()
    frozen = [n for n, p in model.named_parameters() if not p.requires_grad]
    assert frozen and all(n.startswith(('backbone.conv1', 'backbone.layer1'))
                          for n in frozen)
    assert all(p.requires_grad
               for n, p in model.named_parameters()
               if n.startswith(('backbone.layer2', 'cls_head')))
    wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    base = cfg.optim_wrapper.optimizer.lr
    rates = {}
    names = {id(p): n for n, p in model.named_parameters()}
    for group in wrapper.optimizer.param_groups:
        for param in group['params']:
            rates[names[id(param)]] = group['lr']
    assert rates['cls_head.fc_cls.weight'] == pytest.approx(base)
    assert rates['backbone.layer4.0.conv1.conv.weight'] == pytest.approx(
        base * 0.1)


def torchvision_resnet50_state(backbone3d):
    """A 2D ResNet-50 state dict in torchvision's key layout, with the 2D
    shapes of the 3D backbone's convolutions (random values)."""
    from mmcv.cnn import ConvModule
    state = {}
    generator = torch.Generator().manual_seed(0)
    for name, module in backbone3d.named_modules():
        if not isinstance(module, ConvModule):
            continue
        if 'downsample' in name:
            conv_name, bn_name = f'{name}.0', f'{name}.1'
        else:
            conv_name, bn_name = name, name.replace('conv', 'bn')
        out_c, in_c, _, kh, kw = module.conv.weight.shape
        state[f'{conv_name}.weight'] = torch.randn(
            out_c, in_c, kh, kw, generator=generator)
        for field in ('weight', 'bias', 'running_mean'):
            state[f'{bn_name}.{field}'] = torch.randn(out_c,
                                                      generator=generator)
        state[f'{bn_name}.running_var'] = torch.rand(out_c) + 0.5
        state[f'{bn_name}.num_batches_tracked'] = torch.tensor(0)
    state['fc.weight'] = torch.randn(1000, 2048)
    state['fc.bias'] = torch.randn(1000)
    return state


def test_imagenet_inflation(tmp_path):
    cfg = Config.fromfile(IMAGENET)
    assert cfg.load_from is None
    model = build_model(cfg)
    state2d = torchvision_resnet50_state(model.backbone)
    path = tmp_path / 'resnet50-11ad3fa6.pth'
    torch.save(state2d, path)
    cfg.model.backbone.pretrained = str(path)
    model = build_model(cfg)
    model.init_weights()
    backbone = model.backbone
    # each 2D kernel repeated over time and divided by the time extent
    stem = backbone.conv1.conv.weight
    t = stem.shape[2]
    assert t == 5
    expected = state2d['conv1.weight'].unsqueeze(2).expand_as(stem) / t
    assert torch.allclose(stem, expected)
    inflated = backbone.layer1[0].conv1.conv.weight  # 3x1x1 (inflate=1)
    assert inflated.shape[2] == 3
    assert torch.allclose(
        inflated, state2d['layer1.0.conv1.weight'].unsqueeze(2).expand_as(
            inflated) / 3)
    assert torch.equal(backbone.layer4[2].conv3.bn.running_mean,
                       state2d['layer4.2.bn3.running_mean'])


def test_missing_imagenet_checkpoint_is_a_clear_error(easy_dataset):
    proc = run_tool('tools/train.py', IMAGENET, '--data-root', easy_dataset,
                    check=False)
    assert proc.returncode == 2
    assert 'model.backbone.pretrained file not found' in proc.stderr
    assert 'resnet50-11ad3fa6.pth' in proc.stderr
