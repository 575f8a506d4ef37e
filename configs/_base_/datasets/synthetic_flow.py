# The optical flow of the embedded synthetic dataset (make two-stream):
# data_prep/extract_flow.py --root data/synthetic_dance19 writes it into
# flow/ and its lists into annotations/ of that folder. The flow dataset of
# dance19_flow.py with the demos' clips: 16 flow frames every 2nd at 56 x 56,
# as synthetic_video.py's RGB clips.
_base_ = ['dance19_flow.py']

data_root = 'data/synthetic_dance19'
# predict, the timeline and the web page warn that such a model's answers
# on real video mean nothing (dance_style.provenance)
training_data = dict(
    name='the optical flow of the embedded synthetic dance dataset (stick '
    'figures; dance_style.synthetic)',
    synthetic=True)
ann_file_train = f'{data_root}/annotations/dance19_flow_train.txt'
ann_file_val = f'{data_root}/annotations/dance19_flow_val.txt'
ann_file_test = f'{data_root}/annotations/dance19_flow_test.txt'

train_pipeline = [
    dict(type='SampleFrames', clip_len=16, frame_interval=2, num_clips=1),
    dict(type='RawFrameDecode', io_backend='disk'),
    dict(type='Resize', scale=(-1, 64)),
    dict(
        type='MultiScaleCrop',
        input_size=56,
        scales=(1, 0.875),
        random_crop=False,
        max_wh_scale_gap=0),
    dict(type='Resize', scale=(56, 56), keep_ratio=False),
    dict(type='FlowFlip', flip_ratio=0.5),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
val_pipeline = [
    dict(
        type='SampleFrames',
        clip_len=16,
        frame_interval=2,
        num_clips=1,
        test_mode=True),
    dict(type='RawFrameDecode', io_backend='disk'),
    dict(type='Resize', scale=(-1, 64)),
    dict(type='CenterCrop', crop_size=56),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
test_pipeline = [
    # the RGB stream's views (synthetic_video.py), so the two fuse view for
    # view
    dict(
        type='SampleFrames',
        clip_len=16,
        frame_interval=2,
        num_clips=8,
        test_mode=True),
    dict(type='RawFrameDecode', io_backend='disk'),
    dict(type='Resize', scale=(-1, 64)),
    dict(type='CenterCrop', crop_size=56),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]

train_dataloader = dict(
    num_workers=2,
    dataset=dict(
        ann_file=ann_file_train,
        data_prefix=dict(img=data_root),
        pipeline=train_pipeline))
val_dataloader = dict(
    num_workers=2,
    dataset=dict(
        ann_file=ann_file_val,
        data_prefix=dict(img=data_root),
        pipeline=val_pipeline))
test_dataloader = dict(
    num_workers=2,
    dataset=dict(
        ann_file=ann_file_test,
        data_prefix=dict(img=data_root),
        pipeline=test_pipeline))
