"""mmaction2 video lists, ``<path relative to the dataset root> <label>`` per
line, as data prep writes them (:mod:`.report`) and its later stages and the
demo read them back. Paths may hold spaces (Kinetics class folders), so a
line is split at its last space."""
from pathlib import Path
from typing import List, Tuple, Union

from ..errors import DanceStyleError


def read_video_list(path: Union[str, Path]) -> List[Tuple[str, int]]:
    """(relative video path, label) per non-empty line of ``path``."""
    entries = []
    text = Path(path).read_text(encoding='utf-8')
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        video, _, label = line.strip().rpartition(' ')
        if not video or not label.isdigit():
            raise DanceStyleError(f'{path}:{number}: expected "<video> '
                                  f'<label>", got {line!r}')
        entries.append((video, int(label)))
    return entries
