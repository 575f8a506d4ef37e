"""The table of the lists each config's build needs, generated from
``configs/metafile.yml`` (its ``Configs`` in order, each config's
checkpoint through :mod:`dance_style.zoo`) so that it cannot drift from
what ``--for-config`` requires. docs/data.md shows it as the
``pretraining-lists`` block (:mod:`dance_style.render_blocks`), which
``tools/render_results.py`` redraws; ``data_prep/pretraining_lists.py``
prints it."""
from typing import List, Sequence

from ..errors import DanceStyleError
from ..zoo import KINETICS_LISTS as LIST_NAMES
from .exclusion import need_of

# the file a README reader downloads for each list
LIST_FILES = {'k400': 'Kinetics-400 `train.csv`',
              'k600': 'Kinetics-600 `train.csv`',
              'k700': "Kinetics-700 `train.csv` (the Kinetics-700-2020 "
                      "download's own counts)"}


def metafile_configs() -> List[str]:
    """The configs of the metafile's ``Configs``, in its order."""
    import yaml

    from ..zoo import metafile_path
    path = metafile_path()
    data = yaml.safe_load(path.read_text(encoding='utf-8')) or {}
    configs = [entry['config'] for entry in data.get('Configs') or []]
    if not configs:
        raise DanceStyleError(f'{path} lists no Configs')
    return configs


def readme_table(configs: Sequence[str]) -> str:
    """The table: per config, its checkpoint, what that was trained on,
    and the lists a build for it needs."""
    rows = ['| config | fine-tunes from | whose weights were trained on '
            '(the metafile\'s words) | lists to exclude |',
            '| --- | --- | --- | --- |']
    for config in configs:
        need = need_of(config)
        if need.unknown:
            rows.append(f'| `{need.config}` | `{need.load_from}` | unknown: '
                        "not in the metafile's Checkpoints | `--for-config` "
                        'refuses it; pass its lists with `--exclude-from` |')
        elif need.checkpoint is None:
            rows.append(f'| `{need.config}` | no Kinetics checkpoint | '
                        '(no `load_from`) | none |')
        else:
            lists = '; '.join(f'`{n}`: {LIST_FILES.get(n, LIST_NAMES[n])}'
                              for n in need.lists) or 'none'
            rows.append(f'| `{need.config}` | `{need.checkpoint}` | '
                        f'{need.trained_on} | {lists} |')
    return '\n'.join(rows) + '\n'
