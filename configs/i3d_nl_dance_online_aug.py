# configs/i3d_nl_dance.py with the study's four augmentations applied online,
# in the training pipeline, instead of as offline copies
# (data_prep/build_dataset.py --augment all): horizontal flip (already in
# mmaction2's recipe), vertical flip, colour jitter and Gaussian noise, each
# drawn afresh for every sample. Same parameters as the offline copies.
_base_ = ['i3d_nl_dance.py']

train_pipeline = [
    # i3d_nl_dance.py's steps up to its horizontal Flip
    *_base_.train_pipeline[:-2],
    # the study's offline copies, as random online transforms (p = 0.5 each;
    # ColorJitter always draws, from ranges that include "no change")
    dict(type='Flip', flip_ratio=0.5, direction='vertical'),
    dict(type='ColorJitter', brightness=0.4, contrast=0.4, saturation=0.4,
         hue=0.1),
    dict(type='GaussianNoise', sigma=8.0, prob=0.5),
    *_base_.train_pipeline[-2:]  # FormatShape, PackActionInputs
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
