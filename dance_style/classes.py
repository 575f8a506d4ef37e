"""The 19 dance styles of the source study, in its label order (0..18)."""
from pathlib import Path
from typing import List, Sequence, Union

# Order and spelling follow the study ("Dancing in Style", Class Labels); every
# name is also a verbatim Kinetics-700-2020 label, so K700 CSV rows map by name.
DANCE19_CLASSES = (
    'belly dancing',
    'breakdancing',
    'country line dancing',
    'cumbia',
    'dancing ballet',
    'dancing charleston',
    'dancing gangnam style',
    'dancing macarena',
    'jumpstyle dancing',
    'krumping',
    'moon walking',
    'mosh pit dancing',
    'robot dancing',
    'salsa dancing',
    'square dancing',
    'swing dancing',
    'tango dancing',
    'tap dancing',
    'zumba',
)
NUM_CLASSES = len(DANCE19_CLASSES)


def load_label_map(path: Union[str, Path]) -> List[str]:
    """Read a label map file: one class name per line, line number = label."""
    lines = Path(path).read_text(encoding='utf-8').splitlines()
    return [line.strip() for line in lines if line.strip()]


def label_of(name: str, classes: Sequence[str] = DANCE19_CLASSES) -> int:
    """Integer label of a class name; raises ValueError naming the valid ones."""
    try:
        return list(classes).index(name)
    except ValueError:
        raise ValueError(f'unknown dance style {name!r}; known styles: '
                         + ', '.join(classes)) from None
