"""Why does a model not learn? The first iterations of a config, measured
(``tools/diagnose_training.py``).

Builds the config's model, training data loader and optimizer through
mmengine's Runner (the same objects tools/train.py trains), runs ``iters``
training steps and records, every ``every`` steps:

* the training loss and top-1 of the batch (averaged over the window);
* the gradient norm of each top-level block of the backbone and of the head
  (whether the signal reaches the stem or dies on the way);
* the relative size of the step each block's weights take,
  ||w_after - w_before|| / ||w_before|| (an optimizer step that changes a
  block by a large share of itself re-draws its features every few steps);
* the activations after each block: mean, standard deviation over the batch
  of each channel (0 = every clip gives the same feature), and the share of
  exact zeros (dead ReLUs);
* the input's range after the data preprocessor.

It answers with numbers what docs/two_stream.md asks of the RGB Inception
stream; any config works. The learning-rate schedule is the config's
(warm-up included).
"""
import math
import tempfile
from collections import defaultdict
from typing import Callable, Dict, List

from .errors import DanceStyleError


def fit_for_diagnosis(cfg, seed: int) -> None:
    """Turn a training config into the diagnosis run's: a scratch work dir,
    ``seed``, no validation, test or checkpoints (nothing is saved), two
    loader workers kept between epochs."""
    cfg.work_dir = tempfile.mkdtemp(prefix='diagnose_')
    cfg.randomness = dict(seed=seed)
    cfg.train_dataloader.num_workers = 2
    cfg.train_dataloader.persistent_workers = True
    cfg.val_dataloader = cfg.val_cfg = cfg.val_evaluator = None
    cfg.test_dataloader = cfg.test_cfg = cfg.test_evaluator = None
    cfg.default_hooks.pop('checkpoint', None)


def short_name(name: str) -> str:
    """A block's name in a report line: 'Mixed_4b' -> '4b', 'Conv3d_1a_7x7'
    -> '1a', 'cls_head' -> 'head', 'layer3' as it is."""
    if name == 'cls_head':
        return 'head'
    parts = name.split('_')
    return parts[1] if len(parts) > 1 else name[:8]


def watch_activations(model) -> Dict[str, tuple]:
    """Forward hooks on the backbone's top-level blocks; returns the dict
    they fill (block -> (mean, mean channel std over the batch, zeros))."""
    import torch
    stats = {}

    def hook(name):
        def record(module, inputs, output):
            if not isinstance(output, torch.Tensor):
                return
            x = output.detach().float()
            per_channel = x.transpose(0, 1).flatten(2).mean(-1)  # C x N
            stats[name] = (x.mean().item(),
                           per_channel.std(dim=1).mean().item(),
                           (x == 0).float().mean().item())
        return record

    for name, module in model.backbone.named_children():
        if any(True for _ in module.parameters()) or 'Pool' not in name:
            module.register_forward_hook(hook(name))
    return stats


def _has_weights(module) -> bool:
    return any(True for _ in module.parameters())


def _grad_norms(modules) -> Dict[str, float]:
    norms = {}
    for name, module in modules.items():
        grads = [p.grad.norm() ** 2 for p in module.parameters()
                 if p.grad is not None]
        if grads:
            norms[name] = math.sqrt(float(sum(grads)))
    return norms


def _weights(modules) -> dict:
    """Each block's conv and linear weights as one vector (BN's scales and
    shifts start at 1 and 0, which would hide the size of the steps)."""
    import torch
    return {name: torch.cat([p.detach().flatten().clone()
                             for p in module.parameters() if p.ndim > 1])
            for name, module in modules.items()}


def _relative_steps(before, after) -> Dict[str, float]:
    return {name: float((after[name] - before[name]).norm() /
                        before[name].norm().clamp_min(1e-12))
            for name in before}


def format_record(record: dict) -> List[str]:
    """A record as the lines the diagnosis prints: step, rate, loss, top-1,
    then one row per measurement with a value per block."""
    activations = record['activations']
    lines = [f'step {record["step"]:4d} lr {record["lr"]:.2e} loss '
             f'{record["loss"]:.3f} top1 {record["top1"]:.3f}']
    rows = (('grad norm', record['grad_norm'], '.2e'),
            ('rel. step', record['relative_step'], '.1e'),
            ('batch std', {k: v['batch_std'] for k, v in activations.items()},
             '.2e'),
            ('zeros', {k: v['zeros'] for k, v in activations.items()},
             '.2f'))
    for label, values, spec in rows:
        lines.append(f'  {label:<10} ' + ' '.join(
            f'{short_name(k)}:{v:{spec}}' for k, v in values.items()))
    return lines


def diagnose(cfg, iters: int, every: int,
             show: Callable[[str], None] = print) -> List[dict]:
    """Train ``cfg`` (made by :func:`fit_for_diagnosis`) for ``iters``
    steps; returns a record at step 1 and every ``every`` steps, each also
    shown as it comes (``show``, one line at a time)."""
    from mmengine.runner import Runner
    runner = Runner.from_cfg(cfg)
    model = runner.model
    model.init_weights()
    optim = runner.build_optim_wrapper(cfg.optim_wrapper)
    runner.optim_wrapper = optim
    schedulers = runner.build_param_scheduler(cfg.param_scheduler)
    loader = runner.build_dataloader(cfg.train_dataloader)
    epoch_iters = len(loader)
    for scheduler in schedulers:  # by-epoch ones converted to iterations
        if getattr(scheduler, 'by_epoch', False):
            raise DanceStyleError('param_scheduler must be iteration based '
                                  '(convert_to_iter_based=True)')
    stats = watch_activations(model)
    # blocks with weights, and the head
    modules = {name: module
               for name, module in model.backbone.named_children()
               if _has_weights(module)}
    modules['cls_head'] = model.cls_head
    window = defaultdict(list)
    records = []
    model.train()
    step = 0
    while step < iters:
        for batch in loader:
            data = model.data_preprocessor(batch, training=True)
            with optim.optim_context(model):
                losses = model(**data, mode='loss')
            loss, log = model.parse_losses(losses)
            optim.backward(loss)
            norms = _grad_norms(modules)
            reported = step + 1 == 1 or (step + 1) % every == 0
            before = _weights(modules) if reported else None
            optim.step()
            optim.zero_grad()
            if before is not None:
                steps = _relative_steps(before, _weights(modules))
            for scheduler in schedulers:
                scheduler.step()
            step += 1
            window['loss'].append(float(loss))
            window['top1'].append(float(log.get('top1_acc', math.nan)))
            if step == 1:
                inputs = data['inputs']
                show(f'input after the preprocessor: mean '
                     f'{inputs.mean():.3f} std {inputs.std():.3f} min '
                     f'{inputs.min():.3f} max {inputs.max():.3f}; '
                     f'{epoch_iters} iterations per epoch')
            if step % every == 0 or step == 1:
                record = dict(
                    step=step, lr=optim.get_lr()['lr'][0],
                    loss=sum(window['loss']) / len(window['loss']),
                    top1=sum(window['top1']) / len(window['top1']),
                    grad_norm=norms, relative_step=steps,
                    activations={k: dict(mean=v[0], batch_std=v[1],
                                         zeros=v[2])
                                 for k, v in stats.items()})
                records.append(record)
                window.clear()
                for line in format_record(record):
                    show(line)
            if step >= iters:
                break
    return records
