# Inception-v1 I3D on optical flow: the flow stream of Two-Stream I3D. Two
# input channels (x and y flow, as data_prep/extract_flow.py stores them).
_base_ = ['i3d_inception.py']

model = dict(
    backbone=dict(in_channels=2),
    # flow quantised to 0..255 around 128 -> [-1, 1], as the public flow
    # weights expect (flow / 20 px)
    data_preprocessor=dict(mean=[127.5, 127.5], std=[127.5, 127.5]))
