"""FlowFlip: mirroring optical flow left to right negates x in every frame,
where mmaction2 1.x's Flip negates whole frames of stacked x/y flow; a flow
dataset refuses Flip."""
import numpy as np
import pytest
from mmaction.datasets.transforms.processing import Flip
from mmaction.registry import TRANSFORMS

from dance_style.errors import DanceStyleError
from dance_style.transforms import FlowFlip

# 8-bit flow around 128: x = 160 is +5 px (rightward), y = 108 is -2.5 px
X, Y = 160, 108


def stacked_flow(frames=2):
    """Frames of uniform motion, x and y stacked as RawFrameDecode does."""
    return [np.dstack([np.full((2, 3), X, np.uint8),
                       np.full((2, 3), Y, np.uint8)]) for _ in range(frames)]


def flipped(transform, imgs, modality='Flow'):
    out = transform.transform(dict(imgs=imgs, modality=modality,
                                   img_shape=imgs[0].shape[:2]))['imgs']
    return [tuple(int(v) for v in frame[0, 0]) for frame in out]


def test_upstream_flip_negates_every_second_frame_whole():
    # frame 0: x and y both inverted; frame 1 untouched
    assert flipped(Flip(flip_ratio=1.0), stacked_flow()) == [
        (255 - X, 255 - Y), (X, Y)]


def test_flow_flip_negates_x_in_every_frame():
    # leftward motion after the flip, the same vertical motion
    assert flipped(FlowFlip(flip_ratio=1.0), stacked_flow(3)) == [
        (255 - X, Y)] * 3


def test_flow_flip_of_the_old_layout_goes_by_position():
    # mmaction2 0.x: single-channel images x, y, x, y, ...
    imgs = [np.full((2, 3), v, np.uint8) for v in (X, Y, X, Y)]
    out = FlowFlip(flip_ratio=1.0).transform(dict(
        imgs=imgs, modality='Flow', img_shape=(2, 3)))['imgs']
    assert [int(img[0, 0]) for img in out] == [255 - X, Y, 255 - X, Y]


def test_flow_flip_mirrors_the_pixels_too():
    frame = np.zeros((1, 3, 2), np.uint8)
    frame[0, :, 0] = (10, 20, 30)
    out = FlowFlip(flip_ratio=1.0).transform(dict(
        imgs=[frame], modality='Flow', img_shape=(1, 3)))['imgs'][0]
    assert out[0, :, 0].tolist() == [255 - 30, 255 - 20, 255 - 10]


def test_rgb_clips_flip_exactly_as_upstream():
    rng = np.random.default_rng(0)
    clip = [rng.integers(0, 256, (4, 5, 3), dtype=np.uint8)
            for _ in range(2)]
    ours = FlowFlip(flip_ratio=1.0).transform(dict(
        imgs=[c.copy() for c in clip], modality='RGB',
        img_shape=(4, 5)))['imgs']
    upstream = Flip(flip_ratio=1.0).transform(dict(
        imgs=[c.copy() for c in clip], modality='RGB',
        img_shape=(4, 5)))['imgs']
    assert all(np.array_equal(a, b) for a, b in zip(ours, upstream))
    assert TRANSFORMS.get('FlowFlip') is FlowFlip


def test_a_flow_dataset_refuses_flip(tmp_path):
    from dance_style.datasets import DanceRawframeDataset
    (tmp_path / 'clip').mkdir()
    ann = tmp_path / 'list.txt'
    ann.write_text('clip 5 0\n')
    with pytest.raises(DanceStyleError, match='FlowFlip'):
        DanceRawframeDataset(
            ann_file=str(ann), data_prefix=dict(img=str(tmp_path)),
            pipeline=[dict(type='Flip', flip_ratio=0.5)], modality='Flow',
            filename_tmpl='flow_{}_{:05d}.jpg')
