"""What the tests share besides fixtures: the suite's facts and helpers.

``tests/conftest.py`` holds only fixtures and pytest hooks; a test imports
what it needs from here (``from support import REPO, run_tool``), never
from conftest. pytest puts ``tests/`` on ``sys.path`` (rootdir-relative
"prepend" import mode), which is how ``support`` is found.

* :mod:`.suite`: the repository, the tiny config and the facts of the
  shared fixtures; ``train_subset``;
* :mod:`.tools`: ``run_tool`` / ``start_tool``, the tools as a user runs
  them, forked from a server that imported the libraries once
  (:mod:`.forked_tools`, :mod:`.tool_preload`);
* :mod:`.shared`: a fixture's value built once per session across xdist
  workers;
* :mod:`.slow`: ``slow_fixture``, a fixture whose users are slow tests;
  the order files run in;
* :mod:`.zoo_server`: a model zoo on 127.0.0.1;
* ``register_probe.py``: a script that runs tools up to their
  ``register_all_modules()`` in processes that have not registered.
"""
from .slow import slow_fixture
from .suite import (EASY_CLASSES, REPO, TINY_CONFIG, TINY_EPOCHS,
                    TWO_TEST_VIEWS, train_subset)
from .tools import run_tool, start_tool

__all__ = ['EASY_CLASSES', 'REPO', 'TINY_CONFIG', 'TINY_EPOCHS',
           'TWO_TEST_VIEWS', 'run_tool', 'slow_fixture', 'start_tool',
           'train_subset']
