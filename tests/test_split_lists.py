"""Where a dataset folder's split lists live: one rule
(dance_style.resources.split_lists_dir), by which data prep writes them,
--data-root reads them and the configs name them."""
import os
from pathlib import Path

import pytest

from dance_style.config import load_config, set_data_root
from dance_style.resources import (ANNOTATIONS, DEFAULT_DATA_ROOT, REPO_ROOT,
                                   split_lists_dir)
from support import REPO

SPLITS = ('train', 'val', 'test')
CONFIGS = sorted(str(p.relative_to(REPO)) for folder in ('configs',
                                                          'configs/demo')
                 for p in (REPO / folder).glob('*.py'))


def test_a_dataset_folder_holds_its_own_lists(tmp_path):
    root = tmp_path / 'my data'
    assert split_lists_dir(root) == root / 'annotations'
    assert split_lists_dir(str(root)) == root / 'annotations'


def test_the_default_real_data_root_keeps_the_top_level_annotations(
        monkeypatch):
    assert DEFAULT_DATA_ROOT == REPO_ROOT / 'data' / 'dance19'
    assert ANNOTATIONS == REPO_ROOT / 'annotations'
    monkeypatch.chdir(REPO)
    for given in ('data/dance19', 'data/dance19/', './data/../data/dance19',
                  DEFAULT_DATA_ROOT):
        assert split_lists_dir(given) == ANNOTATIONS, given


def test_the_rule_is_the_root_itself_not_its_name(tmp_path, monkeypatch):
    """Another folder called data/dance19 (another checkout, or a relative
    path from elsewhere) is an ordinary dataset folder."""
    monkeypatch.chdir(tmp_path)
    assert split_lists_dir('data/dance19') == Path('data/dance19/annotations')


def dataset_locations(cfg):
    """(split, folder of its list, data root) of each split, absolute
    (configs name paths relative to the repository root)."""
    found = []
    for split in SPLITS:
        dataset = cfg[f'{split}_dataloader']['dataset']
        prefix = dataset['data_prefix']
        root = prefix.get('video', prefix.get('img'))
        found.append((split, (REPO / dataset['ann_file']).parent.resolve(),
                      REPO / root))
    return found


@pytest.mark.parametrize('config', CONFIGS)
def test_every_config_names_its_lists_where_the_rule_puts_them(config):
    for split, lists, root in dataset_locations(load_config(str(REPO /
                                                                config))):
        assert lists == split_lists_dir(root).resolve(), (split, root)


@pytest.mark.parametrize('config', ['configs/i3d_nl_dance.py',
                                    'configs/i3d_inception_flow_dance.py',
                                    'configs/demo/i3d_nl_dance_synthetic.py'])
def test_data_root_of_a_configs_own_root_changes_nothing(config,
                                                         monkeypatch):
    """--data-root with the config's own dataset folder (data/dance19 for
    the real data, whose lists are the top-level annotations/) reads the
    very lists the config names."""
    monkeypatch.chdir(REPO)  # the configs' paths are relative to it
    cfg = load_config(str(REPO / config))
    before = dataset_locations(cfg)
    set_data_root(cfg, os.path.relpath(before[0][2], REPO))
    assert dataset_locations(cfg) == before


def test_data_root_elsewhere_reads_that_folders_lists(tmp_path):
    cfg = load_config(str(REPO / 'configs/i3d_nl_dance.py'))
    set_data_root(cfg, str(tmp_path))
    for split, lists, root in dataset_locations(cfg):
        assert (lists, root) == ((tmp_path / 'annotations').resolve(),
                                 tmp_path)
