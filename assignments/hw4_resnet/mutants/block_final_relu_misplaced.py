"""BasicBlock's last ReLU is not applied to the sum

The block ends with ReLU(bn2(conv2(...)) + shortcut(x)): the ReLU comes *after* the addition.
Dropping it leaves negative outputs; applying it to the main path before adding the shortcut
changes every value where the main path is negative. See §5 of the handout (and §3, the same
block in NumPy).
"""

# target: models.py
# variants: dropped, before_add
_VARIANT = "dropped"


class BasicBlock(BasicBlock):
    def forward(self, x):
        h = F.relu(self.bn1(self.conv1(x)))
        h = self.bn2(self.conv2(h))
        if _VARIANT == "dropped":
            return h + self.shortcut(x) if self.residual else h
        h = F.relu(h)
        return h + self.shortcut(x) if self.residual else h
