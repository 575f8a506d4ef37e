# dance19 optical flow: the x/y JPEG frames that data_prep/extract_flow.py
# writes under data/dance19/flow/ (mmaction2's rawframe layout for the Flow
# modality), listed in annotations/dance19_flow_{split}.txt as
# "<folder relative to data_root> <frame pairs> <label 0..18>". The
# dataloaders and metrics of dance19_video.py, on frame folders.
_base_ = ['dance19_video.py']

dataset_type = 'DanceRawframeDataset'  # RawframeDataset + checked input
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
__clips = dict(type='SampleFrames', clip_len=64, frame_interval=1)
__decode = [
    dict(type='RawFrameDecode', io_backend='disk'),
    dict(type='Resize', scale=(-1, 256))
]
__pack = [
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
train_pipeline = [
    dict(__clips, num_clips=1), *__decode,
    dict(type='MultiScaleCrop', input_size=224, scales=(1, 0.8),
         random_crop=False, max_wh_scale_gap=0),
    dict(type='Resize', scale=(224, 224), keep_ratio=False),
    dict(type='FlowFlip', flip_ratio=0.5), *__pack
]
val_pipeline = [
    dict(__clips, num_clips=1, test_mode=True), *__decode,
    dict(type='CenterCrop', crop_size=224), *__pack
]
# 4 snippets of 64 frames (256 frames, about the paper's 250-frame test
# clips) x 3 crops = 12 views per video, probabilities averaged
test_pipeline = [
    dict(__clips, num_clips=4, test_mode=True), *__decode,
    dict(type='ThreeCrop', crop_size=256), *__pack
]


# ---- dataloaders: dance19_video.py's, on the flow frames -------------------
def __on_flow(ann_file, pipeline):
    return dict(
        dataset=dict(
            type=dataset_type,
            ann_file=ann_file,
            data_prefix=dict(_delete_=True, img=_base_.data_root),
            pipeline=pipeline,
            **flow))


train_dataloader = __on_flow(ann_file_train, train_pipeline)
val_dataloader = __on_flow(ann_file_val, val_pipeline)
test_dataloader = __on_flow(ann_file_test, test_pipeline)
