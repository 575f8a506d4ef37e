# VideoMAE V2 ViT-S/16, distilled from ViT-g on Kinetics-710 and fine-tuned
# on Kinetics-400, fine-tuned on dance19 with the recipe of
# videomaev2_vit_b_dance.py (the authors publish no separate ViT-S one).
_base_ = ['videomaev2_vit_b_dance.py']

# mmaction2 model zoo (README): 83.6 top-1 / 96.3 top-5 on Kinetics-400,
# 16 frames, 5 clips x 3 crops; 57 GFLOPs per view. (The metafile's ViT-S
# entry links the ViT-B file; this is the README's ViT-S link.)
load_from = (
    'https://download.openmmlab.com/mmaction/v1.0/recognition/videomaev2/'
    'vit-small-p16_videomaev2-vit-g-dist-k710-pre_16x4x1_kinetics-400/'
    'vit-small-p16_videomaev2-vit-g-dist-k710-pre_16x4x1_kinetics-400_'
    '20230510-25c748fd.pth')

model = dict(
    backbone=dict(embed_dims=384, depth=12, num_heads=6),
    cls_head=dict(in_channels=384))
