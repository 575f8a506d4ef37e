# dance19: the study's 19 styles, as videos listed in mmaction2 VideoDataset
# annotation files ("<path relative to data_root> <label 0..18>").
# data_prep/build_dataset.py writes data/dance19/videos/... and
# annotations/dance19_{train,val,test}.txt.
dataset_type = 'DanceVideoDataset'  # VideoDataset + checked input
data_root = 'data/dance19'
# What a model trained on this data says it was trained on (predict, the
# timeline and the web page show it; dance_style.provenance)
training_data = dict(
    name="dance19: Kinetics-700-2020 and Let's Dance videos of the 19 styles "
    '(data_prep/build_dataset.py)',
    synthetic=False)
ann_file_train = 'annotations/dance19_train.txt'
ann_file_val = 'annotations/dance19_val.txt'
ann_file_test = 'annotations/dance19_test.txt'
# The frame rate build_dataset.py normalises clips to (--fps): what the
# timeline of tools/predict.py resamples long videos to, so that a window
# spans the seconds a training clip did.
video_fps = 30

# ---- pipelines: mmaction2's I3D 32x2x1 recipe ------------------------------
# Train, validation and test read frames alike; they differ in the crop and
# in the number of clips a video gives. (Names with two leading underscores
# are the file's own: mmengine keeps no such key in the config.)
__open = dict(type='DecordInit', io_backend='disk')
# 32 frames, every 2nd: 64 source frames (~2.1 s at 30 fps)
__clips = dict(type='SampleFrames', clip_len=32, frame_interval=2)
__decode = [dict(type='DecordDecode'), dict(type='Resize', scale=(-1, 256))]
__pack = [
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
train_pipeline = [
    __open, dict(__clips, num_clips=1), *__decode,
    dict(type='MultiScaleCrop', input_size=224, scales=(1, 0.8),
         random_crop=False, max_wh_scale_gap=0),
    dict(type='Resize', scale=(224, 224), keep_ratio=False),
    dict(type='Flip', flip_ratio=0.5), *__pack
]
val_pipeline = [
    __open, dict(__clips, num_clips=1, test_mode=True), *__decode,
    dict(type='CenterCrop', crop_size=224), *__pack
]
# 10 clips x 3 crops = 30 views per video, probabilities averaged
test_pipeline = [
    __open, dict(__clips, num_clips=10, test_mode=True), *__decode,
    dict(type='ThreeCrop', crop_size=256), *__pack
]

# ---- dataloaders -----------------------------------------------------------
train_dataloader = dict(
    batch_size=8,  # per GPU; mmaction2 used 8 GPUs x 8
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
        data_prefix=dict(video=data_root),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=8,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        ann_file=ann_file_val,
        data_prefix=dict(video=data_root),
        pipeline=val_pipeline,
        test_mode=True))
test_dataloader = dict(
    batch_size=1,  # one video = 30 views
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        ann_file=ann_file_test,
        data_prefix=dict(video=data_root),
        pipeline=test_pipeline,
        test_mode=True))

# ---- metrics: top-1, top-5 and mean class accuracy -------------------------
test_evaluator = dict(
    type='AccMetric', metric_list=('top_k_accuracy', 'mean_class_accuracy'))
# validation adds its loss (mmengine's ValLoop computes none), for the
# training curves of tools/plot_curves.py
val_evaluator = [test_evaluator, dict(type='ValidationLoss')]
