"""distinct_params counts every entry of the full MLP

The full matrices repeat one block per group (and hold zeros outside the blocks): those are
not distinct parameters. The distinct parameters are the conv layers' own: sum of w.size +
b.size over the returned layers (566 in the handout's example, against 5578 in the full MLP).
See §5 of the handout.
"""

_solution_distributed = mlp_to_conv1d_distributed


def mlp_to_conv1d_distributed(weights, biases, spans, hops):
    layers, _ = _solution_distributed(weights, biases, spans, hops)
    return layers, int(sum(w.size + b.size for w, b in zip(weights, biases, strict=True)))
