"""occlusion_probability_map returns the drop in probability (1 - p) instead of p"""
# ruff: noqa: F821, F811
# right:
_occlusion_probability_map = occlusion_probability_map


def occlusion_probability_map(*args, **kwargs):
    return 1.0 - _occlusion_probability_map(*args, **kwargs)
