"""Checkpoints that do not fit the config are refused wherever a model gives
answers (predict, its timeline, the web page, tools/test.py), after a
Kinetics head is sliced; those that fit still load. No training: the
checkpoints are freshly built models saved in mmengine's layout."""
from pathlib import Path

import pytest
import torch

from support import REPO, TINY_CONFIG, run_tool
from dance_style.errors import DanceStyleError
from test_cli_errors import assert_clear_error

OTHER_MODEL = REPO / 'tests' / 'configs' / 'tiny_inception_rgb.py'
# the tiny NL config at another width: every name fits, shapes do not
OTHER_WIDTH = {'model.backbone.base_channels': 16,
               'model.cls_head.in_channels': 512}
CAUSE = 'base_channels=32: pass the same options'


def build_model(config: Path, options=None):
    from mmaction.apis import init_recognizer

    from dance_style.config import load_config
    from dance_style.register import register_all_modules
    register_all_modules(init_default_scope=False)
    cfg = load_config(str(config))
    if options:
        cfg.merge_from_dict(options)
    torch.manual_seed(0)
    return init_recognizer(cfg, None, device='cpu')


def save(path: Path, state: dict, **meta) -> Path:
    """A Runner checkpoint's layout, as tools/train.py writes it."""
    torch.save({'meta': {'epoch': 1, **meta}, 'state_dict': state}, path)
    return path


@pytest.fixture(scope='module')
def checkpoints(tmp_path_factory):
    folder = tmp_path_factory.mktemp('strict loading')
    fitting = build_model(TINY_CONFIG).state_dict()
    # a zoo-layout file of this model: a 400-row Kinetics head, and no
    # BatchNorm step counters (as files converted from old PyTorch)
    kinetics = {k: v for k, v in fitting.items()
                if not k.endswith('num_batches_tracked')}
    generator = torch.Generator().manual_seed(1)
    kinetics['cls_head.fc_cls.weight'] = torch.randn(
        400, fitting['cls_head.fc_cls.weight'].shape[1], generator=generator)
    kinetics['cls_head.fc_cls.bias'] = torch.randn(400, generator=generator)
    return dict(
        fitting=save(folder / 'fitting.pth', fitting),
        # its head's class order named in its meta, as
        # tools/convert_i3d_checkpoint.py writes it
        kinetics=save(folder / 'kinetics400.pth', kinetics,
                      head_label_map='k400'),
        unnamed=save(folder / 'unnamed400.pth', kinetics),
        other_model=save(folder / 'inception.pth',
                         build_model(OTHER_MODEL).state_dict()),
        other_width=save(folder / 'narrow.pth', build_model(
            TINY_CONFIG, OTHER_WIDTH).state_dict()))


def refusal(config, checkpoint) -> str:
    from dance_style.errors import DanceStyleError
    from dance_style.predict import load_recognizer
    with pytest.raises(DanceStyleError) as error:
        load_recognizer(str(config), str(checkpoint))
    return str(error.value)


def test_checkpoint_of_another_model_is_refused(checkpoints):
    message = refusal(TINY_CONFIG, checkpoints['other_model'])
    assert f'{checkpoints["other_model"]} does not fit {TINY_CONFIG}' \
        in message
    # the counts, then the first names of each kind
    assert ' tensors of the model missing from the checkpoint, ' in message
    assert '  missing: backbone.conv1.conv.weight' in message
    assert '  unexpected: backbone.Conv3d_1a_7x7' in message
    assert 'checkpoint of another model or another config' in message
    assert CAUSE in message


def test_checkpoint_at_another_width_is_refused(checkpoints):
    message = refusal(TINY_CONFIG, checkpoints['other_width'])
    assert '0 tensors of the model missing from the checkpoint, 0 in the ' \
        'checkpoint that the model lacks' in message
    # checkpoint -> model, as the transfer summary writes it
    assert '  other shape: backbone.conv1.conv.weight [16, 3, 5, 7, 7]->' \
        '[32, 3, 5, 7, 7]' in message
    assert CAUSE in message


def test_fitting_checkpoints_load_every_tensor(checkpoints):
    from dance_style.predict import load_recognizer
    saved = torch.load(checkpoints['fitting'], weights_only=True)
    model = load_recognizer(str(TINY_CONFIG), str(checkpoints['fitting']))
    state = model.state_dict()
    assert state.keys() == saved['state_dict'].keys()
    assert all(torch.equal(state[k], v)
               for k, v in saved['state_dict'].items())

    # the zero-training baseline: strict after the head is sliced by name,
    # without BatchNorm step counters
    from dance_style.classes import DANCE19_CLASSES
    from dance_style.kinetics_heads import head_rows, kinetics_classes
    zoo = torch.load(checkpoints['kinetics'], weights_only=True)['state_dict']
    model = load_recognizer(str(TINY_CONFIG), str(checkpoints['kinetics']))
    weight = model.state_dict()['cls_head.fc_cls.weight']
    rows = head_rows(kinetics_classes('k400'), DANCE19_CLASSES)
    taken = [(label, row) for label, row in enumerate(rows) if row is not None]
    assert len(taken) == 15
    assert all(torch.equal(weight[label], zoo['cls_head.fc_cls.weight'][row])
               for label, row in taken)
    assert torch.equal(model.state_dict()['backbone.conv1.conv.weight'],
                       zoo['backbone.conv1.conv.weight'])
    # the same head with nothing naming its class order: refused
    with pytest.raises(DanceStyleError, match='400-row classifier head'):
        load_recognizer(str(TINY_CONFIG), str(checkpoints['unnamed']))


@pytest.mark.parametrize('tool', ['predict', 'timeline', 'serve', 'test'])
def test_tools_refuse_a_checkpoint_of_another_model(checkpoints, tool,
                                                    tmp_path):
    checkpoint = checkpoints['other_model']
    args = {
        # the model loads before any video is opened
        'predict': ('tools/predict.py', TINY_CONFIG, checkpoint,
                    tmp_path / 'clip.mp4'),
        'timeline': ('tools/predict.py', TINY_CONFIG, checkpoint,
                     tmp_path / 'clip.mp4', '--timeline', '--out-dir',
                     tmp_path),
        # the web page: refused at start-up, before it listens
        'serve': ('tools/serve.py', TINY_CONFIG, checkpoint, '--work-dir',
                  tmp_path, '--port', '1'),
        # before any data is read
        'test': ('tools/test.py', TINY_CONFIG, checkpoint, '--work-dir',
                 tmp_path),
    }[tool]
    proc = run_tool(*args, check=False, timeout=300)
    assert_clear_error(proc, f'{checkpoint} does not fit', '  missing: ',
                       '  unexpected: ', CAUSE)
