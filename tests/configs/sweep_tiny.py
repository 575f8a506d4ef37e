# The tiny test config made cheaper again for sweeps, where one test trains
# many times: 8 frames every 4th (the same 2 s of motion) at 48 px, and a
# plain cosine schedule over the 3 epochs a trial trains. Still the real
# I3D R50 NonLocal model, dataset, metric and train function.
_base_ = ['tiny_nl_synthetic.py']

train_pipeline = [
    dict(type='DecordInit', io_backend='disk'),
    dict(type='SampleFrames', clip_len=8, frame_interval=4, num_clips=1),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, 52)),
    dict(type='RandomCrop', size=48),
    dict(type='Flip', flip_ratio=0.5),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
val_pipeline = [
    dict(type='DecordInit', io_backend='disk'),
    dict(
        type='SampleFrames',
        clip_len=8,
        frame_interval=4,
        num_clips=1,
        test_mode=True),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, 52)),
    dict(type='CenterCrop', crop_size=48),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_pipeline = val_pipeline  # what the tools read as the test views

train_cfg = dict(max_epochs=3)
# no warm-up epoch in so short a run: cosine from the first step to the end
# of the run (mmengine ends it at max_epochs)
param_scheduler = [
    dict(
        type='CosineAnnealingLR',
        eta_min=0,
        by_epoch=True,
        begin=0,
        convert_to_iter_based=True)
]
default_hooks = dict(logger=dict(interval=50))
