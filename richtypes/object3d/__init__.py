"""3D objects: point clouds, lidar scenes (points, boxes, vectors) and meshes."""

from .object3d import SCENE_TYPE, Object3D, box3d

__all__ = ["Object3D", "box3d", "SCENE_TYPE"]
