"""Models mmaction2 lacks: the Inception-v1 I3D backbone of Two-Stream I3D."""
from .inception_i3d import InceptionI3d

__all__ = ['InceptionI3d']
