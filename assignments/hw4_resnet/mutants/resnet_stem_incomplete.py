"""ResNet's stem is missing a layer

The stem is Conv2d(in_channels, channels[0], 3, padding 1, no bias) -> BatchNorm2d(channels[0])
-> ReLU, in an nn.Sequential named ``stem``. Without its BatchNorm the state_dict lacks the
stem.1 keys (and the stem's scale is not normalized); without its ReLU the first block receives
negative inputs. See §6 of the handout.
"""

# target: models.py
# variants: no_relu, no_bn
_VARIANT = "no_relu"


class ResNet(ResNet):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        conv, bn, relu = self.stem
        self.stem = nn.Sequential(conv, bn) if _VARIANT == "no_relu" else nn.Sequential(conv, relu)
