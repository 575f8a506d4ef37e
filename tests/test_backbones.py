"""The Kinetics-pretrained video transformers (UniFormerV2-B/16, VideoMAE V2
ViT-S and ViT-B): full-size builds and model-zoo layouts loading with the
head sliced by name; no download at build time; the offline message; and
train, test and predict through the tools at test size on synthetic clips,
warm-started from a generated zoo-layout checkpoint."""
import json
import re
import socket

import pytest
import torch
from mmengine.config import Config

from support import REPO, run_tool, slow_fixture
from dance_style.resources import split_lists_dir
from dance_style.classes import DANCE19_CLASSES
from dance_style.kinetics_heads import kinetics_classes, slice_head

# config -> (parameters in millions with 19 classes, rows of its zoo head)
FULL_SIZE = {
    'uniformerv2_b16_k710_dance.py': (114.26, 700),
    'videomaev2_vit_b_dance.py': (86.24, 400),
    'videomaev2_vit_s_dance.py': (21.89, 400),
}
TINY = {'tiny_uniformerv2.py': 700, 'tiny_videomaev2.py': 400}
HEAD = ('cls_head.fc_cls.weight', 'cls_head.fc_cls.bias')


def build(cfg):
    from mmaction.registry import MODELS
    from mmengine.registry import init_default_scope
    init_default_scope('mmaction')
    return MODELS.build(cfg.model)


def zoo_state(cfg, rows, seed=0):
    """A model-zoo checkpoint's tensors for ``cfg``'s architecture: its own
    state dict with a ``rows``-class head, every tensor random."""
    cfg = Config(cfg.to_dict())
    cfg.model.cls_head.num_classes = rows
    generator = torch.Generator().manual_seed(seed)
    state = build(cfg).state_dict()
    return {k: (torch.randn(v.shape, generator=generator) * 0.02
                if v.is_floating_point() else v) for k, v in state.items()}


def assert_rows_by_name(head, source, rows, atol=0.0):
    names = kinetics_classes(f'k{rows}')
    for label, name in enumerate(DANCE19_CLASSES):
        if name in names:
            assert torch.allclose(head[label], source[names.index(name)],
                                  atol=atol, rtol=0), name


@pytest.mark.parametrize('name', FULL_SIZE)
def test_full_size_zoo_layout_loads_with_the_head_sliced(name):
    params, rows = FULL_SIZE[name]
    cfg = Config.fromfile(REPO / 'configs' / name)
    model = build(cfg)
    assert round(sum(p.numel() for p in model.parameters()) / 1e6, 2) == \
        params
    state = zoo_state(cfg, rows)
    source = {k: state[k].clone() for k in HEAD}
    info = slice_head(state, model.state_dict(), label_map=f'k{rows}')
    assert info['layout'] == f'k{rows}'
    # every tensor of the zoo layout, in its shape: a strict load
    model.load_state_dict(state, strict=True)
    loaded = model.state_dict()
    for key in HEAD:
        assert_rows_by_name(loaded[key], source[key], rows)
    assert len(info['fresh']) == (4 if rows == 400 else 0)


def test_recipes_follow_their_authors():
    uniformer = Config.fromfile(REPO / 'configs' /
                                'uniformerv2_b16_k710_dance.py')
    assert uniformer.model.backbone.clip_pretrained is False
    # the authors' new-label-set recipe (exp/mit/mit_b16_f8x224): 2e-5 per
    # 512 clips, 24 epochs (tests/test_transfer_rehearsal.py: it trains)
    assert uniformer.optim_wrapper.optimizer.lr == pytest.approx(2e-5)
    assert uniformer.auto_scale_lr == dict(enable=True, base_batch_size=512)
    assert uniformer.train_cfg.max_epochs == 24
    assert [s['clip_len'] for s in (uniformer.test_pipeline[1],
                                    uniformer.train_pipeline[1])] == [8, 8]
    assert 'kinetics700-rgb' in uniformer.load_from
    for name in ('videomaev2_vit_b_dance.py', 'videomaev2_vit_s_dance.py'):
        cfg = Config.fromfile(REPO / 'configs' / name)
        assert cfg.optim_wrapper.constructor == \
            'LearningRateDecayOptimizerConstructor'
        assert cfg.optim_wrapper.paramwise_cfg.decay_rate == 0.75
        assert cfg.model.backbone.drop_path_rate == 0.1
        assert cfg.model.cls_head.label_smooth_eps == 0.1
        assert cfg.model.data_preprocessor.blending.type == \
            'RandomBatchAugment'
        assert ('videomaev2-vit-g-dist-k710-pre' in cfg.load_from
                and 'kinetics-400' in cfg.load_from)
    small = Config.fromfile(REPO / 'configs' / 'videomaev2_vit_s_dance.py')
    assert 'vit-small' in small.load_from and '25c748fd' in small.load_from


def test_building_downloads_nothing(monkeypatch):
    """clip_pretrained=False and no `pretrained`: the whole network comes
    from load_from, so initialising the weights opens no connection."""
    def refuse(*args, **kwargs):
        raise AssertionError(f'network use at build time: {args}')
    monkeypatch.setattr(socket.socket, 'connect', refuse)
    # the ViT-B differs from the ViT-S in widths only
    for name in ('uniformerv2_b16_k710_dance.py', 'videomaev2_vit_s_dance.py'):
        build(Config.fromfile(REPO / 'configs' / name)).init_weights()


def test_zoo_checkpoint_offline_gets_the_clear_message(easy_dataset,
                                                       tmp_path):
    # a proxy on loopback port 9 refuses at once: the path of a machine
    # without network, without sending anything off this machine
    proxy = 'http://127.0.0.1:9'
    proc = run_tool('tools/train.py', 'configs/uniformerv2_b16_k710_dance.py',
                    '--work-dir',
                    tmp_path, '--data-root', easy_dataset, check=False,
                    env={'https_proxy': proxy, 'HTTPS_PROXY': proxy,
                         'no_proxy': None, 'NO_PROXY': None,
                         'TORCH_HOME': str(tmp_path / 'torch home')})
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert 'cannot download https://download.openmmlab.com/' in proc.stderr
    assert 'without network, download it elsewhere and put it at ' + str(
        tmp_path / 'torch home' / 'hub' / 'checkpoints') in proc.stderr
    assert 'load_from=None' in proc.stderr
    assert 'Traceback' not in proc.stderr


@slow_fixture(scope='module', params=sorted(TINY))
def tiny_run(request, easy_dataset, tmp_path_factory):
    """One epoch of a test-size config, warm-started from a
    generated checkpoint in its model-zoo layout."""
    folder = tmp_path_factory.mktemp(request.param.split('.')[0])
    config = REPO / 'tests' / 'configs' / request.param
    rows = TINY[request.param]
    state = zoo_state(Config.fromfile(config), rows)
    checkpoint = folder / f'zoo_k{rows}.pth'
    torch.save({'meta': {'epoch': 30}, 'state_dict': state}, checkpoint)
    proc = run_tool('tools/train.py', config, '--work-dir', folder / 'work',
                    '--data-root', easy_dataset, '--seed', '0',
                    '--cfg-options', f'load_from={checkpoint}',
                    f'head_label_map=k{rows}',
                    # one epoch: the run keeps the warm-up, drops the rest
                    'train_cfg.max_epochs=1')
    return dict(config=config, rows=rows, state=state, work=folder / 'work',
                log=proc.stdout + proc.stderr, data=easy_dataset,
                folder=folder)


def test_tiny_backbone_trains_from_the_sliced_head(tiny_run):
    log, rows = tiny_run['log'], tiny_run['rows']
    assert (f'rows taken by class name from the {rows}-row head (label map '
            f'k{rows})' in log), log[-3000:]
    assert re.search(r'tensors loaded, 0 skipped', log)
    assert '0 missing from the checkpoint' in log
    trained = torch.load(tiny_run['work'] / 'epoch_1.pth',
                         map_location='cpu')['state_dict']
    # one epoch at the recipe's (batch-scaled, warming-up) lr barely moves
    # the weights: the head still holds the zoo's rows of our classes
    for key in HEAD:
        assert trained[key].shape[0] == 19
        assert_rows_by_name(trained[key], tiny_run['state'][key], rows,
                            atol=1e-3)
    assert all(torch.isfinite(v).all() for v in trained.values()
               if v.is_floating_point())


def test_tiny_backbone_tests_and_predicts(tiny_run):
    checkpoint = tiny_run['work'] / 'epoch_1.pth'
    proc = run_tool('tools/test.py', tiny_run['config'], checkpoint,
                    '--work-dir', tiny_run['folder'] / 'test',
                    '--data-root', tiny_run['data'])
    for name in ('top-1', 'top-5', 'mean class accuracy'):
        assert re.search(rf'{name}:\s+[\d.]+ %', proc.stdout), proc.stdout
    video = tiny_run['data'] / (split_lists_dir(tiny_run['data']) /
                                'dance19_test.txt').read_text().split(
                                    '\n')[0].rsplit(' ', 1)[0]
    proc = run_tool('tools/predict.py', tiny_run['config'], checkpoint,
                    video, '--top-k', '3', '--json')
    predictions = json.loads(proc.stdout)[0]['predictions']
    assert len(predictions) == 3
    assert sum(p['probability'] for p in predictions) <= 1.0 + 1e-6
    assert all(p['name'] in DANCE19_CLASSES for p in predictions)
