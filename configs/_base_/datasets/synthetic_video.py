# The embedded synthetic dataset of the demos: what data_prep/build_dataset.py
# builds from the synthetic Kinetics-700 and Let's Dance downloads
# (tools/demo.py), clips and lists in one folder. The dance19 dataset class,
# dataloaders and metrics of dance19_video.py, with clips a laptop CPU can
# train on: 16 frames every 2nd (2 s of the 16 fps clips) at 56 x 56 instead
# of 32 x 2 at 224 x 224, ~50x fewer voxels, so a step takes well under 1 s.
# Every 2nd frame is kept: on the I3D NonLocal demo's validation, every frame
# did worse and every 3rd no better beyond one run's noise
# (docs/results/demo_sampling.json).
# Another dataset folder: --data-root DIR (dance_style.config.set_data_root).
_base_ = ['dance19_video.py']

data_root = 'data/synthetic_dance19'
# predict, the timeline and the web page warn that such a model's answers
# on real video mean nothing (dance_style.provenance)
training_data = dict(
    name='the embedded synthetic dance dataset: stick figures whose styles '
    'differ by choreography only (dance_style.synthetic)',
    synthetic=True)
ann_file_train = f'{data_root}/annotations/dance19_train.txt'
ann_file_val = f'{data_root}/annotations/dance19_val.txt'
ann_file_test = f'{data_root}/annotations/dance19_test.txt'
video_fps = 16  # build_dataset.py --fps 16 (tools/demo.py)

# ---- pipelines: dance19_video.py's steps at this size -----------------------
__open = dict(type='DecordInit', io_backend='disk')
__clips = dict(type='SampleFrames', clip_len=16, frame_interval=2)
__decode = [dict(type='DecordDecode'), dict(type='Resize', scale=(-1, 64))]
__pack = [
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
train_pipeline = [
    __open, dict(__clips, num_clips=1), *__decode,
    dict(type='MultiScaleCrop', input_size=56, scales=(1, 0.875),
         random_crop=False, max_wh_scale_gap=0),
    dict(type='Resize', scale=(56, 56), keep_ratio=False),
    dict(type='Flip', flip_ratio=0.5), *__pack
]
val_pipeline = [
    __open, dict(__clips, num_clips=1, test_mode=True), *__decode,
    dict(type='CenterCrop', crop_size=56), *__pack
]
# 8 clips x 1 centre crop, probabilities averaged (the full config: 10
# clips x 3 crops). The crop matches training's scale: a 56 px window of
# the 64 px frame, where ThreeCrop(64) shows the figure smaller than
# training did. The demos choose among 1, 4 and 8 clips and these two crops
# on the validation clips before they score the test clips once
# (dance_style/views.py; the figures: docs/results.md).
test_pipeline = [
    __open, dict(__clips, num_clips=8, test_mode=True), *__decode,
    dict(type='CenterCrop', crop_size=56), *__pack
]

# 2 loader processes keep 2 CPU cores busy decoding while torch trains.
train_dataloader = dict(
    num_workers=2,
    dataset=dict(
        ann_file=ann_file_train,
        data_prefix=dict(video=data_root),
        pipeline=train_pipeline))
val_dataloader = dict(
    num_workers=2,
    dataset=dict(
        ann_file=ann_file_val,
        data_prefix=dict(video=data_root),
        pipeline=val_pipeline))
test_dataloader = dict(
    num_workers=2,
    dataset=dict(
        ann_file=ann_file_test,
        data_prefix=dict(video=data_root),
        pipeline=test_pipeline))
