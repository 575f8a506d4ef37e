# What the test configs (tests/configs/*.py) share. Each lists the real
# config it makes cheaper first in _base_ and this file second, and takes
# what it needs from here by name (_base_.loader, _base_.small_clips): lists
# replace, they do not merge, so a test config still points its dataloaders
# at its pipelines. This file sets only keys that no real config sets
# (mmengine refuses a key that two bases both set).

# In-process loading: worker start-up would cost more than it saves here.
loader = dict(num_workers=0, persistent_workers=False)

# The demos' clips made cheaper (sweep_tiny.py, tiny_inception_rgb.py and,
# on flow frames, tiny_inception_flow.py): 8 frames every 4th (the same 2 s
# of motion as the demos' 16 every 2nd) at 48 px instead of 56. One view to
# validate and test on: a window of 8 frames every 4th spans the whole 32
# frames of an easy clip, so more views would be copies.
__clips = dict(type='SampleFrames', clip_len=8, frame_interval=4, num_clips=1)
__open = dict(type='DecordInit', io_backend='disk')
__decode = [dict(type='DecordDecode'), dict(type='Resize', scale=(-1, 52))]
__pack = [
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
small_clips = dict(
    train=[
        __open, __clips, *__decode,
        dict(type='RandomCrop', size=48),
        dict(type='Flip', flip_ratio=0.5), *__pack
    ],
    val=[
        __open, dict(__clips, test_mode=True), *__decode,
        dict(type='CenterCrop', crop_size=48), *__pack
    ])
