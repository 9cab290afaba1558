"""Occlusion: the difference has the wrong sign

The attribution is the *drop* of the target logit, logit(image) - logit(occluded): positive
where hiding the pixels hurts the prediction. logit(occluded) - logit(image) flips every
value. See §3 of the handout.
"""

_solution_attribution = occlusion_attribution


def occlusion_attribution(params, image, target, window, stride=1, baseline=0.0):
    return -_solution_attribution(params, image, target, window, stride, baseline)
