"""Small pieces of the data preparation, without videos."""
import numpy as np
import pytest

from dance_style.errors import DanceStyleError
from dance_style.prep import kinetics, letsdance
from dance_style.prep.normalise import output_size
from dance_style.transforms import GaussianNoise
from dance_style.video import decord_safe_width


def test_kinetics_csvs_are_found_under_either_name(tmp_path):
    (tmp_path / 'kinetics_train.csv').write_text('label,youtube_id\n')
    (tmp_path / 'annotations').mkdir()
    (tmp_path / 'annotations' / 'validate.csv').write_text('x\n')
    assert kinetics.find_csvs(tmp_path) == [
        tmp_path / 'kinetics_train.csv',
        tmp_path / 'annotations' / 'validate.csv']
    with pytest.raises(DanceStyleError, match='no Kinetics annotation CSV'):
        kinetics.find_csvs(tmp_path / 'annotations' / 'nothing')


def test_kinetics_csv_rows(tmp_path):
    path = tmp_path / 'train.csv'
    path.write_text(
        'label,youtube_id,time_start,time_end,split\n'
        'tap dancing,--6q_33gNew,132,142,train\n'     # id starts with '-'
        'playing guitar,abcdefghijk,1,11,train\n'     # not a dance label
        'zumba,abcdefghijk,x,11,train\n'               # bad time
        '"tango dancing",tango_id_01,5,15,train\n'     # quoted field
        '\n')
    records, counts = kinetics.read_csv(path)
    assert counts == {'rows': 4, 'dance': 2, 'other_labels': 1,
                      'malformed': 1}
    ok = [r for r in records if r.status == 'ok']
    assert [r.clip_id for r in ok] == ['--6q_33gNew_000132_000142',
                                       'tango_id_01_000005_000015']
    assert [r.label for r in ok] == [17, 16]
    bad = next(r for r in records if r.status == 'malformed')
    assert f'{path}:4' in bad.reason and 'whole number' in bad.reason


def test_kinetics_csv_without_the_header(tmp_path):
    path = tmp_path / 'test.csv'
    path.write_text('youtube_id,time_start,time_end,split\nabc,0,10,test\n')
    with pytest.raises(DanceStyleError, match='lacks label'):
        kinetics.read_csv(path)


def test_letsdance_label_map(tmp_path):
    default = letsdance.load_label_map()
    assert default['ballet'] == 4 and default['square'] == 14
    # dropped: waltz has no dance19 label; latin is not shown to be salsa
    assert default['waltz'] is None and default['latin'] is None
    assert sum(label is not None for label in default.values()) == 6
    bad = tmp_path / 'map.csv'
    bad.write_text('letsdance_class,dance19_label\nballet,ballett\n')
    with pytest.raises(DanceStyleError, match='not one of the 19 labels'):
        letsdance.load_label_map(bad)


@pytest.mark.parametrize('frames, fps', [(240, 24), (241, 24), (251, 25),
                                         (300, 30), (301, 30), (498, 50),
                                         (601, 60)])
def test_letsdance_standard_frame_counts_keep_their_rate(frames, fps):
    assert letsdance.frame_rate(frames) == (fps, '')


@pytest.mark.parametrize('frames', [51, 120, 238, 270, 298, 400])
def test_letsdance_other_counts_are_read_at_30_fps_with_a_reason(frames):
    rate, rule = letsdance.frame_rate(frames)
    assert rate == 30  # never re-timed to last 10 s
    assert f'{frames} frames' in rule and f'{frames / 30:.1f} s' in rule


def _frames_tree(root, classes, name='vid_000_{:04d}.jpg', count=3):
    for cls in classes:
        folder = root / cls
        folder.mkdir(parents=True)
        for i in range(count):
            (folder / name.format(i)).write_bytes(b'jpg')


@pytest.mark.parametrize('layout', ['', 'rgb', 'rgb/rgb'])
def test_letsdance_class_folders_found_up_to_two_levels_down(tmp_path,
                                                            layout):
    _frames_tree(tmp_path / layout, ['ballet', 'tango', 'waltz'])
    records, summary = letsdance.collect(tmp_path)
    assert summary['rgb_folder'] == str(tmp_path / layout).rstrip('/')
    assert {r.original_label for r in records} == {'ballet', 'tango',
                                                   'waltz'}
    assert all(r.fps == 30 and r.fps_rule for r in records)  # 3 frames


def test_letsdance_tree_without_class_folders_is_refused(tmp_path):
    _frames_tree(tmp_path / 'frames' / 'jpg', ['clip_a', 'clip_b'])
    with pytest.raises(DanceStyleError) as error:
        letsdance.collect(tmp_path)
    message = str(error.value)
    assert 'no Let\'s Dance class folder' in message
    assert 'frames/jpg/clip_a' in message


def test_output_sizes_scale_down_only_and_suit_decord():
    assert output_size(720, 1280, 256) == (256, 456)
    assert output_size(240, 320, 256) == (240, 320)   # never scaled up
    assert output_size(64, 85, 64) == (64, 84)        # even
    assert decord_safe_width(48) == 50 and decord_safe_width(47) == 50
    assert output_size(36, 48, 64) == (36, 50)


def test_gaussian_noise_transform():
    np.random.seed(0)
    imgs = [np.full((32, 32, 3), 128, np.uint8) for _ in range(4)]
    out = GaussianNoise(sigma=8.0, prob=1.0).transform(dict(imgs=list(imgs)))
    noise = np.stack(out['imgs']).astype(float) - 128
    assert abs(noise.std() - 8.0) < 0.5 and abs(noise.mean()) < 0.5
    assert out['imgs'][0].dtype == np.uint8
    same = GaussianNoise(sigma=8.0, prob=0.0).transform(dict(imgs=list(imgs)))
    assert all(np.array_equal(a, b) for a, b in zip(same['imgs'], imgs))
    with pytest.raises(ValueError):
        GaussianNoise(sigma=-1)
