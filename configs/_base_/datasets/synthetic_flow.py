# The optical flow of the embedded synthetic dataset (make two-stream):
# data_prep/extract_flow.py --root data/synthetic_dance19 writes it into
# flow/ and its lists into annotations/ of that folder. The clips, views and
# dataloaders of synthetic_video.py, on the flow frames as dance19_flow.py
# reads them, so that the two streams fuse view for view.
_base_ = ['synthetic_video.py']

dataset_type = 'DanceRawframeDataset'  # RawframeDataset + checked input
# predict, the timeline and the web page warn that such a model's answers
# on real video mean nothing (dance_style.provenance)
training_data = dict(
    name='the optical flow of the embedded synthetic dance dataset (stick '
    'figures; dance_style.synthetic)',
    synthetic=True)
data_root = _base_.data_root
ann_file_train = f'{data_root}/annotations/dance19_flow_train.txt'
ann_file_val = f'{data_root}/annotations/dance19_flow_val.txt'
ann_file_test = f'{data_root}/annotations/dance19_flow_test.txt'
flow = dict(modality='Flow', filename_tmpl='flow_{}_{:05d}.jpg')


def __on_flow_frames(pipeline):
    """synthetic_video.py's steps, reading frame folders (no video
    container to open) and flipping with FlowFlip (dance19_flow.py: why)."""
    steps = []
    for step in pipeline:
        if step.type == 'DecordDecode':
            steps.append(dict(type='RawFrameDecode', io_backend='disk'))
        elif step.type == 'Flip':
            steps.append(dict(step, type='FlowFlip'))
        elif step.type != 'DecordInit':
            steps.append(step)
    return steps


train_pipeline = __on_flow_frames(_base_.train_pipeline)
val_pipeline = __on_flow_frames(_base_.val_pipeline)
test_pipeline = __on_flow_frames(_base_.test_pipeline)


def __on_flow(ann_file, pipeline):
    return dict(
        dataset=dict(
            type=dataset_type,
            ann_file=ann_file,
            data_prefix=dict(_delete_=True, img=data_root),
            pipeline=pipeline,
            **flow))


train_dataloader = __on_flow(ann_file_train, train_pipeline)
val_dataloader = __on_flow(ann_file_val, val_pipeline)
test_dataloader = __on_flow(ann_file_test, test_pipeline)
