"""activation_maps returns the first image's maps for every image"""
# ruff: noqa: F821, F811
# right:
_activation_maps = activation_maps


def activation_maps(params, images, layer):
    maps = _activation_maps(params, images, layer)
    return np.repeat(maps[:1], len(maps), axis=0)
