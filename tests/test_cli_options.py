"""--cfg-options keeps spaces in paths (mmengine's DictAction drops them)."""
import argparse

import pytest
from mmengine.config import DictAction

from dance_style.cli import ConfigOptionsAction


def parse(action, *words):
    parser = argparse.ArgumentParser()
    parser.add_argument('--cfg-options', nargs='+', action=action)
    return parser.parse_args(['--cfg-options', *words]).cfg_options


def test_mmengine_drops_spaces_from_paths():
    # the reason ConfigOptionsAction exists; if mmengine fixes this, the
    # subclass can go
    assert parse(DictAction, 'a=tap dancing/x.mp4') == {
        'a': 'tapdancing/x.mp4'}


def test_plain_values_keep_spaces_and_types():
    assert parse(ConfigOptionsAction, 'a=/data/easy data/videos',
                 'b=2', 'c=0.5', 'd=None', 'e=true', "f='quoted x'") == {
        'a': '/data/easy data/videos', 'b': 2, 'c': 0.5, 'd': None,
        'e': True, 'f': 'quoted x'}


def test_lists_and_tuples_parse_as_in_mmengine():
    words = ('a=[1, 2]', 'b=(3,4)', 'c=x,y')
    assert parse(ConfigOptionsAction, *words) == parse(DictAction, *words) \
        == {'a': [1, 2], 'b': (3, 4), 'c': ['x', 'y']}


def test_word_without_equals_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as info:
        parse(ConfigOptionsAction, 'train_cfg.max_epochs')
    assert info.value.code == 2
    assert 'expected key=value' in capsys.readouterr().err
