"""linear_param_count forgets the bias

nn.Linear(in, out) learns an (out, in) weight *and* an (out,) bias: in * out + out parameters
(the lecture's 10,000,100,000 = 10^10 weights + 100,000 biases). See §5 of the handout.
"""


def linear_param_count(in_features, out_features, bias=True):
    return in_features * out_features
