"""Every config loads and builds; the study's numbers and the label map agree."""
import pytest
from mmengine.config import Config

from support import REPO
from dance_style.classes import DANCE19_CLASSES, load_label_map
CONFIGS = sorted(
    p for p in (REPO / 'configs').rglob('*.py') if '_base_' not in p.parts)
CONFIGS += sorted((REPO / 'tests' / 'configs').glob('tiny_*.py'))


def build_model(cfg):
    from mmaction.registry import MODELS
    from mmengine.registry import init_default_scope
    init_default_scope('mmaction')
    return MODELS.build(cfg.model)


def millions(model):
    return round(sum(p.numel() for p in model.parameters()) / 1e6, 2)


@pytest.mark.parametrize('path', CONFIGS, ids=lambda p: p.name)
def test_config_loads_and_builds(path):
    cfg = Config.fromfile(path)
    model = build_model(cfg)
    assert model.cls_head.num_classes == 19
    assert cfg.custom_imports['imports'] == ['dance_style.register']
    for split in ('train', 'val', 'test'):
        dataset = cfg[f'{split}_dataloader'].dataset
        # our checked datasets: videos, or rawframes for the flow stream
        assert dataset.type == ('DanceRawframeDataset' if dataset.get(
            'modality') == 'Flow' else 'DanceVideoDataset')
        loader = cfg[f'{split}_dataloader']
        # persistent_workers with num_workers=0 raises in PyTorch
        assert loader.num_workers > 0 or not loader.persistent_workers


def test_no_config_references_mmaction_package_files():
    # project-own bases only: mmaction:: needs pkg_resources (removed in setuptools 82)
    for path in (REPO / 'configs').rglob('*.py'):
        assert 'mmaction::' not in path.read_text(), path


@pytest.mark.parametrize('name, params', [
    ('i3d_nl_dance.py', 34.62), ('i3d_r50_dance.py', 27.26),
    # Inception-v1 I3D with a 19-class head (12.70M at 400 classes,
    # tests/test_inception_i3d.py); flow: 2 input channels
    ('i3d_inception_rgb_dance.py', 12.31),
    ('i3d_inception_flow_dance.py', 12.28)])
def test_parameter_counts_match_model_zoo(name, params):
    assert millions(build_model(Config.fromfile(REPO / 'configs' / name))) \
        == params


def test_study_hyper_parameters():
    nl = Config.fromfile(REPO / 'configs' / 'i3d_nl_dance.py')
    assert nl.optim_wrapper.optimizer.type == 'SGD'
    assert nl.optim_wrapper.optimizer.lr == pytest.approx(7.87e-4)
    assert nl.model.cls_head.dropout_ratio == pytest.approx(0.2966)
    assert nl.train_cfg.max_epochs == 10
    assert nl.model.backbone.non_local_cfg.mode == 'dot_product'
    assert 'nl-dot-product' in nl.load_from
    r50 = Config.fromfile(REPO / 'configs' / 'i3d_r50_dance.py')
    assert r50.optim_wrapper.optimizer.lr == pytest.approx(1e-2)
    assert r50.train_cfg.max_epochs == 3
    assert 'r50_8xb8' in r50.load_from
    assert 'non_local' not in r50.model.backbone
    for cfg in (nl, r50):
        # whole models come from load_from; torchvision:// would need
        # torchvision and the network (mmaction2's default, torchvision://resnet50)
        assert cfg.model.backbone.pretrained is None


def test_i3d_pipelines_match_mmaction2():
    cfg = Config.fromfile(REPO / 'configs' / 'i3d_nl_dance.py')
    sample = {s: next(t for t in cfg[f'{s}_dataloader'].dataset.pipeline
                      if t.type == 'SampleFrames')
              for s in ('train', 'val', 'test')}
    assert (sample['train'].clip_len, sample['train'].frame_interval,
            sample['train'].num_clips) == (32, 2, 1)
    assert sample['test'].num_clips == 10
    test_types = [t.type for t in cfg.test_dataloader.dataset.pipeline]
    assert 'ThreeCrop' in test_types
    assert cfg.model.cls_head.average_clips == 'prob'


def test_label_map_matches_study_order_and_configs():
    names = load_label_map(REPO / 'annotations' / 'label_map.txt')
    assert names == list(DANCE19_CLASSES)
    assert len(names) == 19
    assert names[0] == 'belly dancing' and names[18] == 'zumba'
    assert names[12] == 'robot dancing'
    for path in CONFIGS:
        cfg = Config.fromfile(path)
        assert cfg.model.cls_head.num_classes == len(names), path


def test_online_augmentation_pipeline_runs_on_a_real_clip(tmp_path):
    """The study's augmentations as online transforms decode, transform and
    pack a real video (ColorJitter included: compat fix 4)."""
    import numpy as np
    from mmengine.dataset import Compose
    from mmengine.registry import init_default_scope

    from dance_style.synthetic import clip_rng, render_clip
    from dance_style.video import write_video
    init_default_scope('mmaction')
    video = tmp_path / 'clip.mp4'
    write_video(video, render_clip(18, clip_rng(0, 18, 0), (64, 80), 70, 30.0),
                30.0)
    cfg = Config.fromfile(REPO / 'configs' / 'i3d_nl_dance_online_aug.py')
    types = [t.type for t in cfg.train_dataloader.dataset.pipeline]
    assert {'ColorJitter', 'GaussianNoise'} <= set(types)
    assert [t.get('direction', 'horizontal') for t in
            cfg.train_dataloader.dataset.pipeline if t.type == 'Flip'] == [
                'horizontal', 'vertical']
    pipeline = Compose(cfg.train_dataloader.dataset.pipeline)
    np.random.seed(0)
    for _ in range(4):  # both hue directions, with and without noise
        packed = pipeline(dict(filename=str(video), label=18, start_index=0,
                               modality='RGB'))
        assert tuple(packed['inputs'].shape) == (1, 3, 32, 224, 224)


def test_progress_bars_only_on_a_terminal(monkeypatch):
    """The bar switches itself off where nobody watches (a log, a pipe, a
    test's captured output), so no config drops it from custom_hooks."""
    import sys

    from dance_style.hooks import ProgressBarHook

    class Runner:  # what before_train reads
        max_iters, iter = 10, 0

    monkeypatch.delenv('DANCE_STYLE_PROGRESS', raising=False)
    monkeypatch.setattr(sys.stderr, 'isatty', lambda: False, raising=False)
    quiet = ProgressBarHook()
    quiet.before_train(Runner())
    assert not quiet.enabled and quiet._train_bar is None
    monkeypatch.setattr(sys.stderr, 'isatty', lambda: True, raising=False)
    assert ProgressBarHook().enabled
    monkeypatch.setenv('DANCE_STYLE_PROGRESS', '0')
    assert not ProgressBarHook().enabled
    monkeypatch.setattr(sys.stderr, 'isatty', lambda: False, raising=False)
    monkeypatch.setenv('DANCE_STYLE_PROGRESS', '1')
    assert ProgressBarHook().enabled


def test_test_configs_keep_the_runtime_hooks():
    """Test configs state only what differs: the runtime's hooks, whole."""
    runtime = Config.fromfile(REPO / 'configs' / '_base_' /
                              'default_runtime.py').custom_hooks
    for path in sorted((REPO / 'tests' / 'configs').glob('tiny_*.py')):
        assert Config.fromfile(path).custom_hooks == runtime, path.name


ALL_CONFIGS = sorted((REPO / 'configs').rglob('*.py')) + sorted(
    (REPO / 'tests' / 'configs').rglob('*.py'))


@pytest.mark.parametrize('path', ALL_CONFIGS,
                         ids=lambda p: str(p.relative_to(REPO)))
def test_config_helpers_stay_out_of_the_config(path):
    """A config's own helpers (the steps its pipelines are built from) are
    named with two leading underscores, which mmengine leaves out of the
    config; a name with one would be dumped into every work dir."""
    assert not [key for key in Config.fromfile(path) if key.startswith('_')]


@pytest.mark.parametrize('video, flow', [
    ('synthetic_video.py', 'synthetic_flow.py'),
    ('dance19_video.py', 'dance19_flow.py')])
def test_flow_bases_are_the_video_bases_on_frame_folders(video, flow):
    """The flow bases inherit the video ones: the same loaders and metrics,
    reading frame folders only; the synthetic streams take the same views,
    so that they fuse view for view."""
    bases = REPO / 'configs' / '_base_' / 'datasets'
    video, flow = Config.fromfile(bases / video), Config.fromfile(bases / flow)
    for split in ('train', 'val', 'test'):
        loader = flow[f'{split}_dataloader']
        assert loader.dataset.data_prefix == {'img': flow.data_root}
        assert loader.dataset.modality == 'Flow'
        assert {k: v for k, v in loader.items() if k != 'dataset'} == {
            k: v for k, v in video[f'{split}_dataloader'].items()
            if k != 'dataset'}
    assert flow.val_evaluator == video.val_evaluator
    if flow.data_root == video.data_root == 'data/synthetic_dance19':
        def views(pipeline):
            return [s for s in pipeline if s.type not in (
                'DecordInit', 'DecordDecode', 'RawFrameDecode')]
        for split in ('train', 'val', 'test'):
            steps = views(flow[f'{split}_pipeline'])
            assert [dict(s, type='Flip') if s.type == 'FlowFlip' else s
                    for s in steps] == views(video[f'{split}_pipeline'])


def test_prepare_loads_points_at_the_data_and_applies_overrides(tmp_path):
    """dance_style.config.prepare, what every tool calls: the data root
    reaches every split, --cfg-options win (over the data root too), and a
    wrong path fails with the tools' message."""
    from dance_style.config import prepare
    from dance_style.errors import DanceStyleError
    root = str(tmp_path / 'my data')
    cfg = prepare(REPO / 'configs' / 'i3d_inception_flow_dance.py',
                  data_root=root,
                  cfg_options={'train_cfg.max_epochs': 2,
                               'test_dataloader.dataset.ann_file': 'x.txt'})
    for split in ('train', 'val', 'test'):
        dataset = cfg[f'{split}_dataloader'].dataset
        assert dataset.data_prefix == {'img': root}
        if split != 'test':
            assert dataset.ann_file == \
                f'{root}/annotations/dance19_flow_{split}.txt'
    assert cfg.test_dataloader.dataset.ann_file == 'x.txt'
    assert cfg.train_cfg.max_epochs == 2
    # a config a tool has already changed: the root and overrides only
    assert prepare(cfg, cfg_options={'train_cfg.max_epochs': 3}) is cfg
    assert cfg.train_cfg.max_epochs == 3
    with pytest.raises(DanceStyleError, match='config file not found: '
                       'configs/no_such.py\nConfigs live in configs/'):
        prepare('configs/no_such.py', data_root=root)


def test_config_text_is_formatted_once_as_yapf_formats_it():
    """dance_style.config_text: mmengine formats the same config text at
    every log, dump and checkpoint; the cache returns yapf's own result, and
    a changed config is formatted anew."""
    from mmengine.config import config as config_module
    from yapf.yapflib.yapf_api import FormatCode

    from dance_style.config_text import _memoized
    from support import TINY_CONFIG
    # every tool's register_all_modules() installed it (conftest calls it)
    assert getattr(config_module.FormatCode, 'memoized', False)
    cfg = Config.fromfile(TINY_CONFIG)
    installed = config_module.FormatCode
    calls = []

    def counted(text, **options):
        calls.append(text)
        return FormatCode(text, **options)

    try:
        config_module.FormatCode = FormatCode  # yapf, uncached
        plain = cfg.pretty_text
        config_module.FormatCode = _memoized(counted)
        assert [cfg.pretty_text for _ in range(3)] == [plain] * 3
        assert len(calls) == 1
        cfg.train_cfg.max_epochs = 3
        changed = cfg.pretty_text
        assert changed != plain and 'max_epochs=3' in changed
        assert len(calls) == 2
    finally:
        config_module.FormatCode = installed
