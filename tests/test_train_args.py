"""How tools/train.py's flags change a config (no training here)."""
import pytest
import torch
from mmengine.config import Config

from dance_style.errors import DanceStyleError
from dance_style.train import apply_train_args

CONFIG = 'configs/i3d_nl_dance.py'


def args(tmp_path, **kwargs):
    cfg = Config.fromfile(CONFIG)
    return apply_train_args(cfg, CONFIG, work_dir=str(tmp_path), **kwargs)


def test_resume_without_a_checkpoint_keeps_load_from(tmp_path, capsys):
    cfg = args(tmp_path, resume='auto')
    assert not cfg.resume
    assert 'kinetics400' in cfg.load_from  # the K400 weights still load
    assert 'no checkpoint' in capsys.readouterr().err


def test_resume_picks_the_latest_checkpoint(tmp_path):
    (tmp_path / 'epoch_3.pth').write_bytes(b'')
    (tmp_path / 'last_checkpoint').write_text(str(tmp_path / 'epoch_3.pth'))
    cfg = args(tmp_path, resume='auto')
    assert cfg.resume and cfg.load_from == str(tmp_path / 'epoch_3.pth')


def test_seed_and_default_randomness(tmp_path):
    assert args(tmp_path).randomness == {'seed': None}
    assert args(tmp_path, seed=3, deterministic=True).randomness == {
        'seed': 3, 'deterministic': True}


def test_auto_scale_lr_and_no_validate(tmp_path):
    cfg = args(tmp_path, auto_scale_lr=True, no_validate=True)
    assert cfg.auto_scale_lr == {'enable': True, 'base_batch_size': 64}
    assert cfg.val_cfg is None and cfg.val_dataloader is None


def test_cfg_options_win(tmp_path):
    cfg = args(tmp_path, seed=1, cfg_options={'randomness.seed': 5})
    assert cfg.randomness.seed == 5


@pytest.mark.parametrize('config,prefix,lists', [
    ('configs/i3d_nl_dance.py', 'video', 'dance19_{}.txt'),
    ('configs/i3d_inception_flow_dance.py', 'img', 'dance19_flow_{}.txt'),
])
def test_data_root_points_every_split_at_one_folder(tmp_path, config, prefix,
                                                    lists):
    root = str(tmp_path / 'my data')
    cfg = apply_train_args(Config.fromfile(config), config,
                           work_dir=str(tmp_path), data_root=root)
    for split in ('train', 'val', 'test'):
        dataset = cfg[f'{split}_dataloader'].dataset
        assert dataset.ann_file == f'{root}/annotations/' + lists.format(
            split)
        assert dataset.data_prefix == {prefix: root}


def test_data_root_comes_before_cfg_options_and_skips_no_validation(
        tmp_path):
    cfg = args(tmp_path, data_root='/d', no_validate=True,
               cfg_options={'test_dataloader.dataset.ann_file': '/x.txt'})
    assert cfg.train_dataloader.dataset.ann_file == \
        '/d/annotations/dance19_train.txt'
    assert cfg.test_dataloader.dataset.ann_file == '/x.txt'
    assert cfg.val_dataloader is None


def test_data_root_needs_a_dataset_it_can_repoint(tmp_path):
    cfg = Config.fromfile(CONFIG)
    del cfg.train_dataloader.dataset['data_prefix']
    with pytest.raises(DanceStyleError, match='--cfg-options instead'):
        apply_train_args(cfg, CONFIG, work_dir=str(tmp_path), data_root='/d')


def test_amp_on_a_cpu_is_bf16_autocast_where_the_cpu_has_it(tmp_path,
                                                            monkeypatch):
    if torch.cuda.is_available():
        assert args(tmp_path, amp=True).optim_wrapper.type == \
            'AmpOptimWrapper'
        return
    from dance_style import precision
    monkeypatch.setattr(precision, 'cpu_flags',
                        lambda: {'avx512f', 'avx512_bf16'})
    cfg = args(tmp_path, amp=True)
    assert cfg.optim_wrapper.type == 'CPUAutocastOptimWrapper'
    assert cfg.optim_wrapper.dtype == 'bfloat16'
    # the wrapper runs the forward pass in bfloat16, keeps float32 weights
    from mmaction.registry import OPTIM_WRAPPERS
    model = torch.nn.Linear(4, 2)
    wrapper = OPTIM_WRAPPERS.build(dict(
        type='CPUAutocastOptimWrapper',
        optimizer=torch.optim.SGD(model.parameters(), lr=0.1)))
    with wrapper.optim_context(model):
        out = model(torch.randn(3, 4))
    assert out.dtype == torch.bfloat16
    wrapper.update_params(out.float().sum())
    assert model.weight.dtype == torch.float32
    # refused before training where bf16 would be emulated or is wrong
    # (tests/test_precision.py: the bf16 check and its cache)


def test_test_checkpoint_wins_over_a_load_from_option(tmp_path, capsys):
    """tools/test.py tests its CHECKPOINT argument, even when the options
    (shared with a training command) say load_from=None."""
    from dance_style.evaluate import apply_test_args
    checkpoint = tmp_path / 'epoch_1.pth'
    checkpoint.write_bytes(b'')
    cfg = apply_test_args(Config.fromfile(CONFIG), CONFIG, str(checkpoint),
                          work_dir=str(tmp_path),
                          cfg_options={'load_from': None})
    assert cfg.load_from == str(checkpoint)
    assert 'load_from=None ignored' in capsys.readouterr().err
