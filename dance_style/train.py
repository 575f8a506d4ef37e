"""``train(cfg)``: the one training entry point (CLI, tests, sweep)."""
import importlib.util
import logging
import os
import os.path as osp
import sys
from typing import Dict, Optional, Sequence

from mmengine.config import Config
from mmengine.runner.checkpoint import find_latest_checkpoint

from .checkpoints import resolve_load_from
from .config import drop_schedulers_past_the_end, prepare, set_work_dir
from .distributed import needs_cpu_setup, setup_cpu_distributed
from .errors import DanceStyleError


def apply_train_args(cfg: Config,
                     config_path: str,
                     work_dir: Optional[str] = None,
                     resume: Optional[str] = None,
                     amp: bool = False,
                     seed: Optional[int] = None,
                     deterministic: bool = False,
                     no_validate: bool = False,
                     auto_scale_lr: bool = False,
                     cfg_options: Optional[dict] = None,
                     launcher: str = 'none',
                     data_root: Optional[str] = None) -> Config:
    """Merge command-line choices into a config, as mmaction2's train.py.

    Precedence: ``--cfg-options`` last (they win), then the flags, then the
    file. ``data_root`` points every split at one dataset folder
    (:func:`dance_style.config.set_data_root`). ``resume`` is ``'auto'`` (latest checkpoint in the work dir; a new
    run, with ``load_from`` kept, when there is none) or a checkpoint path.
    ``auto_scale_lr`` scales the learning rate linearly from
    ``auto_scale_lr.base_batch_size`` to the actual total batch.
    """
    cfg.launcher = launcher
    set_work_dir(cfg, config_path, work_dir)
    if amp:
        set_amp(cfg)
    if resume == 'auto':
        latest = find_latest_checkpoint(cfg.work_dir) \
            if osp.isdir(cfg.work_dir) else None
        if latest is None:
            # mmengine would start from scratch and drop load_from (the
            # Kinetics-400 weights) without a word
            print(f'--resume: no checkpoint in {cfg.work_dir} yet; starting a '
                  'new run (load_from kept)', file=sys.stderr)
        else:
            cfg.resume = True
            cfg.load_from = latest
    elif resume is not None:
        cfg.resume = True
        cfg.load_from = resume
    # mmengine's default is seed=None (a random seed, logged); an empty dict
    # would fail in Runner.set_randomness
    randomness = dict(cfg.get('randomness') or {})
    randomness.setdefault('seed', None)
    if seed is not None:
        randomness['seed'] = seed
    if deterministic:
        randomness['deterministic'] = True
    cfg.randomness = randomness
    if auto_scale_lr:
        if 'base_batch_size' not in cfg.get('auto_scale_lr', {}):
            raise DanceStyleError(
                '--auto-scale-lr needs auto_scale_lr.base_batch_size in the '
                'config (the batch its lr was tuned for)')
        cfg.auto_scale_lr.enable = True
    if no_validate:
        cfg.val_cfg = None
        cfg.val_dataloader = None
        cfg.val_evaluator = None
    prepare(cfg, data_root, cfg_options)
    for scheduler in drop_schedulers_past_the_end(cfg):
        print(f'train_cfg.max_epochs={cfg.train_cfg.max_epochs}: the '
              f'schedule\'s {scheduler} never starts; left out',
              file=sys.stderr)
    return cfg


def set_amp(cfg: Config) -> None:
    """Mixed precision: mmengine's ``AmpOptimWrapper`` on a GPU (its dtype
    from the config, float16 with dynamic loss scaling by default); bfloat16
    autocast on a CPU (:mod:`dance_style.precision`), which
    :func:`preflight` allows only where the bf16 check finds it right."""
    import torch
    wrapper_type = cfg.optim_wrapper.get('type', 'OptimWrapper')
    if wrapper_type not in ('OptimWrapper', 'AmpOptimWrapper',
                            'CPUAutocastOptimWrapper'):
        raise DanceStyleError(
            f'--amp needs OptimWrapper or AmpOptimWrapper, the config '
            f'uses {wrapper_type}')
    if torch.cuda.is_available():
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')
        return
    cfg.optim_wrapper.type = 'CPUAutocastOptimWrapper'
    cfg.optim_wrapper.pop('loss_scale', None)
    cfg.optim_wrapper.dtype = 'bfloat16'


def preflight(cfg: Config) -> None:
    """Fail before the (slow) Runner build on what we can check cheaply,
    and check bfloat16 on this CPU before training in it (seconds, once per
    CPU and model: :func:`dance_style.bf16_check.require_bf16`)."""
    if cfg.get('resume') and not osp.isfile(str(cfg.load_from)):
        raise DanceStyleError(
            f'--resume checkpoint not found: {cfg.load_from}\n'
            'Pass an existing .pth from the work dir, or --resume without '
            'a path to continue from the latest one there.')
    resolve_load_from(cfg)  # a name or URL: downloaded once
    backbone = cfg.get('model', {}).get('backbone', {})
    pretrained = backbone.get('pretrained')
    if isinstance(pretrained, str) and not osp.isfile(pretrained):
        raise DanceStyleError(
            f'model.backbone.pretrained file not found: {pretrained}\n'
            'It is the 2D ImageNet checkpoint the backbone is inflated from '
            '(e.g. torchvision\'s resnet50-11ad3fa6.pth; the config says '
            'where to get it). Pass another path with --cfg-options '
            'model.backbone.pretrained=PATH, or =None to start from '
            'scratch.')
    if cfg.get('optim_wrapper', {}).get('type') == 'CPUAutocastOptimWrapper':
        from .bf16_check import require_bf16
        require_bf16(cfg)


def build_runner(cfg: Config):
    """The mmengine Runner for ``cfg``, with CPU distributed set up first."""
    from mmengine.runner import Runner

    from .register import register_all_modules
    register_all_modules(init_default_scope=False)  # as custom_imports does
    add_tensorboard(cfg)
    if needs_cpu_setup(cfg.get('launcher', 'none')):
        setup_cpu_distributed(cfg)
    if 'runner_type' in cfg:
        from mmaction.registry import RUNNERS
        return RUNNERS.build(cfg)
    return Runner.from_cfg(cfg)


def add_tensorboard(cfg: Config) -> None:
    """Where the ``tensorboard`` package is installed (the "tensorboard"
    extra), the visualizer writes TensorBoard event files too, so that
    ``tensorboard --logdir work_dirs`` shows every run, as mmaction2 users
    expect. LocalVisBackend stays (tools/plot_curves.py draws the PNG curves
    from its scalars); without the package nothing changes, so the configs
    need not know."""
    visualizer = cfg.get('visualizer')
    if not visualizer or importlib.util.find_spec('tensorboard') is None:
        return
    backends = visualizer.setdefault('vis_backends', [])
    if 'TensorboardVisBackend' not in [b.get('type') for b in backends]:
        backends.append(dict(type='TensorboardVisBackend'))


def last_val_metrics(runner) -> Dict[str, float]:
    """The metrics of the last validation, as logged (``acc/top1`` ...)."""
    scalars = runner.message_hub.log_scalars
    return {
        key[len('val/'):]: float(buffer.current())
        for key, buffer in scalars.items() if key.startswith('val/')
    }


def release_runner(runner) -> None:
    """Close what mmengine keeps open after ``train()`` or ``test()``: the
    data loaders' worker processes, the log file, and the logger, message
    hub and visualizer it keeps per experiment name in process-wide
    registries. Needed when one process trains or tests many times (a
    sweep, the demo's stages); harmless otherwise."""
    from mmengine.logging import MessageHub, MMLogger
    from mmengine.visualization import Visualizer
    stop_loader_workers(runner)
    name = runner.experiment_name
    for handler in list(runner.logger.handlers):
        if isinstance(handler, logging.FileHandler):
            handler.close()
            runner.logger.removeHandler(handler)
    for manager in (MMLogger, MessageHub, Visualizer):
        manager._instance_dict.pop(name, None)  # ManagerMixin's registry


def stop_loader_workers(runner) -> None:
    """Stop the worker processes of the runner's built data loaders now.
    mmengine's loaders keep their workers (``persistent_workers``) until
    the loader is garbage-collected; stopped from the collector, in the
    middle of whatever the process does next, each loader waited out
    torch's 5 s join timeout per worker: 10 s of idle time per loader,
    every time one process trained or tested again (measured with the
    demo's test stage: 12.5 s per test, 2.3 s with this). torch has no
    public close for a loader; ``_shutdown_workers`` is what the iterator
    runs itself at the end of a non-persistent epoch."""
    from mmengine.runner.base_loop import BaseLoop
    for name in ('_train_loop', '_val_loop', '_test_loop'):
        loop = getattr(runner, name, None)  # a dict until built: no loader
        if not isinstance(loop, BaseLoop):
            continue
        iterator = getattr(loop.dataloader, '_iterator', None)
        if iterator is not None and hasattr(iterator, '_shutdown_workers'):
            iterator._shutdown_workers()
            loop.dataloader._iterator = None


def train(cfg: Config, hooks: Sequence = ()) -> Dict[str, float]:
    """Train with ``cfg`` and return the last validation metrics.

    ``hooks`` are Hook objects registered on the Runner besides the
    config's (the sweep's pruning hook, which holds a live Optuna trial).
    """
    preflight(cfg)
    os.makedirs(cfg.work_dir, exist_ok=True)
    runner = build_runner(cfg)
    for hook in hooks:
        runner.register_hook(hook)
    from .nonfinite import NonFiniteHook
    if not any(isinstance(hook, NonFiniteHook) for hook in runner.hooks):
        # a config that replaced custom_hooks still stops on a NaN
        runner.register_hook(NonFiniteHook())
    try:
        runner.train()
        return last_val_metrics(runner)
    finally:
        release_runner(runner)

