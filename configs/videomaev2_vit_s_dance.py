# VideoMAE V2 ViT-S/16 fine-tuned on dance19 with the recipe of
# videomaev2_vit_b_dance.py (the authors publish no separate ViT-S one),
# from mmaction2's conversion of the authors' ViT-S distilled from ViT-g on
# Kinetics-710: never fine-tuned on Kinetics-400; mmaction2 kept the 400
# Kinetics-400 rows of its 710-row head.
_base_ = ['videomaev2_vit_b_dance.py']

# The distilled model evaluated on Kinetics-400: 83.7 top-1 in VideoMAE V2's
# docs/MODEL_ZOO.md ("Distillation", 16 frames x 5 clips x 3 crops; 77.6 on
# K710), 83.6 / 96.3 in mmaction2's README for its conversion; 57 GFLOPs per
# view. (mmaction2's metafile ViT-S entry links the ViT-B file; this is the
# README's ViT-S link.)
load_from = (
    'https://download.openmmlab.com/mmaction/v1.0/recognition/videomaev2/'
    'vit-small-p16_videomaev2-vit-g-dist-k710-pre_16x4x1_kinetics-400/'
    'vit-small-p16_videomaev2-vit-g-dist-k710-pre_16x4x1_kinetics-400_'
    '20230510-25c748fd.pth')

model = dict(
    backbone=dict(embed_dims=384, depth=12, num_heads=6),
    cls_head=dict(in_channels=384))
