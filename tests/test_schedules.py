"""Learning-rate schedules follow train_cfg.max_epochs: no config states
the schedule's length, and --cfg-options train_cfg.max_epochs=N stretches
or shrinks the whole curve (mmengine's Runner ends a scheduler at
max_epochs when it has no `end`; CosineAnnealingLR's T_max is end - begin).
"""
import math

import pytest
from mmengine.runner import Runner

from support import REPO, TINY_CONFIG
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


@pytest.mark.parametrize('name, floor', [
    ('videomaev2_vit_s_dance.py', 1e-3),  # the authors' 1e-6 per 1e-3
    ('uniformerv2_b16_k710_dance.py', 1 / 20),  # the authors' 1e-6 / 2e-5
])
def test_every_group_warms_up_and_decays_relative_to_its_own_rate(name,
                                                                  floor):
    """Each parameter group follows the schedule's shape at its own rate,
    as the authors' schedules (VideoMAE V2: one curve times each group's
    layer-decay scale). On one GPU of 8 clips VideoMAE V2's patch embedding
    trains at 1e-3 x 8/256 x 0.75^13 = 7.4e-7: an absolute floor of 1e-6
    (the config's before) made its rate rise while the others decayed."""
    from mmengine.registry import PARAM_SCHEDULERS

    from dance_style.recipe import build_groups
    cfg = load_config(str(REPO / 'configs' / name))
    _, wrapper, _ = build_groups(cfg, gpus=1)  # rates as the Runner scales
    groups = wrapper.optimizer.param_groups
    peaks = [group['lr'] for group in groups]
    epochs = cfg.train_cfg.max_epochs
    schedulers = []
    for scheduler in cfg.param_scheduler:
        # per epoch (the run converts them to iterations: the same curve
        # at the epochs); the Runner ends an open scheduler at max_epochs
        scheduler = dict(scheduler, optimizer=wrapper)
        scheduler.pop('convert_to_iter_based')
        scheduler.setdefault('end', epochs)
        schedulers.append(PARAM_SCHEDULERS.build(scheduler))
    warmup = cfg.param_scheduler[0]['end']
    curve = []
    for _ in range(epochs):
        curve.append([group['lr'] for group in groups])
        for scheduler in schedulers:
            scheduler.step()
    curve.append([group['lr'] for group in groups])
    if name.startswith('videomaev2'):
        assert min(peaks) < 1e-6  # where an absolute 1e-6 floor bites
    # mmengine's last step of a scheduler is one before its `end`: the run's
    # last epoch is at step T - 1 of the T-epoch cosine to the floor
    cosine = epochs - warmup
    last = floor + (1 - floor) * (1 + math.cos(math.pi * (cosine - 1) /
                                               cosine)) / 2
    for index, peak in enumerate(peaks):
        rates = [epoch[index] for epoch in curve]
        assert rates[warmup] == pytest.approx(peak, rel=1e-6)
        decay = rates[warmup:]
        assert all(b <= a for a, b in zip(decay, decay[1:])), index
        assert decay[-1] == pytest.approx(last * peak, rel=1e-6)
