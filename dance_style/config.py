"""Reading a config, pointing it at a dataset folder and applying
``--cfg-options`` in one step (:func:`prepare`, what every tool does), and
fitting its schedule to the run's length."""
import os.path as osp
from pathlib import Path
from typing import List, Optional, Union

from mmengine.config import Config

from .errors import DanceStyleError
from .resources import split_lists_dir

SPLITS = ('train', 'val', 'test')
# data_prefix keys of the dance19 datasets: videos (DanceVideoDataset) or
# frame folders (DanceRawframeDataset, the optical flow)
PREFIX_KEYS = ('video', 'img')


def load_config(path: str) -> Config:
    """``Config.fromfile`` with a clear error for a wrong path."""
    if not osp.isfile(path):
        raise DanceStyleError(
            f'config file not found: {path}\n'
            'Configs live in configs/, e.g. configs/i3d_nl_dance.py or '
            'configs/demo/i3d_nl_dance_synthetic.py.')
    return Config.fromfile(path)


def prepare(config: Union[str, Path, Config],
            data_root: Optional[str] = None,
            cfg_options: Optional[dict] = None) -> Config:
    """The config of a run: loaded, pointed at a dataset folder, overridden.

    ``config`` is a path (loaded with the clear error of
    :func:`load_config`) or a ``Config`` a tool has already changed with its
    own flags (``apply_train_args``, ``apply_test_args``). ``data_root``
    points every split at one dataset folder (:func:`set_data_root`);
    ``cfg_options`` (``--cfg-options`` as :mod:`dance_style.cli` parses
    them, dotted keys) are merged last, so they win over the file, the data
    root and the flags, as in mmaction2's tools.
    """
    cfg = config if isinstance(config, Config) else load_config(str(config))
    if data_root is not None:
        set_data_root(cfg, data_root)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    return cfg


def set_work_dir(cfg: Config, config_path: str,
                 work_dir: Optional[str] = None) -> None:
    """``work_dir`` when given, else the config's, else
    ``work_dirs/<config name>``: the config file name is the experiment id,
    as in mmaction2."""
    if work_dir is not None:
        cfg.work_dir = work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('work_dirs',
                                osp.splitext(osp.basename(config_path))[0])


def set_data_root(cfg: Config, root: str,
                  ann_dir: Optional[str] = None) -> None:
    """Point every split of ``cfg`` at the dataset folder ``root``.

    A dataset folder is what ``data_prep/build_dataset.py --out ROOT``
    (and ``make_synthetic.py``) write: clips under ``root``, lists where
    :func:`~dance_style.resources.split_lists_dir` says (``root/annotations``;
    ``annotations/`` for ``data/dance19``), or in ``ann_dir``. Each
    split keeps its list's file name (``dance19_train.txt``,
    ``dance19_flow_val.txt`` ...) and reads it from there, with paths
    relative to ``root``. The one place a dataset's location is given,
    instead of an ``ann_file`` and a ``data_prefix`` per split
    (``--data-root`` of the tools, the demo driver, the tests).
    """
    ann_dir = ann_dir or str(split_lists_dir(root))
    for split in SPLITS:
        loader = cfg.get(f'{split}_dataloader')
        if not loader:  # e.g. no validation (--no-validate)
            continue
        dataset = loader['dataset']
        keys = [k for k in PREFIX_KEYS if k in dataset.get('data_prefix', {})]
        if 'ann_file' not in dataset or len(keys) != 1:
            raise DanceStyleError(
                f'{split}_dataloader.dataset has no ann_file and data_prefix.'
                f'video/img to re-point; set them with --cfg-options instead '
                'of --data-root')
        dataset['ann_file'] = osp.join(ann_dir,
                                       osp.basename(dataset['ann_file']))
        dataset['data_prefix'][keys[0]] = root


def drop_schedulers_past_the_end(cfg: Config) -> List[str]:
    """Remove the epoch-based schedulers that would begin at or after
    ``train_cfg.max_epochs``; returns a description of each one removed.

    Schedules state no length: mmengine ends a scheduler without ``end`` at
    max_epochs. In a run shorter than a schedule's first phase (a 1-epoch
    run of a schedule whose cosine follows a 1-epoch warm-up) the later
    phase has nothing to do, and mmengine refuses it (``end should be
    larger than begin``); the earlier phases run as written.
    """
    schedulers = cfg.get('param_scheduler')
    max_epochs = cfg.get('train_cfg', {}).get('max_epochs')
    if not schedulers or max_epochs is None:
        return []
    if isinstance(schedulers, dict):
        schedulers = [schedulers]
    kept, dropped = [], []
    for scheduler in schedulers:
        if scheduler.get('by_epoch', True) and \
                scheduler.get('begin', 0) >= max_epochs:
            dropped.append(f'{scheduler["type"]} from epoch '
                           f'{scheduler["begin"]}')
        else:
            kept.append(scheduler)
    if dropped:
        cfg.param_scheduler = kept
    return dropped
