"""CNN backward skips the ReLUs

Every layer of the forward pass has its step in the backward pass, in reverse order: the
gradient must go through relu_backward after each conv's output, or the units that were off
(x <= 0) wrongly pass gradient to W1, b1, W2, b2. See §7 of the handout.
"""


def cnn_loss_and_grads(x, y, params, head="gap"):
    W1, b1, W2, b2, W3, b3 = (params[k] for k in PARAM_NAMES)
    h1, conv1_cache = conv2d_forward(x, W1, b1, padding=1)
    a1, _ = relu_forward(h1)
    p1, pool_cache = maxpool2d_forward(a1, 2)
    h2, conv2_cache = conv2d_forward(p1, W2, b2, padding=1)
    a2, _ = relu_forward(h2)
    if head == "gap":
        features, head_cache = global_avg_pool_forward(a2)
    else:
        features, head_cache = flatten_forward(a2)
    logits, linear_cache = linear_forward(features, W3, b3)
    loss, dlogits = softmax_cross_entropy(logits, y)
    dfeatures, dW3, db3 = linear_backward(dlogits, linear_cache)
    if head == "gap":
        da2 = global_avg_pool_backward(dfeatures, head_cache)
    else:
        da2 = flatten_backward(dfeatures, head_cache)
    dp1, dW2, db2 = conv2d_backward(da2, conv2_cache)
    _, dW1, db1 = conv2d_backward(maxpool2d_backward(dp1, pool_cache), conv1_cache)
    return float(loss), {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2, "W3": dW3, "b3": db3}
