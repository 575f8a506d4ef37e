# The Two-Stream I3D demo's rgb stream (configs/demo/
# i3d_inception_rgb_synthetic.py) made cheaper for the test suite: same
# InceptionI3d, clips, dataset class and tools; a few short epochs on the
# 3-class subset of tests/conftest.py. The data comes from --data-root.
_base_ = ['../../configs/demo/i3d_inception_rgb_synthetic.py']

# In-process loading: worker start-up would cost more than it saves here.
loader = dict(num_workers=0, persistent_workers=False)
train_dataloader = dict(**loader)
val_dataloader = dict(**loader)

# 2 test views, not the demo's 8: the easy clips last 32 frames, so 8
# windows of 16 frames every 2nd all start within 2 frames of each other.
test_pipeline = [
    dict(type='DecordInit', io_backend='disk'),
    dict(
        type='SampleFrames',
        clip_len=16,
        frame_interval=2,
        num_clips=2,
        test_mode=True),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, 64)),
    dict(type='CenterCrop', crop_size=56),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
test_dataloader = dict(dataset=dict(pipeline=test_pipeline), **loader)

train_cfg = dict(max_epochs=4)
# no progress bars in test logs
custom_hooks = [dict(type='EpochLossHook'), dict(type='KineticsHeadHook'),
                dict(type='TransferSummaryHook'),
                dict(type='RandomStateHook')]
