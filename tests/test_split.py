"""The grouped, stratified, seeded split on many clips (no video decoding)."""
import random
from collections import Counter

import pytest

from dance_style.errors import DanceStyleError
from dance_style.prep.records import SourceClip
from dance_style.prep.split import assign_splits, parse_ratios


def make_records(seed=0):
    """19 classes x 120 source videos of 1-3 clips each, one 'missing'."""
    rng = random.Random(seed)
    records = []
    for label in range(19):
        for video in range(120):
            for clip in range(rng.randint(1, 3)):
                records.append(SourceClip(
                    dataset='kinetics700', clip_id=f'{label}-{video}-{clip}',
                    group=f'yt{label}-{video}', original_label=str(label),
                    label=label))
    records[0].fail('missing', 'test')
    return records


def test_groups_stay_together_and_classes_get_their_share():
    records = make_records()
    counts = assign_splits(records, parse_ratios('90,5,5'), seed=0)
    by_group = {}
    for r in records:
        if r.status == 'ok':
            by_group.setdefault(r.group, set()).add(r.split)
    assert all(len(s) == 1 for s in by_group.values())
    assert records[0].split == ''  # skipped clips are not split
    for label in range(19):
        total = sum(counts[s][label] for s in counts)
        for split, share in (('train', .9), ('val', .05), ('test', .05)):
            # within 3 clips (a group) of the exact share
            assert abs(counts[split][label] - share * total) <= 3, (
                label, split, counts[split][label], total)


def test_split_ignores_input_order_and_follows_the_seed():
    def splits(records):
        return {r.key: r.split for r in records}
    a = make_records()
    assign_splits(a, (90, 5, 5), seed=0)
    b = make_records()
    random.Random(1).shuffle(b)
    assign_splits(b, (90, 5, 5), seed=0)
    assert splits(a) == splits(b)
    c = make_records()
    assign_splits(c, (90, 5, 5), seed=1)
    assert splits(a) != splits(c)
    assert Counter(splits(a).values()) != Counter()


@pytest.mark.parametrize('text', ['90,10', 'a,b,c', '0,50,50', '-1,50,51'])
def test_bad_ratios(text):
    with pytest.raises(DanceStyleError, match='e.g. 90,5,5'):
        parse_ratios(text)


def test_ratios_are_normalised():
    assert parse_ratios('8,1,1') == pytest.approx((0.8, 0.1, 0.1))
