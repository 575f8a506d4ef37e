"""Stage 4: a grouped, stratified, seeded train/val/test split, under an
evaluation protocol that knows what pretrained checkpoints have seen.

Clips cut from the same source video (same YouTube id, which Let's Dance
video ids also are) always land in the same split: otherwise the model is
tested on seconds of a video it trained on, and the test score measures
memory of the video rather than knowledge of the style. Within that
constraint each class gets close to the requested ratios.

Protocols (``--protocol``):

* ``leakfree`` (default): every Kinetics checkpoint we fine-tune from was
  trained on Kinetics *train* clips, and all 19 labels are Kinetics-700
  classes, so a Kinetics train clip in val or test is a clip the network
  was trained on, with its label. Here Kinetics train clips go to train
  only; val and test are drawn from Kinetics' own *validate* clips (val and
  test in the ratio of ``--split``'s last two numbers) and from Let's Dance
  (all three ratios). A validate or Let's Dance clip whose video also has a
  Kinetics train clip goes to train with it.
* ``study``: the study's pooled split of everything, kept to reproduce it.

Under both, a clip whose YouTube id appears in a list of pretraining clips
(``--exclude-from``: the annotation CSVs a checkpoint was trained on) stays
out of val and test. Each clip that a rule, not the draw, placed gets its
reason in ``split_rule``.

The result depends only on the seed and on the set of (clip, group, label)
triples, never on the order clips were found or finished, so a resumed run
splits exactly as an uninterrupted one.
"""
import collections
import random
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

from ..errors import DanceStyleError
from .records import SourceClip

SPLITS = ('train', 'val', 'test')
DEFAULT_RATIOS = (90, 5, 5)  # the study's split
PROTOCOLS = ('leakfree', 'study')
DEFAULT_PROTOCOL = 'leakfree'
# what each rule does, as the summary and the manifest say it
RULES = {
    'kinetics_train': 'Kinetics train split: pretraining data of Kinetics '
                      'checkpoints, train only',
    'shares_kinetics_train_video': 'its video also has a Kinetics train '
                                   'clip: train with it',
    'pretraining_list': 'its video is in the pretraining list {source}: '
                        'kept out of val and test',
}


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


def _pool_of(members: List[SourceClip], protocol: str,
             pretraining: Mapping[str, str]) -> Tuple[str, Optional[str]]:
    """Which splits a group may go to: 'train' (with the rule that pins it
    there), 'heldout' (val/test only) or 'all'."""
    group = members[0].group
    if group and group in pretraining:
        return 'train', 'pretraining_list'
    if protocol == 'study':
        return 'all', None
    kinetics = [r for r in members if r.dataset == 'kinetics700']
    unknown = [r for r in kinetics if r.source_split not in
               ('train', 'validate')]
    if unknown:
        raise DanceStyleError(
            f'{unknown[0].origin}: cannot tell whether this Kinetics clip is '
            'from the train or the validate split (no "split" column, and '
            'the CSV is not named train.csv / validate.csv); the leak-free '
            'protocol needs it. Name the files as Kinetics does, or pass '
            '--protocol study.')
    if any(r.source_split == 'train' for r in kinetics):
        return 'train', 'kinetics_train'
    if kinetics:
        return 'heldout', None
    return 'all', None


def _rule_of(record: SourceClip, rule: str) -> str:
    """The rule that pinned ``record``'s group, as it applies to it."""
    if rule == 'kinetics_train' and not (
            record.dataset == 'kinetics700'
            and record.source_split == 'train'):
        return 'shares_kinetics_train_video'
    return rule


def assign_splits(records: List[SourceClip],
                  ratios: Sequence[float] = DEFAULT_RATIOS,
                  seed: int = 0, protocol: str = DEFAULT_PROTOCOL,
                  pretraining: Optional[Mapping[str, str]] = None) -> dict:
    """Set ``record.split`` (and ``split_rule``) for every 'ok' record.

    ``pretraining`` maps YouTube ids to the list that names them
    (:func:`dance_style.prep.pretraining.read_pretraining_ids`).

    Returns ``counts`` (clips per split and label) and ``rules`` (clips
    each rule placed, by the keys of RULES).

    Groups are placed one at a time, largest first (ties in seeded random
    order), each into the allowed split whose share of the group's main
    class is furthest below its target. Large groups first keeps the small
    ones free to even out the counts at the end. Targets are per pool:
    the val/test-only pool of the leak-free protocol has its own.
    """
    if protocol not in PROTOCOLS:
        raise DanceStyleError(f'unknown protocol {protocol!r}; use one of '
                              f'{", ".join(PROTOCOLS)}')
    pretraining = pretraining or {}
    ratios = [r / sum(ratios) for r in ratios]
    held = sum(ratios[1:])
    pool_ratios = {
        'all': ratios, 'train': [1.0, 0.0, 0.0],
        # val:test as asked; no held-out share at all: train
        'heldout': [0.0, ratios[1] / held, ratios[2] / held] if held
        else [1.0, 0.0, 0.0]}
    clips = sorted((r for r in records if r.status == 'ok'),
                   key=lambda r: r.key)
    groups: Dict[str, List[SourceClip]] = collections.defaultdict(list)
    for record in clips:
        record.split_rule = ''
        groups[record.group or record.key].append(record)
    pool_of = {}
    rules = collections.Counter()
    for name, members in groups.items():
        pool, rule = _pool_of(members, protocol, pretraining)
        pool_of[name] = pool
        for record in members if rule else ():
            key = _rule_of(record, rule)
            rules[key] += 1
            record.split_rule = RULES[key].format(
                source=pretraining.get(record.group, ''))
    per_label = collections.Counter((pool_of[r.group or r.key], r.label)
                                    for r in clips)
    targets = {key: [n * ratio for ratio in pool_ratios[key[0]]]
               for key, n in per_label.items()}
    placed = {key: [0, 0, 0] for key in per_label}
    pool_targets = {pool: [0.0, 0.0, 0.0] for pool in pool_ratios}
    for (pool, _), target in targets.items():
        pool_targets[pool] = [a + b for a, b in zip(pool_targets[pool],
                                                     target)]
    pool_placed = {pool: [0, 0, 0] for pool in pool_ratios}
    counts = {label: [0, 0, 0] for label in sorted({r.label for r in clips})}

    rng = random.Random(seed)
    order = sorted(groups)
    rng.shuffle(order)
    order.sort(key=lambda g: -len(groups[g]))  # stable: shuffled ties
    for group in order:
        members = groups[group]
        labels = collections.Counter(r.label for r in members)
        main = (pool_of[group],
                max(sorted(labels), key=lambda label: labels[label]))
        allowed = pool_ratios[main[0]]
        # the split that most needs this class, relative to its target;
        # on ties, the one its pool as a whole needs most (else classes of
        # a single video would all land in the first held-out split), then
        # train first, so tiny classes keep training clips
        need = [(targets[main][i] - placed[main][i]) /
                max(targets[main][i], 1e-9) if allowed[i] > 0 else -1e9
                for i in range(3)]
        pool_need = [(pool_targets[main[0]][i] - pool_placed[main[0]][i]) /
                     max(pool_targets[main[0]][i], 1e-9) for i in range(3)]
        best = max(range(3), key=lambda i: (need[i], pool_need[i], -i))
        for record in members:
            record.split = SPLITS[best]
            placed[(main[0], record.label)][best] += 1
            pool_placed[main[0]][best] += 1
            counts[record.label][best] += 1
    return dict(
        counts={split: {label: counts[label][i] for label in counts}
                for i, split in enumerate(SPLITS)},
        rules={key: rules[key] for key in RULES if rules[key]})
