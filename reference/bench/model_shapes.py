"""model_shapes.py — the parameter lists `descent bench --shapes` times (Bench/ModelShapes.swift).

gpt2       GPT-2 small (Hugging Face GPT2Model, LM head tied to wte): 148 tensors, 124,439,808 params
resnet50   torchvision resnet50(): 161 tensors, 25,557,032 params
bert-base  Hugging Face BertModel (bert-base-uncased, with pooler): 199 tensors, 109,482,240 params
vit-b-16   torchvision vit_b_16(): 152 tensors, 86,567,656 params (100 small vectors)
or a file: one shape per line, dimensions joined by x (768x2304), # comments.
"""
import os


def gpt2():
    d = 768
    s = [[50257, d], [1024, d]]
    for _ in range(12):
        s += [[d], [d], [d, 3 * d], [3 * d], [d, d], [d], [d], [d], [d, 4 * d], [4 * d], [4 * d, d], [d]]
    return s + [[d], [d]]


def resnet50():
    s = [[64, 3, 7, 7], [64], [64]]
    inplanes = 64
    for width, blocks in [(64, 3), (128, 4), (256, 6), (512, 3)]:
        for b in range(blocks):
            s += [[width, inplanes, 1, 1], [width], [width], [width, width, 3, 3], [width], [width],
                  [4 * width, width, 1, 1], [4 * width], [4 * width]]
            if b == 0:
                s += [[4 * width, inplanes, 1, 1], [4 * width], [4 * width]]
            inplanes = 4 * width
    return s + [[1000, 2048], [1000]]


def bert_base():
    d = 768
    s = [[30522, d], [512, d], [2, d], [d], [d]]
    for _ in range(12):
        s += [[d, d], [d], [d, d], [d], [d, d], [d], [d, d], [d], [d], [d], [4 * d, d], [4 * d], [d, 4 * d], [d], [d], [d]]
    return s + [[d, d], [d]]


def vit_b16():
    # torchvision vit_b_16(): class_token, conv_proj, encoder.pos_embedding, 12 encoder layers
    # (ln_1, self_attention in_proj / out_proj, ln_2, mlp.0, mlp.3), encoder.ln, heads.head.
    d = 768
    s = [[1, 1, d], [d, 3, 16, 16], [d], [1, 197, d]]
    for _ in range(12):
        s += [[d], [d], [3 * d, d], [3 * d], [d, d], [d], [d], [d], [4 * d, d], [4 * d], [d, 4 * d], [d]]
    return s + [[d], [d], [1000, d], [1000]]


BUILT_IN = {"gpt2": gpt2, "resnet50": resnet50, "bert-base": bert_base, "vit-b-16": vit_b16}


def load(spec):
    """(name, shapes) for a built-in name or a file."""
    if spec in BUILT_IN:
        return spec, BUILT_IN[spec]()
    shapes = []
    with open(spec) as f:
        for n, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            try:
                dims = [int(x) for x in line.lower().split("x")]
            except ValueError:
                dims = []
            if not dims or any(d <= 0 for d in dims):
                raise ValueError(f"{spec}:{n}: '{line}' is not a shape (positive dimensions joined by x)")
            shapes.append(dims)
    if not shapes:
        raise ValueError(f"{spec}: no shapes")
    return os.path.splitext(os.path.basename(spec))[0], shapes


def numel(shape):
    n = 1
    for d in shape:
        n *= d
    return n
