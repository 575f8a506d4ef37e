"""Where the repository's data files live: the one module that knows.

The repository keeps its data files in its own folders (the label maps in
``annotations/``, the Let's Dance class table in ``data_prep/``, the
sweep's search space in ``configs/sweeps/``), not inside the package. The
package is installed editable from that checkout (``tools/setup_env.sh``),
so they are found relative to it here; every other module asks this one.
"""
from pathlib import Path

from .errors import DanceStyleError

REPO_ROOT = Path(__file__).resolve().parent.parent

# label maps (committed) and the default real-data root's split lists
ANNOTATIONS = REPO_ROOT / 'annotations'
# the 19 class names in label order (one per line; dance_style.classes
# holds the same tuple, tests/test_configs.py checks they agree)
LABEL_MAP = ANNOTATIONS / 'label_map.txt'
# class names of the Kinetics-400/700/710 heads in mmaction2's model-zoo row
# order, label_map_k{400,700,710}.txt (dance_style.kinetics_heads)
KINETICS_LABEL_MAPS = ANNOTATIONS / 'kinetics'
# where data_prep/build_dataset.py puts the real dataset by default (--out)
# and the real-data configs read it (data_root)
DEFAULT_DATA_ROOT = REPO_ROOT / 'data' / 'dance19'
# Let's Dance class -> dance19 label (data_prep --letsdance-map)
LETSDANCE_LABELS = REPO_ROOT / 'data_prep' / 'letsdance_labels.csv'
# the study's hyper-parameter space (tools/sweep.py --search-space)
STUDY_SPACE = REPO_ROOT / 'configs' / 'sweeps' / 'study_space.yaml'
# the configs, for tools that name one by default
CONFIGS = REPO_ROOT / 'configs'


def split_lists_dir(root) -> Path:
    """The folder of the split lists (``dance19_{train,val,test}.txt``, the
    flow's ``dance19_flow_*.txt``) of the dataset folder ``root``: the one
    rule, by which data prep writes them and ``--data-root`` reads them.

    ``root/annotations``, so that a dataset folder carries its own lists;
    except for the default real-data root, ``data/dance19``, whose lists are
    the repository's ``annotations/`` beside the label map: where the
    real-data configs read them, so ``--data-root data/dance19`` is the
    configs' own setting.
    """
    if Path(root).resolve() == DEFAULT_DATA_ROOT.resolve():
        return ANNOTATIONS
    return Path(root) / 'annotations'


def shown(path: Path) -> str:
    """``path`` relative to the repository when it lies inside (for help
    texts and messages), else as given."""
    try:
        return str(Path(path).relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


def require(path: Path) -> Path:
    """``path``, or a clear error when the package runs without its
    repository checkout (installed from a wheel instead of ``pip install
    -e .``)."""
    if not Path(path).exists():
        raise DanceStyleError(
            f'{path} is missing: dance_style reads its data files from the '
            'repository it was installed from. Install it editable from a '
            'checkout (make install, or pip install -e .).')
    return Path(path)
