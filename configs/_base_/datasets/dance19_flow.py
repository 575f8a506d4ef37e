# dance19 optical flow: the x/y JPEG frames that data_prep/extract_flow.py
# writes under data/dance19/flow/ (mmaction2's rawframe layout for the Flow
# modality), listed in annotations/dance19_flow_{split}.txt as
# "<folder relative to data_root> <frame pairs> <label 0..18>".
dataset_type = 'DanceRawframeDataset'  # RawframeDataset + checked input
data_root = 'data/dance19'
# What a model trained on this data says it was trained on (predict, the
# timeline and the web page show it; dance_style.provenance)
training_data = dict(
    name="dance19 optical flow: Kinetics-700-2020 and Let's Dance videos of "
    'the 19 styles (data_prep/build_dataset.py, extract_flow.py)',
    synthetic=False)
ann_file_train = 'annotations/dance19_flow_train.txt'
ann_file_val = 'annotations/dance19_flow_val.txt'
ann_file_test = 'annotations/dance19_flow_test.txt'
flow = dict(modality='Flow', filename_tmpl='flow_{}_{:05d}.jpg')

# ---- pipelines: Carreira & Zisserman's 64-frame snippets -------------------
# Flow frames are 8-bit, 128 = no motion. Resizing does not rescale the
# motion values (the standard treatment; the scale change is small). The
# horizontal flip is FlowFlip, which negates x in every frame: mmaction2
# 1.x's Flip negates whole frames of stacked x/y flow (dance_style/
# transforms.py; DanceRawframeDataset refuses Flip on flow).
train_pipeline = [
    dict(type='SampleFrames', clip_len=64, frame_interval=1, num_clips=1),
    dict(type='RawFrameDecode', io_backend='disk'),
    dict(type='Resize', scale=(-1, 256)),
    dict(
        type='MultiScaleCrop',
        input_size=224,
        scales=(1, 0.8),
        random_crop=False,
        max_wh_scale_gap=0),
    dict(type='Resize', scale=(224, 224), keep_ratio=False),
    dict(type='FlowFlip', flip_ratio=0.5),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
val_pipeline = [
    dict(
        type='SampleFrames',
        clip_len=64,
        frame_interval=1,
        num_clips=1,
        test_mode=True),
    dict(type='RawFrameDecode', io_backend='disk'),
    dict(type='Resize', scale=(-1, 256)),
    dict(type='CenterCrop', crop_size=224),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
test_pipeline = [
    # 4 snippets of 64 frames (256 frames, about the paper's 250-frame
    # test clips) x 3 crops, probabilities averaged
    dict(
        type='SampleFrames',
        clip_len=64,
        frame_interval=1,
        num_clips=4,
        test_mode=True),
    dict(type='RawFrameDecode', io_backend='disk'),
    dict(type='Resize', scale=(-1, 256)),
    dict(type='ThreeCrop', crop_size=256),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]

# ---- dataloaders -----------------------------------------------------------
train_dataloader = dict(
    batch_size=8,  # per GPU
    num_workers=8,
    # workers start each epoch and seed their augmentations from that epoch's
    # torch seed (dance_style/randomness.py): no epoch repeats another's
    # crops, and a resumed run draws what the uninterrupted one drew
    persistent_workers=False,
    worker_init_fn=dict(type='seed_worker_per_epoch'),
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        ann_file=ann_file_train,
        data_prefix=dict(img=data_root),
        pipeline=train_pipeline,
        **flow))
val_dataloader = dict(
    batch_size=8,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        ann_file=ann_file_val,
        data_prefix=dict(img=data_root),
        pipeline=val_pipeline,
        test_mode=True,
        **flow))
test_dataloader = dict(
    batch_size=1,  # one video = 12 views
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        ann_file=ann_file_test,
        data_prefix=dict(img=data_root),
        pipeline=test_pipeline,
        test_mode=True,
        **flow))

# ---- metrics: as the RGB dataset ------------------------------------------
test_evaluator = dict(
    type='AccMetric', metric_list=('top_k_accuracy', 'mean_class_accuracy'))
val_evaluator = [test_evaluator, dict(type='ValidationLoss')]
