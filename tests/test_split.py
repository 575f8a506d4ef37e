"""The grouped, stratified, seeded split on many clips (no video decoding),
under the leak-free and the study protocol, with pretraining lists."""
import random
from collections import Counter

import pytest

from dance_style.errors import DanceStyleError
from dance_style.prep.records import SourceClip
from dance_style.prep.split import assign_splits, parse_ratios


def make_records(seed=0, validate=0):
    """19 classes x 120 source videos of 1-3 clips each, one 'missing';
    the first ``validate`` videos of each class from Kinetics' validate
    split, the rest from train."""
    rng = random.Random(seed)
    records = []
    for label in range(19):
        for video in range(120):
            for clip in range(rng.randint(1, 3)):
                records.append(SourceClip(
                    dataset='kinetics700', clip_id=f'{label}-{video}-{clip}',
                    group=f'yt{label}-{video}', original_label=str(label),
                    label=label,
                    source_split='validate' if video < validate else 'train'))
    records[0].fail('missing', 'test')
    return records


def letsdance_records(videos=20, labels=(1, 4, 17)):
    return [SourceClip(dataset='letsdance', clip_id=f'ld{label}-{v}-{c}',
                       group=f'ld{label}-{v}', original_label='x',
                       label=label)
            for label in labels for v in range(videos) for c in range(2)]


def test_groups_stay_together_and_classes_get_their_share():
    records = make_records()
    counts = assign_splits(records, parse_ratios('90,5,5'), seed=0,
                           protocol='study')['counts']
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
    assign_splits(a, (90, 5, 5), seed=0, protocol='study')
    b = make_records()
    random.Random(1).shuffle(b)
    assign_splits(b, (90, 5, 5), seed=0, protocol='study')
    assert splits(a) == splits(b)
    c = make_records()
    assign_splits(c, (90, 5, 5), seed=1, protocol='study')
    assert splits(a) != splits(c)
    assert Counter(splits(a).values()) != Counter()


@pytest.mark.parametrize('text', ['90,10', 'a,b,c', '0,50,50', '-1,50,51'])
def test_bad_ratios(text):
    with pytest.raises(DanceStyleError, match='e.g. 90,5,5'):
        parse_ratios(text)


def test_ratios_are_normalised():
    assert parse_ratios('8,1,1') == pytest.approx((0.8, 0.1, 0.1))


def test_leakfree_holds_out_only_validate_and_letsdance_clips():
    records = make_records(validate=20) + letsdance_records()
    # a validate clip cut from a video that also has a train clip
    records.append(SourceClip(
        dataset='kinetics700', clip_id='shared', group='yt3-50',
        original_label='3', label=3, source_split='validate'))
    result = assign_splits(records, parse_ratios('80,10,10'), seed=0)
    ok = [r for r in records if r.status == 'ok']
    kinetics_train = [r for r in ok if r.dataset == 'kinetics700'
                      and r.source_split == 'train']
    assert {r.split for r in kinetics_train} == {'train'}
    shared = next(r for r in ok if r.clip_id == 'shared')
    assert shared.split == 'train' and 'Kinetics train clip' in \
        shared.split_rule
    validate = [r for r in ok if r.source_split == 'validate'
                and r is not shared]
    assert {r.split for r in validate} == {'val', 'test'}
    # val and test share the validate clips 1:1, per class, within a group
    for label in range(19):
        val = sum(r.split == 'val' for r in validate if r.label == label)
        test = sum(r.split == 'test' for r in validate if r.label == label)
        assert abs(val - test) <= 3, (label, val, test)
    letsdance = Counter(r.split for r in ok if r.dataset == 'letsdance')
    assert letsdance['train'] > letsdance['val'] > 0 < letsdance['test']
    assert result['rules'] == {'kinetics_train': len(kinetics_train),
                               'shares_kinetics_train_video': 1}
    assert all(r.split_rule for r in kinetics_train)
    assert not any(r.split_rule for r in validate)


def test_study_protocol_pools_train_clips_into_val_and_test():
    records = make_records(validate=20)
    assign_splits(records, parse_ratios('90,5,5'), seed=0, protocol='study')
    held = Counter(r.source_split for r in records
                   if r.split in ('val', 'test'))
    assert held['train'] > held['validate'] > 0


@pytest.mark.parametrize('protocol', ['leakfree', 'study'])
def test_videos_in_a_pretraining_list_stay_out_of_val_and_test(protocol):
    records = make_records(validate=40) + letsdance_records()
    listed = {f'yt{label}-{v}' for label in range(19) for v in range(0, 40, 3)}
    listed |= {'ld4-0', 'ld4-1', 'ld4-2', 'not-in-the-dataset'}
    pretraining = {group: 'k400_train.csv' for group in listed}
    result = assign_splits(records, parse_ratios('80,10,10'), seed=0,
                           protocol=protocol, pretraining=pretraining)
    hits = [r for r in records if r.status == 'ok' and r.group in listed]
    assert len(hits) > 250
    assert {r.split for r in hits} == {'train'}
    assert all('pretraining list k400_train.csv' in r.split_rule
               for r in hits)
    assert result['rules']['pretraining_list'] == len(hits)
    # the rest still gives val and test clips of every class
    for split in ('val', 'test'):
        assert all(n > 0 for n in result['counts'][split].values())


def test_leakfree_needs_to_know_the_kinetics_split():
    records = make_records()
    records[5].source_split = ''
    records[5].origin = 'mine.csv:7'
    with pytest.raises(DanceStyleError, match='mine.csv:7: cannot tell'):
        assign_splits(records, (90, 5, 5))
    assign_splits(records, (90, 5, 5), protocol='study')  # no need there


def test_pretraining_lists_in_both_formats(tmp_path):
    from dance_style.prep.pretraining import read_pretraining_ids
    kinetics = tmp_path / 'train.csv'
    kinetics.write_text('label,youtube_id,time_start,time_end,split\n'
                        'tap dancing,--6q_33gNew,132,142,train\n'
                        'zumba,abcdefghijk,0,10,train\n')
    listing = tmp_path / 'k710_train_list_videos.txt'
    listing.write_text('# header\n'
                       'k400/train/zyxwvutsrqp_000010_000020.mp4 3\n'
                       'k700/train/--6q_33gNew_000132_000142.mp4 610\n')
    ids, report = read_pretraining_ids([kinetics, listing])
    assert ids == {'--6q_33gNew': 'train.csv', 'abcdefghijk': 'train.csv',
                   'zyxwvutsrqp': 'k710_train_list_videos.txt'}
    assert report[str(listing)] == dict(ids=2, unreadable_lines=1)
    with pytest.raises(DanceStyleError, match='no such file'):
        read_pretraining_ids([tmp_path / 'nowhere.csv'])
    empty = tmp_path / 'notes.txt'
    empty.write_text('nothing here\n')
    with pytest.raises(DanceStyleError, match='no YouTube id found'):
        read_pretraining_ids([empty])


def test_classes_of_one_video_each_still_fill_val_and_test():
    """One validate video per class: each class can only go to val or test
    whole; the pool as a whole still gets both, about evenly."""
    records = [SourceClip(dataset='kinetics700', clip_id=f'v{label}',
                          group=f'yt{label}', original_label=str(label),
                          label=label, source_split='validate')
               for label in range(19)]
    assign_splits(records, parse_ratios('80,10,10'), seed=0)
    splits = Counter(r.split for r in records)
    assert set(splits) == {'val', 'test'}
    assert abs(splits['val'] - splits['test']) <= 1
