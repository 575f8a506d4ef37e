"""Why does a model not learn? The first iterations of a config, measured.

    python tools/diagnose_training.py CONFIG --iters 150 \
        [--data-root DIR] [--cfg-options KEY=VALUE ...] [--json out.json]

Builds the config's model, training data loader and optimizer through
mmengine's Runner (the same objects tools/train.py trains), runs
``--iters`` training steps and records, every ``--every`` steps:

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
(warm-up included). Nothing is saved but the optional JSON.
"""
import argparse
import json
import math
from collections import defaultdict
from pathlib import Path

from dance_style.cli import run_cli


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config', help='the training config')
    parser.add_argument('--iters', type=int, default=150,
                        help='training steps to run (default 150)')
    parser.add_argument('--every', type=int, default=25,
                        help='report every N steps (default 25)')
    parser.add_argument('--data-root',
                        help='dataset folder (as tools/train.py)')
    parser.add_argument('--cfg-options', nargs='+', default=[],
                        help='config overrides, KEY=VALUE (as tools/train.py)')
    parser.add_argument('--seed', type=int, default=0, help='random seed')
    parser.add_argument('--json', help='write the records here too')
    return parser.parse_args(argv)


def _short(name: str) -> str:
    """A block's name in a report line: 'Mixed_4b' -> '4b', 'Conv3d_1a_7x7'
    -> '1a', 'cls_head' -> 'head', 'layer3' as it is."""
    if name == 'cls_head':
        return 'head'
    parts = name.split('_')
    return parts[1] if len(parts) > 1 else name[:8]


def _block_stats(model):
    """Forward hooks on the backbone's top-level blocks; returns the dict
    they fill (block -> [mean, mean channel std over the batch, zeros])."""
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


def main(argv=None):
    args = parse_args(argv)
    import tempfile

    import torch
    from mmengine.config import Config, DictAction
    from mmengine.runner import Runner

    from dance_style.config import set_data_root
    from dance_style.register import register_all_modules
    register_all_modules()
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        parser = argparse.ArgumentParser()
        parser.add_argument('--o', nargs='+', action=DictAction)
        cfg.merge_from_dict(parser.parse_args(
            ['--o', *args.cfg_options]).o)
    if args.data_root:
        set_data_root(cfg, args.data_root)
    cfg.work_dir = tempfile.mkdtemp(prefix='diagnose_')
    cfg.randomness = dict(seed=args.seed)
    cfg.train_dataloader.num_workers = 2
    cfg.train_dataloader.persistent_workers = True
    cfg.val_dataloader = cfg.val_cfg = cfg.val_evaluator = None
    cfg.test_dataloader = cfg.test_cfg = cfg.test_evaluator = None
    cfg.default_hooks.pop('checkpoint', None)
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
            raise SystemExit('param_scheduler must be iteration based '
                             '(convert_to_iter_based=True)')
    stats = _block_stats(model)
    # blocks with weights, and the head
    modules = {name: module
               for name, module in model.backbone.named_children()
               if any(True for _ in module.parameters())}
    modules['cls_head'] = model.cls_head
    window = defaultdict(list)
    records = []
    model.train()
    step = 0
    while step < args.iters:
        for batch in loader:
            data = model.data_preprocessor(batch, training=True)
            with optim.optim_context(model):
                losses = model(**data, mode='loss')
            loss, log = model.parse_losses(losses)
            optim.backward(loss)
            norms = {}
            for name, module in modules.items():
                grads = [p.grad.norm() ** 2 for p in module.parameters()
                         if p.grad is not None]
                if grads:
                    norms[name] = math.sqrt(float(sum(grads)))
            # conv and linear weights (BN's scales and shifts start at 1
            # and 0, which would hide the size of the steps)
            before = {name: torch.cat([p.detach().flatten().clone()
                                       for p in module.parameters()
                                       if p.ndim > 1])
                      for name, module in modules.items()} \
                if step + 1 == 1 or (step + 1) % args.every == 0 else None
            optim.step()
            optim.zero_grad()
            if before is not None:
                steps = {}
                for name, module in modules.items():
                    after = torch.cat([p.detach().flatten()
                                       for p in module.parameters()
                                       if p.ndim > 1])
                    steps[name] = float((after - before[name]).norm() /
                                        before[name].norm().clamp_min(1e-12))
            for scheduler in schedulers:
                scheduler.step()
            step += 1
            window['loss'].append(float(loss))
            window['top1'].append(float(log.get('top1_acc', math.nan)))
            if step == 1:
                inputs = data['inputs']
                print(f'input after the preprocessor: mean '
                      f'{inputs.mean():.3f} std {inputs.std():.3f} min '
                      f'{inputs.min():.3f} max {inputs.max():.3f}; '
                      f'{epoch_iters} iterations per epoch')
            if step % args.every == 0 or step == 1:
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
                print(f'step {step:4d} lr {record["lr"]:.2e} loss '
                      f'{record["loss"]:.3f} top1 {record["top1"]:.3f}')
                rows = (('grad norm', norms, '.2e'),
                        ('rel. step', steps, '.1e'),
                        ('batch std', {k: v[1] for k, v in stats.items()},
                         '.2e'),
                        ('zeros', {k: v[2] for k, v in stats.items()},
                         '.2f'))
                for label, values, spec in rows:
                    print(f'  {label:<10} ' + ' '.join(
                        f'{_short(k)}:{v:{spec}}' for k, v in values.items()))
            if step >= args.iters:
                break
    if args.json:
        Path(args.json).write_text(json.dumps(records, indent=1))
    return 0


if __name__ == '__main__':
    run_cli(main)
