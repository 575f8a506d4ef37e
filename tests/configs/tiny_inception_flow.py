# The Two-Stream I3D demo's flow stream (configs/demo/
# i3d_inception_flow_synthetic.py) made cheaper for the test suite: the same
# InceptionI3d, flow dataset class and tools; the clips of
# tiny_inception_rgb.py (8 flow frames every 4th at 48 px, the same windows,
# so that the two streams fuse view for view) and 5 short epochs on the
# 3-class subset of tests/conftest.py. Measured (2026-12-02, --seed 0):
# 22/24 test clips in 43 s of training on 2 cores, against 19/24 for 4
# epochs of the demo's clips. The data comes from --data-root.
_base_ = ['../../configs/demo/i3d_inception_flow_synthetic.py']

train_pipeline = [
    dict(type='SampleFrames', clip_len=8, frame_interval=4, num_clips=1),
    dict(type='RawFrameDecode', io_backend='disk'),
    dict(type='Resize', scale=(-1, 52)),
    dict(type='RandomCrop', size=48),
    dict(type='FlowFlip', flip_ratio=0.5),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
# one view, as tiny_inception_rgb.py
val_pipeline = [
    dict(
        type='SampleFrames',
        clip_len=8,
        frame_interval=4,
        num_clips=1,
        test_mode=True),
    dict(type='RawFrameDecode', io_backend='disk'),
    dict(type='Resize', scale=(-1, 52)),
    dict(type='CenterCrop', crop_size=48),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]

# In-process loading: worker start-up would cost more than it saves here.
loader = dict(num_workers=0, persistent_workers=False)
train_dataloader = dict(dataset=dict(pipeline=train_pipeline), **loader)
val_dataloader = dict(dataset=dict(pipeline=val_pipeline), **loader)
test_dataloader = dict(dataset=dict(pipeline=val_pipeline), **loader)

train_cfg = dict(max_epochs=5)
