"""DanceVideoDataset: names with spaces work, bad input gets clear errors."""
import pytest

from dance_style.datasets import DanceVideoDataset
from dance_style.errors import DanceStyleError


def make_tree(tmp_path, lines, videos=('tap dancing/a b_000001_000011.mp4',)):
    root = tmp_path / 'videos'
    for video in videos:
        path = root / video
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b'not decoded here')
    ann = tmp_path / 'ann.txt'
    ann.write_text('\n'.join(lines) + '\n')
    return ann, root


def build(ann, root, **kwargs):
    return DanceVideoDataset(
        ann_file=str(ann), data_prefix=dict(video=str(root)), pipeline=[],
        **kwargs)


def test_file_names_with_spaces(tmp_path):
    ann, root = make_tree(tmp_path, ['tap dancing/a b_000001_000011.mp4 17'])
    dataset = build(ann, root)
    info = dataset.get_data_info(0)
    assert info['filename'] == str(root / 'tap dancing/a b_000001_000011.mp4')
    assert info['label'] == 17


@pytest.mark.parametrize('line, expected', [
    ('tap dancing/a b_000001_000011.mp4 19', 'outside 0..18'),
    ('tap dancing/a b_000001_000011.mp4 -1', 'outside 0..18'),
    ('tap dancing/a b_000001_000011.mp4 tap', 'not an integer'),
    ('justonefield', 'expected "<video path> <label>"'),
])
def test_bad_lines_name_file_and_line(tmp_path, line, expected):
    ann, root = make_tree(tmp_path, [
        'tap dancing/a b_000001_000011.mp4 17', line])
    with pytest.raises(DanceStyleError) as info:
        build(ann, root)
    assert expected in str(info.value)
    assert 'line 2' in str(info.value)


def test_missing_annotation_file_says_how_to_make_it(tmp_path):
    with pytest.raises(DanceStyleError, match='annotation file not found'
                       ) as info:
        build(tmp_path / 'nope.txt', tmp_path)
    assert 'data_prep/build_dataset.py' in str(info.value)


def test_missing_video_folder(tmp_path):
    ann, _ = make_tree(tmp_path, ['tap dancing/a b_000001_000011.mp4 17'])
    with pytest.raises(DanceStyleError, match='video folder not found'):
        build(ann, tmp_path / 'elsewhere')


def test_missing_videos_are_counted(tmp_path):
    ann, root = make_tree(tmp_path, [
        'tap dancing/a b_000001_000011.mp4 17', 'gone/x.mp4 3',
        'gone/y.mp4 4'])
    with pytest.raises(DanceStyleError, match='2 of 3 videos'):
        build(ann, root)


def test_empty_annotation_file(tmp_path):
    ann, root = make_tree(tmp_path, [''])
    with pytest.raises(DanceStyleError, match='lists no clips'):
        build(ann, root)
