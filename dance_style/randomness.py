"""Random state that survives a resume, and loader workers seeded per epoch.

mmengine seeds Python, numpy and torch once, when the Runner starts, and its
checkpoints hold no random state. A run stopped after epoch k and resumed
therefore draws other crops, flips and dropout masks in epoch k+1 than the
uninterrupted run did, and ends with other weights. Its default
``worker_init_fn`` seeds every loader worker with ``seed + worker_id`` in every
epoch, so non-persistent workers repeat the same augmentations each epoch.

:class:`RandomStateHook` stores the generators' states at the end of each
training epoch in the checkpoint and puts them back before the next epoch,
in the uninterrupted run (undoing whatever validation drew in between) as in
the resumed one. :func:`seed_worker_per_epoch` seeds a worker's Python and
numpy generators from the seed torch gives that worker, which the loader
draws from the main process's torch generator each epoch: different every
epoch, and restored with it.
"""
import random
from typing import Optional

import numpy as np
import torch
from mmaction.registry import HOOKS
from mmengine.dist import get_dist_info
from mmengine.hooks import Hook
from mmengine.registry import FUNCTIONS

STATE_KEY = 'rng_state'


def capture_random_state(epochs_done: int) -> dict:
    """The Python, numpy and torch (CPU and CUDA) generator states, in types
    a ``weights_only`` checkpoint load accepts (tuples, ints, tensors)."""
    numpy_state = np.random.get_state(legacy=False)
    state = {
        'epochs_done': epochs_done,
        'python': random.getstate(),
        'numpy': {
            'bit_generator': numpy_state['bit_generator'],
            'key': torch.from_numpy(
                numpy_state['state']['key'].astype(np.int64)),
            'pos': int(numpy_state['state']['pos']),
            'has_gauss': int(numpy_state['has_gauss']),
            'gauss': float(numpy_state['gauss']),
        },
        'torch': torch.get_rng_state(),
    }
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state['cuda'] = torch.cuda.get_rng_state_all()
    return state


def restore_random_state(state: dict) -> None:
    """Put back what :func:`capture_random_state` took."""
    version, internal, gauss = state['python']
    random.setstate((version, tuple(internal), gauss))
    saved = state['numpy']
    np.random.set_state({
        'bit_generator': saved['bit_generator'],
        'state': {'key': saved['key'].numpy().astype(np.uint32),
                  'pos': saved['pos']},
        'has_gauss': saved['has_gauss'],
        'gauss': saved['gauss'],
    })
    torch.set_rng_state(state['torch'])
    cuda = state.get('cuda')
    if cuda is not None and torch.cuda.is_available() and \
            len(cuda) == torch.cuda.device_count():
        torch.cuda.set_rng_state_all(cuda)


@HOOKS.register_module()
class RandomStateHook(Hook):
    """Make a resumed run draw the same random numbers as an uninterrupted
    one: ``--resume`` after epoch k then ends with the same weights.

    At the end of each training epoch the generators' states are taken; every
    checkpoint of that epoch stores them under ``rng_state``; the next epoch
    starts from them, both in the same run and after a resume from that
    checkpoint. A checkpoint given as ``load_from`` (fine-tuning) starts at
    epoch 0 and its state is ignored. Epoch-based loops only.
    """

    # take the state before any other hook of after_train_epoch draws
    priority = 'HIGHEST'

    def __init__(self) -> None:
        self._state: Optional[dict] = None

    def after_train_epoch(self, runner) -> None:
        self._state = capture_random_state(runner.epoch + 1)

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        if self._state is not None and \
                self._state['epochs_done'] == checkpoint['meta'].get('epoch'):
            checkpoint[STATE_KEY] = self._state

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        self._state = checkpoint.get(STATE_KEY)

    def before_train_epoch(self, runner) -> None:
        # only the state taken when the epoch before this one ended: a
        # checkpoint of another run or epoch (load_from) leaves seeds as set
        if self._state is not None and \
                self._state['epochs_done'] == runner.epoch:
            restore_random_state(self._state)


@FUNCTIONS.register_module()
def seed_worker_per_epoch(worker_id: int) -> None:
    """``worker_init_fn`` of the training loaders: seed this worker's Python
    and numpy generators from torch's seed for it (the loader draws a base
    seed from the main process's torch generator for each epoch and adds the
    worker id) and from the distributed rank.

    mmengine's default seeds every worker with ``seed + worker_id`` in every
    epoch (repeating augmentations when workers are not persistent) and
    resets torch's seed too. Workers must not be persistent for this to run
    each epoch (the dataset configs set ``persistent_workers=False`` on the
    training loader).
    """
    rank, _ = get_dist_info()
    torch_seed = torch.initial_seed()  # base seed + worker_id, per epoch
    seeds = np.random.SeedSequence([torch_seed, rank, worker_id])
    words = seeds.generate_state(4)
    np.random.seed(words[:2])
    random.seed(int(words[2]) << 32 | int(words[3]))
