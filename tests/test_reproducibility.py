"""Same seed, same result: two runs agree bit for bit, a run resumed after
epoch 1 ends where the uninterrupted run ends, and loader workers draw new
augmentations each epoch."""
import random
import re
from pathlib import Path

import numpy as np
import torch

from support import TINY_CONFIG, run_tool, slow_fixture, train_subset
from dance_style.hooks import weights_digest


class _Draws(torch.utils.data.Dataset):
    """Each item: the Python and numpy draws of the worker that loads it."""

    def __len__(self):
        return 4

    def __getitem__(self, index):
        return torch.tensor([random.random(), np.random.rand()])


def _two_epochs(init_fn, seed=0):
    from dance_style.register import register_all_modules
    register_all_modules()
    torch.manual_seed(seed)
    loader = torch.utils.data.DataLoader(
        _Draws(), batch_size=1, num_workers=2, worker_init_fn=init_fn,
        persistent_workers=False, multiprocessing_context='fork')
    return [torch.cat(list(loader)) for _ in range(2)]


def test_loader_workers_draw_new_numbers_each_epoch():
    from functools import partial

    from mmengine.dataset import worker_init_fn as stock

    from dance_style.randomness import seed_worker_per_epoch
    first, second = _two_epochs(seed_worker_per_epoch)
    assert not torch.equal(first, second)
    # the two workers differ too (items 0, 2 from one, 1, 3 from the other)
    assert not torch.equal(first[0], first[1])
    # and the main process's torch seed decides all of it
    again = _two_epochs(seed_worker_per_epoch)
    assert torch.equal(first, again[0]) and torch.equal(second, again[1])
    # mmengine's default, for contrast: the same numbers every epoch
    stock_epochs = _two_epochs(partial(stock, num_workers=2, rank=0, seed=0))
    assert torch.equal(*stock_epochs)


@slow_fixture(scope='module')
def small_runs(easy_dataset, tmp_path_factory):
    """Two uninterrupted 2-epoch runs (--seed 0 --deterministic, 2 loader
    workers, every checkpoint kept) and a third resumed from the first's
    epoch_1.pth: the checkpoint a run stopped after epoch 1 leaves."""
    root = tmp_path_factory.mktemp('repro')
    # 8 clips per class: 3 steps of 8 an epoch
    subset = train_subset(easy_dataset, root / 'train.txt')
    options = ['--seed', '0', '--deterministic', '--data-root',
               easy_dataset, '--cfg-options',
               f'train_dataloader.dataset.ann_file={subset}',
               'train_dataloader.num_workers=2', 'train_cfg.max_epochs=2',
               'default_hooks.checkpoint.max_keep_ckpts=-1']
    runs = {}
    for name in ('first', 'second'):
        proc = run_tool('tools/train.py', TINY_CONFIG, '--work-dir',
                        root / name, *options)
        runs[name] = dict(work_dir=root / name, stdout=proc.stdout)
    proc = run_tool('tools/train.py', TINY_CONFIG, '--work-dir',
                    root / 'resumed', '--resume', root / 'first/epoch_1.pth',
                    *options)
    runs['resumed'] = dict(work_dir=root / 'resumed', stdout=proc.stdout,
                           stderr=proc.stderr)
    return runs


def _final(run):
    checkpoint = torch.load(Path(run['work_dir']) / 'epoch_2.pth',
                            map_location='cpu')
    top1 = re.search(r'last validation: .*acc/top1=([\d.]+)',
                     run['stdout']).group(1)
    lrs = [group['lr'] for group in checkpoint['optimizer']['param_groups']]
    return weights_digest(checkpoint['state_dict']), lrs, top1


def test_two_runs_with_one_seed_are_identical(small_runs):
    digest, lrs, top1 = _final(small_runs['first'])
    assert _final(small_runs['second']) == (digest, lrs, top1)
    # the weights moved: equal digests are not two untrained models
    first = torch.load(small_runs['first']['work_dir'] / 'epoch_1.pth',
                       map_location='cpu')
    assert weights_digest(first['state_dict']) != digest


def test_a_resumed_run_ends_where_the_uninterrupted_run_ends(small_runs):
    resumed = small_runs['resumed']
    assert 'resumed epoch: 1' in resumed['stdout'] + resumed['stderr']
    assert sorted(p.name for p in resumed['work_dir'].glob('epoch_*.pth')) \
        == ['epoch_2.pth']  # it trained epoch 2 only
    assert _final(resumed) == _final(small_runs['first'])
    # the state it resumed from is in the checkpoint, loadable weights_only
    checkpoint = torch.load(small_runs['first']['work_dir'] / 'epoch_1.pth',
                            map_location='cpu')
    assert checkpoint['rng_state']['epochs_done'] == 1
