"""Stage 4: a grouped, stratified, seeded train/val/test split.

Clips cut from the same source video (same YouTube id, which Let's Dance
video ids also are) always land in the same split: otherwise the model is
tested on seconds of a video it trained on, and the test score measures
memory of the video rather than knowledge of the style. Within that
constraint each class gets close to the requested ratios.

The result depends only on the seed and on the set of (clip, group, label)
triples, never on the order clips were found or finished, so a resumed run
splits exactly as an uninterrupted one.
"""
import collections
import random
from typing import Dict, List, Sequence, Tuple

from ..errors import DanceStyleError
from .records import SourceClip

SPLITS = ('train', 'val', 'test')
DEFAULT_RATIOS = (90, 5, 5)  # the study's split


def parse_ratios(text: str) -> Tuple[float, float, float]:
    """'90,5,5' or '0.8,0.1,0.1' -> fractions summing to 1."""
    try:
        values = [float(v) for v in str(text).split(',')]
    except ValueError:
        values = []
    if len(values) != 3 or min(values) < 0 or sum(values) <= 0 \
            or values[0] <= 0:
        raise DanceStyleError(
            f'--split {text!r}: give three non-negative numbers for train, '
            'val and test, train above 0, e.g. 90,5,5')
    total = sum(values)
    return tuple(v / total for v in values)


def assign_splits(records: List[SourceClip],
                  ratios: Sequence[float] = DEFAULT_RATIOS,
                  seed: int = 0) -> Dict[str, Dict[int, int]]:
    """Set ``record.split`` for every 'ok' record; returns clip counts per
    split and label.

    Groups are placed one at a time, largest first (ties in seeded random
    order), each into the split whose share of the group's main class is
    furthest below its target. Large groups first keeps the small ones free
    to even out the counts at the end.
    """
    ratios = [r / sum(ratios) for r in ratios]
    clips = sorted((r for r in records if r.status == 'ok'),
                   key=lambda r: r.key)
    groups: Dict[str, List[SourceClip]] = collections.defaultdict(list)
    for record in clips:
        groups[record.group or record.key].append(record)
    per_label = collections.Counter(r.label for r in clips)
    targets = {label: [n * ratio for ratio in ratios]
               for label, n in per_label.items()}
    counts = {label: [0, 0, 0] for label in per_label}

    rng = random.Random(seed)
    order = sorted(groups)
    rng.shuffle(order)
    order.sort(key=lambda g: -len(groups[g]))  # stable: shuffled ties
    for group in order:
        members = groups[group]
        labels = collections.Counter(r.label for r in members)
        main = max(sorted(labels), key=lambda label: labels[label])
        # the split that most needs this class, relative to its target;
        # train first on ties, so tiny classes keep training clips
        need = [(targets[main][i] - counts[main][i]) /
                max(targets[main][i], 1e-9) if ratios[i] > 0 else -1e9
                for i in range(3)]
        best = max(range(3), key=lambda i: (need[i], -i))
        for record in members:
            record.split = SPLITS[best]
            counts[record.label][best] += 1
    return {split: {label: counts[label][i] for label in sorted(counts)}
            for i, split in enumerate(SPLITS)}
