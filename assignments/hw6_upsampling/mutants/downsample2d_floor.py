"""downsample2d keeps floor(H / fh) x floor(W / fw) samples instead of ceil

Decimation keeps every row i*fh and column j*fw that exists: ceil(H / fh) rows and
ceil(W / fw) columns. Cutting the image into whole fh x fw blocks (a reshape) drops the last,
incomplete row and column of blocks, and real samples with them. See §1 of the handout.
"""


def downsample2d(x, factor):
    fh, fw = _pair(factor, "factor")
    n, c, h, w = x.shape
    blocks = x[:, :, : (h // fh) * fh, : (w // fw) * fw].reshape(n, c, h // fh, fh, w // fw, fw)
    return blocks[:, :, :, 0, :, 0].copy()
