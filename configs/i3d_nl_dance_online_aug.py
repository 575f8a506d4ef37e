# configs/i3d_nl_dance.py with the study's four augmentations applied online,
# in the training pipeline, instead of as offline copies
# (data_prep/build_dataset.py --augment all): horizontal flip (already in
# mmaction2's recipe), vertical flip, colour jitter and Gaussian noise, each
# drawn afresh for every sample. Same parameters as the offline copies.
_base_ = ['i3d_nl_dance.py']

train_pipeline = [
    dict(type='DecordInit', io_backend='disk'),
    dict(type='SampleFrames', clip_len=32, frame_interval=2, num_clips=1),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, 256)),
    dict(
        type='MultiScaleCrop',
        input_size=224,
        scales=(1, 0.8),
        random_crop=False,
        max_wh_scale_gap=0),
    dict(type='Resize', scale=(224, 224), keep_ratio=False),
    dict(type='Flip', flip_ratio=0.5),
    # the study's offline copies, as random online transforms (p = 0.5 each;
    # ColorJitter always draws, from ranges that include "no change")
    dict(type='Flip', flip_ratio=0.5, direction='vertical'),
    dict(type='ColorJitter', brightness=0.4, contrast=0.4, saturation=0.4,
         hue=0.1),
    dict(type='GaussianNoise', sigma=8.0, prob=0.5),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
