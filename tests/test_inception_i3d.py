"""InceptionI3d: shapes, parameter count, "SAME" padding, freezing, the
converters from the public checkpoint layouts, and 2D inflation."""
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from support import REPO, run_tool
from dance_style.errors import DanceStyleError
from dance_style.models import InceptionI3d
from dance_style.models.i3d_weights import read_i3d_checkpoint
from dance_style.models.inception_i3d import same_padding
from dance_style.models.inception_spec import state_shapes

# The public architecture, restated from deepmind/kinetics-i3d's i3d.py (not
# from our module): each Inception block's input channels and its six
# convolution widths (branch 0; branch 1 reduce, 3x3x3; branch 2 reduce,
# 3x3x3; branch 3 after pooling).
PUBLIC_BLOCKS = [
    (192, 64, 96, 128, 16, 32, 32), (256, 128, 128, 192, 32, 96, 64),
    (480, 192, 96, 208, 16, 48, 64), (512, 160, 112, 224, 24, 64, 64),
    (512, 128, 128, 256, 24, 64, 64), (512, 112, 144, 288, 32, 64, 64),
    (528, 256, 160, 320, 32, 128, 128), (832, 256, 160, 320, 32, 128, 128),
    (832, 384, 192, 384, 48, 128, 128)]
BLOCK_NAMES = ['Mixed_3b', 'Mixed_3c', 'Mixed_4b', 'Mixed_4c', 'Mixed_4d',
               'Mixed_4e', 'Mixed_4f', 'Mixed_5b', 'Mixed_5c']
# pytorch-i3d's InceptionI3d(num_classes=400): conv weights, BN weight and
# bias (affine), a 1x1x1 logits conv with bias.
PYTORCH_I3D_PARAMS_400 = 12_697_264


def public_param_count(in_channels=3, classes=400):
    """Parameters of the public model, from the table above."""
    def unit(cin, cout, k):
        return cin * cout * k ** 3 + 2 * cout  # conv + BN scale and shift
    total = unit(in_channels, 64, 7) + unit(64, 64, 1) + unit(64, 192, 3)
    for cin, b0, b1a, b1b, b2a, b2b, b3 in PUBLIC_BLOCKS:
        total += (unit(cin, b0, 1) + unit(cin, b1a, 1) + unit(b1a, b1b, 3)
                  + unit(cin, b2a, 1) + unit(b2a, b2b, 3) + unit(cin, b3, 1))
    return total + 1024 * classes + classes


def test_parameter_count_matches_the_public_model():
    backbone = sum(p.numel() for p in InceptionI3d().parameters())
    head_400 = 1024 * 400 + 400
    assert public_param_count() == PYTORCH_I3D_PARAMS_400
    assert backbone + head_400 == PYTORCH_I3D_PARAMS_400  # about 12.7M
    flow = sum(p.numel() for p in InceptionI3d(in_channels=2).parameters())
    assert flow + head_400 == public_param_count(in_channels=2)


@pytest.mark.parametrize('in_channels', [3, 2])
def test_the_spec_names_every_tensor_of_the_backbone(in_channels):
    """The weight readers check checkpoints against the spec, not against a
    model they would have to import: the two must agree."""
    model = InceptionI3d(in_channels=in_channels).state_dict()
    assert state_shapes(in_channels) == {
        k: tuple(v.shape) for k, v in model.items()}


@pytest.mark.parametrize('in_channels,shape,expected', [
    (3, (2, 3, 16, 112, 112), (2, 1024, 2, 4, 4)),
    (2, (1, 2, 16, 56, 56), (1, 1024, 2, 2, 2)),
    (3, (1, 3, 15, 57, 63), (1, 1024, 2, 2, 2)),  # odd sizes: ceil, "SAME"
])
def test_output_shape(in_channels, shape, expected):
    model = InceptionI3d(in_channels=in_channels).eval()
    with torch.no_grad():
        assert tuple(model(torch.randn(*shape)).shape) == expected


def test_wrong_channel_count_is_a_clear_error():
    with pytest.raises(ValueError, match='optical flow 2'):
        InceptionI3d(in_channels=2)(torch.randn(1, 3, 8, 32, 32))


@pytest.mark.parametrize('size', range(5, 12))
@pytest.mark.parametrize('kernel,stride', [(7, 2), (3, 2), (2, 2), (3, 1)])
def test_same_padding_as_tensorflow(size, kernel, stride):
    before, after = same_padding(size, kernel, stride)
    # TensorFlow: out = ceil(size / stride), extra padding goes after
    assert (size + before + after - kernel) // stride + 1 == math.ceil(
        size / stride)
    assert after - before in (0, 1)


def test_frozen_stages_and_norm_eval():
    model = InceptionI3d(frozen_stages=1, norm_eval=True)
    model.train()
    assert not any(p.requires_grad for p in model.Conv3d_1a_7x7.parameters())
    assert not any(p.requires_grad for p in model.Mixed_3c.parameters())
    assert all(p.requires_grad for p in model.Mixed_4b.parameters())
    assert not model.Mixed_5c.b0.bn.training  # norm_eval
    with pytest.raises(ValueError, match='frozen_stages'):
        InceptionI3d(frozen_stages=4)


# ---- converters ---------------------------------------------------------------

def public_unit_names():
    """pytorch-i3d module prefixes and kinetics-i3d scopes, restated."""
    units = [('Conv3d_1a_7x7', 'Conv3d_1a_7x7'),
             ('Conv3d_2b_1x1', 'Conv3d_2b_1x1'),
             ('Conv3d_2c_3x3', 'Conv3d_2c_3x3')]
    scopes = {'b0': 'Branch_0/Conv3d_0a_1x1', 'b1a': 'Branch_1/Conv3d_0a_1x1',
              'b1b': 'Branch_1/Conv3d_0b_3x3', 'b2a': 'Branch_2/Conv3d_0a_1x1',
              'b2b': 'Branch_2/Conv3d_0b_3x3', 'b3b': 'Branch_3/Conv3d_0b_1x1'}
    for block in BLOCK_NAMES:
        for branch, scope in scopes.items():
            if (block, branch) == ('Mixed_5b', 'b2b'):
                scope = 'Branch_2/Conv3d_0a_3x3'  # kinetics-i3d's own name
            units.append((f'{block}.{branch}', f'{block}/{scope}'))
    return units


def pytorch_i3d_state(in_channels=3, classes=400, seed=0):
    """A random state dict in pytorch-i3d's layout (shapes of the model)."""
    gen = torch.Generator().manual_seed(seed)
    shapes = {k: v.shape for k, v in
              InceptionI3d(in_channels=in_channels).state_dict().items()}
    state = {}
    for prefix, _ in public_unit_names():
        for name in ('conv3d.weight', 'bn.weight', 'bn.bias',
                     'bn.running_mean', 'bn.running_var'):
            key = f'{prefix}.{name}'
            state[key] = torch.rand(shapes[key], generator=gen) + 0.5
        state[f'{prefix}.bn.weight'] = torch.ones(shapes[f'{prefix}.bn.bias'])
    state['logits.conv3d.weight'] = torch.randn(classes, 1024, 1, 1, 1,
                                                generator=gen)
    state['logits.conv3d.bias'] = torch.randn(classes, generator=gen)
    return state


def to_kinetics_i3d(state, scope='RGB'):
    """The same weights as kinetics-i3d's TensorFlow variables."""
    arrays = {}
    root = f'{scope}/inception_i3d/'
    for prefix, tf_scope in public_unit_names():
        base = root + tf_scope
        arrays[f'{base}/conv_3d/w'] = state[f'{prefix}.conv3d.weight'].permute(
            2, 3, 4, 1, 0).numpy()  # T, H, W, in, out
        channels = state[f'{prefix}.bn.bias'].shape[0]
        for tf_name, ours in (('beta', 'bias'), ('moving_mean',
                                                  'running_mean'),
                              ('moving_variance', 'running_var')):
            arrays[f'{base}/batch_norm/{tf_name}'] = state[
                f'{prefix}.bn.{ours}'].reshape(1, 1, 1, 1, channels).numpy()
    weight = state['logits.conv3d.weight']
    arrays[f'{root}Logits/Conv3d_0c_1x1/conv_3d/w'] = weight.reshape(
        weight.shape[0], -1).t().reshape(1, 1, 1, 1024, -1).numpy()
    arrays[f'{root}Logits/Conv3d_0c_1x1/conv_3d/b'] = state[
        'logits.conv3d.bias'].numpy()
    return arrays


def build_recognizer(in_channels, classes):
    from mmaction.registry import MODELS
    from mmengine.registry import init_default_scope
    init_default_scope('mmaction')
    return MODELS.build(dict(
        type='Recognizer3D',
        backbone=dict(type='InceptionI3d', in_channels=in_channels),
        cls_head=dict(type='I3DHead', num_classes=classes, in_channels=1024,
                      average_clips='prob'),
        data_preprocessor=dict(type='ActionDataPreprocessor',
                               mean=[127.5] * in_channels,
                               std=[127.5] * in_channels,
                               format_shape='NCTHW')))


@pytest.mark.kernel_free  # weights and files, no kernel computes them
def test_pytorch_i3d_checkpoint_converts_and_loads(tmp_path):
    state = pytorch_i3d_state()
    source = tmp_path / 'rgb_imagenet.pt'
    torch.save(state, source)  # a bare state dict, as pytorch-i3d ships it
    out = tmp_path / 'out dir' / 'i3d_rgb.pth'
    proc = run_tool('tools/convert_i3d_checkpoint.py', source, out)
    assert 'pytorch-i3d layout' in proc.stdout and '400-class' in proc.stdout

    checkpoint = torch.load(out, map_location='cpu', weights_only=True)
    model = build_recognizer(3, 400)
    model.load_state_dict(checkpoint['state_dict'], strict=True)
    assert torch.equal(model.backbone.Mixed_4d.b1b.conv3d.weight,
                       state['Mixed_4d.b1b.conv3d.weight'])
    assert torch.equal(model.backbone.Conv3d_1a_7x7.bn.running_var,
                       state['Conv3d_1a_7x7.bn.running_var'])
    assert torch.equal(model.cls_head.fc_cls.weight,
                       state['logits.conv3d.weight'].reshape(400, 1024))
    assert torch.equal(model.cls_head.fc_cls.bias, state['logits.conv3d.bias'])


@pytest.mark.kernel_free  # weights and files, no kernel computes them
def test_kinetics_i3d_variables_give_the_same_model(tmp_path):
    state = pytorch_i3d_state(seed=1)
    torch.save(state, tmp_path / 'pt.pt')
    both = dict(to_kinetics_i3d(state, 'RGB'))
    both.update(to_kinetics_i3d(pytorch_i3d_state(in_channels=2, seed=2),
                                'Flow'))
    np.savez(tmp_path / 'tf.npz', **both)

    from_pt = read_i3d_checkpoint(str(tmp_path / 'pt.pt'))
    with pytest.raises(DanceStyleError, match='--scope'):
        read_i3d_checkpoint(str(tmp_path / 'tf.npz'))  # RGB and Flow inside
    from_tf = read_i3d_checkpoint(str(tmp_path / 'tf.npz'), scope='RGB')
    assert from_tf['layout'] == 'kinetics-i3d'
    assert from_tf['backbone'].keys() == from_pt['backbone'].keys()
    for key, value in from_pt['backbone'].items():
        assert torch.allclose(from_tf['backbone'][key].float(),
                              value.float()), key
    for key, value in from_pt['head'].items():
        assert torch.allclose(from_tf['head'][key], value), key

    flow = read_i3d_checkpoint(str(tmp_path / 'tf.npz'), scope='Flow')
    assert flow['in_channels'] == 2
    model = build_recognizer(2, 400).eval()
    model.backbone.load_state_dict(flow['backbone'], strict=True)


@pytest.mark.kernel_free  # weights and files, no kernel computes them
def test_converter_refuses_other_files(tmp_path):
    wrong = tmp_path / 'resnet.pth'
    torch.save({'conv1.weight': torch.zeros(64, 3, 7, 7)}, wrong)
    proc = run_tool('tools/convert_i3d_checkpoint.py', wrong,
                    tmp_path / 'out.pth', check=False)
    assert proc.returncode == 2
    assert 'not an Inception-v1 I3D checkpoint' in proc.stderr
    incomplete = pytorch_i3d_state()
    del incomplete['Mixed_5c.b3b.conv3d.weight']
    torch.save(incomplete, tmp_path / 'cut.pt')
    proc = run_tool('tools/convert_i3d_checkpoint.py', tmp_path / 'cut.pt',
                    tmp_path / 'out.pth', check=False)
    assert proc.returncode == 2 and 'Mixed_5c.b3b.conv3d.weight' in proc.stderr
    assert not (tmp_path / 'out.pth').exists()


def test_rgb_weights_for_the_flow_backbone_are_a_clear_error(tmp_path):
    torch.save(pytorch_i3d_state(), tmp_path / 'rgb_imagenet.pt')
    flow = InceptionI3d(in_channels=2, pretrained=str(
        tmp_path / 'rgb_imagenet.pt'), pretrained2d=False)
    with pytest.raises(DanceStyleError, match='3-channel clips, the '
                       'backbone 2'):
        flow.init_weights()


# ---- inflation from a 2D Inception-v1 -----------------------------------------

def googlenet_state(seed=0):
    """A random state dict in torchvision's GoogLeNet layout, aux heads and
    fc included (inflation ignores them)."""
    gen = torch.Generator().manual_seed(seed)
    state = {}

    def conv(name, cin, cout, k):
        state[f'{name}.conv.weight'] = torch.randn(cout, cin, k, k,
                                                   generator=gen)
        state[f'{name}.bn.weight'] = torch.rand(cout, generator=gen) + 0.5
        state[f'{name}.bn.bias'] = torch.randn(cout, generator=gen)
        state[f'{name}.bn.running_mean'] = torch.randn(cout, generator=gen)
        state[f'{name}.bn.running_var'] = torch.rand(cout, generator=gen) + 1
        state[f'{name}.bn.num_batches_tracked'] = torch.tensor(7)

    conv('conv1', 3, 64, 7)
    conv('conv2', 64, 64, 1)
    conv('conv3', 64, 192, 3)
    names = ['inception3a', 'inception3b', 'inception4a', 'inception4b',
             'inception4c', 'inception4d', 'inception4e', 'inception5a',
             'inception5b']
    for name, (cin, b0, b1a, b1b, b2a, b2b, b3) in zip(names, PUBLIC_BLOCKS):
        conv(f'{name}.branch1', cin, b0, 1)
        conv(f'{name}.branch2.0', cin, b1a, 1)
        conv(f'{name}.branch2.1', b1a, b1b, 3)
        conv(f'{name}.branch3.0', cin, b2a, 1)
        conv(f'{name}.branch3.1', b2a, b2b, 3)  # torchvision's 3x3 "5x5"
        conv(f'{name}.branch4.1', cin, b3, 1)
    state['aux1.conv.conv.weight'] = torch.zeros(128, 512, 1, 1)
    state['fc.weight'] = torch.zeros(1000, 1024)
    state['fc.bias'] = torch.zeros(1000)
    return state


def test_inflation_repeats_2d_kernels_over_time(tmp_path):
    state = googlenet_state()
    path = tmp_path / 'googlenet-1378be20.pth'
    torch.save(state, path)
    model = InceptionI3d(pretrained=str(path), pretrained2d=True)
    model.init_weights()
    stem = model.Conv3d_1a_7x7.conv3d.weight.detach()
    assert stem.shape == (64, 3, 7, 7, 7)
    assert torch.allclose(stem.sum(dim=2), state['conv1.conv.weight'],
                          atol=1e-5)
    assert torch.equal(model.Mixed_4c.b2b.bn.running_mean,
                       state['inception4b.branch3.1.bn.running_mean'])

    # a video of one repeated frame gives the 2D network's response (away
    # from the temporal border, where "SAME" padding adds zero frames)
    frame = torch.randn(1, 3, 32, 32)
    video = frame.unsqueeze(2).repeat(1, 1, 16, 1, 1)
    with torch.no_grad():
        out3d = F.conv3d(F.pad(video, (2, 3, 2, 3, 2, 3)), stem, stride=2)
        out2d = F.conv2d(F.pad(frame, (2, 3, 2, 3)),
                         state['conv1.conv.weight'], stride=2)
    assert torch.allclose(out3d[:, :, 3], out2d, atol=1e-4)

    # optical flow: each of the 2 input channels starts from the RGB mean
    flow = InceptionI3d(in_channels=2, pretrained=str(path))
    flow.init_weights()
    flow_stem = flow.Conv3d_1a_7x7.conv3d.weight.detach().sum(dim=2)
    mean_rgb = state['conv1.conv.weight'].mean(dim=1)
    assert torch.allclose(flow_stem[:, 0], mean_rgb, atol=1e-5)
    assert torch.allclose(flow_stem[:, 1], mean_rgb, atol=1e-5)


@pytest.mark.kernel_free  # weights and files, no kernel computes them
def test_inflation_refuses_a_3d_checkpoint(tmp_path):
    torch.save(pytorch_i3d_state(), tmp_path / 'rgb_imagenet.pt')
    model = InceptionI3d(pretrained=str(tmp_path / 'rgb_imagenet.pt'))
    with pytest.raises(DanceStyleError, match='pretrained2d=False'):
        model.init_weights()
    # ... which loads as the 3D checkpoint it is
    model = InceptionI3d(pretrained=str(tmp_path / 'rgb_imagenet.pt'),
                         pretrained2d=False)
    model.init_weights()
    assert torch.equal(model.Mixed_3b.b0.conv3d.weight,
                       pytorch_i3d_state()['Mixed_3b.b0.conv3d.weight'])


def test_motion_stem_filters_are_blind_to_a_still_scene():
    torch.manual_seed(0)
    plain = InceptionI3d()
    plain.init_weights()
    torch.manual_seed(0)
    moving = InceptionI3d(stem_motion_share=0.5)
    moving.init_weights()
    before = plain.Conv3d_1a_7x7.conv3d.weight
    after = moving.Conv3d_1a_7x7.conv3d.weight
    # the same random draw, reshaped: the spatial part is the mean over time
    # of the random taps, and the tensor keeps its norm
    assert torch.allclose(after.norm(), before.norm())
    ratio = after.mean(dim=2)[32:] / before.mean(dim=2)[32:]
    assert torch.allclose(ratio, ratio.flatten()[0].expand_as(ratio),
                          rtol=1e-4)
    # a still scene (one frame repeated) gives exactly nothing from the 32
    # derivative filters away from the clip's ends, and something from the
    # 32 flat ones; a moving one passes both
    still = torch.randn(1, 3, 1, 32, 32).expand(1, 3, 15, 32, 32)
    with torch.no_grad():
        out = F.conv3d(still, after, stride=(1, 2, 2))
        assert out[:, :32].abs().max() < 1e-5 * out[:, 32:].abs().max()
        moving_scene = torch.randn(1, 3, 15, 32, 32)
        out = F.conv3d(moving_scene, after, stride=(1, 2, 2))
        assert out[:, :32].abs().mean() > 0.1 * out[:, 32:].abs().mean()
    # only the starting weights differ: same tensors, same shapes
    assert {k: v.shape for k, v in moving.state_dict().items()} == {
        k: v.shape for k, v in plain.state_dict().items()}
    assert torch.equal(moving.Mixed_3b.b0.conv3d.weight,
                       plain.Mixed_3b.b0.conv3d.weight)


def test_motion_stem_gives_way_to_pretrained_weights(tmp_path):
    state = pytorch_i3d_state()
    path = tmp_path / 'i3d.pt'
    torch.save(state, path)
    backbone = InceptionI3d(pretrained=str(path), pretrained2d=False,
                            stem_motion_share=0.5)
    backbone.init_weights()
    assert torch.equal(backbone.Conv3d_1a_7x7.conv3d.weight,
                       state['Conv3d_1a_7x7.conv3d.weight'])


@pytest.mark.parametrize('share', [-0.1, 1.5])
def test_motion_stem_share_out_of_range_is_refused(share):
    with pytest.raises(ValueError, match='stem_motion_share'):
        InceptionI3d(stem_motion_share=share)


def test_configs_build_the_two_streams():
    from mmengine.config import Config
    rgb = Config.fromfile(REPO / 'configs' / 'i3d_inception_rgb_dance.py')
    flow = Config.fromfile(REPO / 'configs' / 'i3d_inception_flow_dance.py')
    assert rgb.model.backbone.type == flow.model.backbone.type == (
        'InceptionI3d')
    assert (rgb.model.backbone.in_channels,
            flow.model.backbone.in_channels) == (3, 2)
    assert flow.train_dataloader.dataset.modality == 'Flow'
    from mmaction.registry import MODELS
    from mmengine.registry import init_default_scope
    init_default_scope('mmaction')
    model = MODELS.build(flow.model).eval()
    with torch.no_grad():
        # N x views x C x T x H x W, as the data preprocessor packs it
        features = model.extract_feat(torch.randn(1, 1, 2, 8, 32, 32))[0]
        scores = model.cls_head(features)
    assert scores.shape == (1, 19)
    # the test views of both streams match, so that they fuse clip by clip
    rgb_views = [s for s in rgb.test_pipeline if s.type == 'SampleFrames']
    flow_views = [s for s in flow.test_pipeline if s.type == 'SampleFrames']
    assert rgb_views == flow_views


# its figures are a tool's bookkeeping, not a comparison of the kernels' results;
# make test-avx2 leaves it out (and with it the dataset it is the lane's only
# user of: 8 s of that lane's 34)
@pytest.mark.kernel_free
def test_diagnose_training_measures_every_block(easy_dataset, tmp_path):
    """tools/diagnose_training.py (docs/two_stream.md's measurements): a
    few real steps of the RGB stream's config, with every block's gradient
    and activations recorded."""
    import json
    out = tmp_path / 'records.json'
    proc = run_tool('tools/diagnose_training.py',
                    REPO / 'tests/configs/tiny_inception_rgb.py', '--iters',
                    '3', '--every', '2', '--data-root', easy_dataset,
                    '--json', out)
    assert 'input after the preprocessor' in proc.stdout
    records = json.loads(out.read_text())
    assert [r['step'] for r in records] == [1, 2]
    first = records[0]
    assert math.isfinite(first['loss']) and first['lr'] > 0
    # the signal reaches every block with weights, stem included
    for name in ['Conv3d_1a_7x7', 'Conv3d_2c_3x3', *BLOCK_NAMES,
                 'cls_head']:
        assert first['grad_norm'][name] > 0, name
        assert 0 < first['relative_step'][name] < 1, name
    for name in ['Conv3d_1a_7x7', *BLOCK_NAMES]:
        stats = first['activations'][name]
        assert 0 <= stats['zeros'] < 1 and stats['batch_std'] > 0, name
