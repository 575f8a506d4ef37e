"""The learning rate each parameter group of a config gets in a real run.

A config's ``optimizer.lr`` is not the rate its parameters train at: the
optim wrapper's constructor multiplies it per group (``paramwise_cfg``:
``custom_keys`` lr_mult, layer-wise decay), and the Runner scales every
group by the batch (``auto_scale_lr``: GPUs x clips per GPU over
``base_batch_size``). The README's configs table states the result at the
batch each config documents (``gpus`` in configs/metafile.yml),
and tests/test_transfer_rehearsal.py fine-tunes at it. Both come from
mmengine's own code, not from arithmetic here: the config's constructor
builds the groups of the config's model, and ``Runner.scale_lr`` scales
them.
"""
import copy
from types import SimpleNamespace
from typing import Dict, List, Optional


def build_groups(cfg, gpus: int):
    """The config's model and its optim wrapper with ``auto_scale_lr``
    applied for ``gpus`` processes of ``train_dataloader.batch_size``
    clips; returns ``(model, wrapper, ratio)`` (ratio None when the config
    does not scale its rate with the batch)."""
    from mmaction.registry import MODELS
    from mmengine.logging import MMLogger
    from mmengine.optim import build_optim_wrapper
    from mmengine.registry import DefaultScope
    from mmengine.runner import Runner
    logger = MMLogger.get_current_instance()
    level = logger.level
    # quiet: mmaction2's layer-decay constructor logs every parameter's
    # group, mmengine warns for every frozen parameter (the table states
    # the outcome)
    logger.setLevel('ERROR')
    try:
        # the constructors (mmaction2's layer decay) are in mmaction's
        # registry
        with DefaultScope.overwrite_default_scope('mmaction'):
            model = MODELS.build(copy.deepcopy(cfg.model))
            wrapper = build_optim_wrapper(model,
                                          copy.deepcopy(cfg.optim_wrapper))
        auto = cfg.get('auto_scale_lr') or {}
        clips = cfg.train_dataloader.batch_size
        # Runner.scale_lr reads only these of a Runner: the real function
        # scales the groups as a run on `gpus` processes would
        stand_in = SimpleNamespace(
            _train_dataloader=dict(batch_size=clips), world_size=gpus,
            logger=logger, param_schedulers=None)
        Runner.scale_lr(stand_in, wrapper, auto)
    finally:
        logger.setLevel(level)
    ratio = gpus * clips / auto['base_batch_size'] \
        if auto.get('enable') else None
    return model, wrapper, ratio


def effective_rates(cfg, gpus: int) -> Dict:
    """What a run of ``cfg`` on ``gpus`` processes trains at (JSON-able):
    ``gpus``, ``clips_per_gpu``, ``base_batch`` (None: the rate does not
    follow the batch), ``epochs``, ``lr`` ({top-level module: sorted
    distinct rates of its trainable parameters}) and ``frozen`` (the
    modules whose parameters do not train, two levels deep)."""
    model, wrapper, ratio = build_groups(cfg, gpus)
    names = {id(p): n for n, p in model.named_parameters()}
    rates: Dict[str, set] = {}
    for group in wrapper.optimizer.param_groups:
        for param in group['params']:
            if param.requires_grad:
                rates.setdefault(names[id(param)].split('.')[0],
                                 set()).add(group['lr'])
    # mmengine leaves frozen parameters out of the groups (or in them,
    # without gradients): read them from the model
    frozen: List[str] = []
    for name, param in model.named_parameters():
        prefix = '.'.join(name.split('.')[:2])
        if not param.requires_grad and prefix not in frozen:
            frozen.append(prefix)
    auto = cfg.get('auto_scale_lr') or {}
    return dict(gpus=gpus, clips_per_gpu=cfg.train_dataloader.batch_size,
                base_batch=auto['base_batch_size'] if ratio else None,
                epochs=cfg.train_cfg.max_epochs,
                lr={k: sorted(v, reverse=True) for k, v in rates.items()},
                frozen=frozen)


def number(value: float) -> str:
    """``7.87e-4``, ``1e-2``, ``2.5e-6``: 3 significant digits."""
    mantissa, exponent = f'{value:.2e}'.split('e')
    mantissa = mantissa.rstrip('0').rstrip('.')
    return f'{mantissa}e{int(exponent)}'


# how the table names a model's top-level modules, in this order
MODULES = {'cls_head': 'head', 'backbone': 'backbone'}


def describe(rates: Optional[Dict]) -> tuple:
    """``(batch, rates)`` cells of the table for :func:`effective_rates`'s
    result, e.g. ``('8 x 8 (lr x 64/512)', 'all 2.5e-6')``."""
    if not rates:
        return '', ''
    batch = rates['gpus'] * rates['clips_per_gpu']
    text = f'{rates["gpus"]} x {rates["clips_per_gpu"]} ' + (
        f'(lr x {batch}/{rates["base_batch"]})' if rates['base_batch']
        else '(lr as set)')
    order = [k for k in MODULES if k in rates['lr']] + sorted(
        k for k in rates['lr'] if k not in MODULES)
    values = [tuple(rates['lr'][k]) for k in order]
    if len(set(values)) == 1 and len(values[0]) == 1:
        cells = [f'all {number(values[0][0])}']
    else:
        cells = []
        for module, lrs in zip(order, values):
            label = MODULES.get(module, module)
            cells.append(f'{label} {number(lrs[0])}' if len(lrs) == 1 else
                         f'{label} {number(lrs[0])} to {number(lrs[-1])} '
                         f'({len(lrs)} rates)')
    if rates['frozen']:
        cells.append('frozen: ' + ', '.join(rates['frozen']))
    return text, '; '.join(cells)
