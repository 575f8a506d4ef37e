"""Learning-rate schedules follow train_cfg.max_epochs: no config states
the schedule's length, and --cfg-options train_cfg.max_epochs=N stretches
or shrinks the whole curve (mmengine's Runner ends a scheduler at
max_epochs when it has no `end`; CosineAnnealingLR's T_max is end - begin).
"""
import math

import pytest
from mmengine.runner import Runner

from conftest import REPO, TINY_CONFIG
from dance_style.config import load_config
from dance_style.train import apply_train_args, release_runner

CONFIGS = sorted(p for p in (REPO / 'configs').rglob('*.py')
                 if '_base_' not in p.parts)
CONFIGS += sorted((REPO / 'tests' / 'configs').glob('*.py'))


@pytest.mark.parametrize('path', CONFIGS, ids=lambda p: p.name)
def test_no_config_states_the_length_of_its_schedule(path):
    cfg = load_config(str(path))
    for scheduler in cfg.param_scheduler:
        assert 'T_max' not in scheduler, path
        # an `end` may only close a phase inside the run (a warm-up)
        assert scheduler.get('end', 0) < cfg.train_cfg.max_epochs, path


def lr_curve(config, epochs, data_root, work_dir):
    """The learning rate of every training iteration of ``config`` when
    run for ``epochs`` epochs, as the Runner's schedulers set it."""
    cfg = apply_train_args(
        load_config(str(config)), str(config), work_dir=str(work_dir),
        data_root=str(data_root),
        cfg_options={'train_cfg.max_epochs': epochs, 'load_from': None,
                     # runners built within one second would share
                     # mmengine's timestamped default name
                     'experiment_name': f'lr_curve_{epochs}'})
    runner = Runner.from_cfg(cfg)
    try:
        # in Runner.train's order: the loop (which knows max_epochs and the
        # epoch length), the optimizer, then the schedulers
        iterations = epochs * len(runner.train_loop.dataloader)
        wrapper = runner.optim_wrapper = runner.build_optim_wrapper(
            cfg.optim_wrapper)
        schedulers = runner.build_param_scheduler(cfg.param_scheduler)
        curve = []
        for _ in range(iterations):
            curve.append(wrapper.get_lr()['lr'][0])
            for scheduler in schedulers:  # per iteration: converted ones
                scheduler.step()
        return curve, cfg.optim_wrapper.optimizer.lr
    finally:
        release_runner(runner)


@pytest.mark.parametrize('config,warmup_epochs', [
    (REPO / 'configs' / 'i3d_nl_dance.py', 0),  # the study's cosine
    (TINY_CONFIG, 1),  # the demos' warm-up + cosine
])
def test_max_epochs_sets_the_length_of_the_lr_curve(config, warmup_epochs,
                                                    easy_dataset, tmp_path):
    for epochs in (3, 6):
        curve, base = lr_curve(config, epochs, easy_dataset,
                               tmp_path / str(epochs))
        per_epoch = len(curve) // epochs
        decay = curve[warmup_epochs * per_epoch:]
        # the cosine spans exactly the rest of the run: at its middle it
        # is at half the base lr, at its last step just above 0
        assert decay[0] == pytest.approx(base, rel=1e-6)
        middle = len(decay) // 2
        expected = base * (1 + math.cos(math.pi * middle / len(decay))) / 2
        assert decay[middle] == pytest.approx(expected, rel=1e-6)
        assert 0 < decay[-1] < 0.01 * base


def test_a_run_shorter_than_the_warm_up_keeps_only_the_warm_up(tmp_path,
                                                              capsys):
    cfg = apply_train_args(load_config(str(TINY_CONFIG)), str(TINY_CONFIG),
                           work_dir=str(tmp_path),
                           cfg_options={'train_cfg.max_epochs': 1})
    assert [s['type'] for s in cfg.param_scheduler] == ['LinearLR']
    assert 'CosineAnnealingLR from epoch 1 never starts' in \
        capsys.readouterr().err
