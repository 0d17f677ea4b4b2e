"""Standard optimisation test functions with known global minima, written from their published
definitions (Surjanovic & Bingham, Virtual Library of Simulation Experiments, sfu.ca/~ssurjano),
independently of the Swift versions in Sources/DescentHarness/Tune/TestFunctions.swift, which the
test suite checks against values computed here (fixtures/tune/functions.json).

Each entry: (dimension, domain [(lo, hi)] per coordinate, global minimum value, f(x))."""
import math

import numpy as np


def branin(x):
    x1, x2 = x
    a, b, c, r, s, t = 1.0, 5.1 / (4 * math.pi ** 2), 5 / math.pi, 6.0, 10.0, 1 / (8 * math.pi)
    return a * (x2 - b * x1 ** 2 + c * x1 - r) ** 2 + s * (1 - t) * math.cos(x1) + s


_H_ALPHA = np.array([1.0, 1.2, 3.0, 3.2])
_H3_A = np.array([[3.0, 10, 30], [0.1, 10, 35], [3.0, 10, 30], [0.1, 10, 35]])
_H3_P = 1e-4 * np.array([[3689, 1170, 2673], [4699, 4387, 7470], [1091, 8732, 5547], [381, 5743, 8828]])
_H6_A = np.array([[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]])
_H6_P = 1e-4 * np.array([[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991],
                         [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381]])


def _hartmann(x, A, P):
    x = np.asarray(x, dtype=float)
    return float(-np.sum(_H_ALPHA * np.exp(-np.sum(A * (x - P) ** 2, axis=1))))


def hartmann3(x):
    return _hartmann(x, _H3_A, _H3_P)


def hartmann6(x):
    return _hartmann(x, _H6_A, _H6_P)


def rosenbrock(x):
    x = np.asarray(x, dtype=float)
    return float(np.sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (x[:-1] - 1) ** 2))


def ackley(x):
    x = np.asarray(x, dtype=float)
    d = len(x)
    return float(-20 * math.exp(-0.2 * math.sqrt(np.sum(x ** 2) / d)) - math.exp(np.sum(np.cos(2 * math.pi * x)) / d) + 20 + math.e)


def levy(x):
    w = 1 + (np.asarray(x, dtype=float) - 1) / 4
    head = math.sin(math.pi * w[0]) ** 2
    mid = np.sum((w[:-1] - 1) ** 2 * (1 + 10 * np.sin(math.pi * w[:-1] + 1) ** 2))
    tail = (w[-1] - 1) ** 2 * (1 + math.sin(2 * math.pi * w[-1]) ** 2)
    return float(head + mid + tail)


def goldstein_price(x):
    x1, x2 = x
    a = 1 + (x1 + x2 + 1) ** 2 * (19 - 14 * x1 + 3 * x1 ** 2 - 14 * x2 + 6 * x1 * x2 + 3 * x2 ** 2)
    b = 30 + (2 * x1 - 3 * x2) ** 2 * (18 - 32 * x1 + 12 * x1 ** 2 + 48 * x2 - 36 * x1 * x2 + 27 * x2 ** 2)
    return a * b


def six_hump_camel(x):
    x1, x2 = x
    return (4 - 2.1 * x1 ** 2 + x1 ** 4 / 3) * x1 ** 2 + x1 * x2 + (-4 + 4 * x2 ** 2) * x2 ** 2


def sphere(x):
    return float(np.sum(np.asarray(x, dtype=float) ** 2))


def styblinski_tang(x):
    x = np.asarray(x, dtype=float)
    return float(0.5 * np.sum(x ** 4 - 16 * x ** 2 + 5 * x))


def rastrigin(x):
    x = np.asarray(x, dtype=float)
    return float(10 * len(x) + np.sum(x ** 2 - 10 * np.cos(2 * math.pi * x)))


def michalewicz(x):
    x = np.asarray(x, dtype=float)
    i = np.arange(1, len(x) + 1)
    return float(-np.sum(np.sin(x) * np.sin(i * x ** 2 / math.pi) ** 20))


def beale(x):
    x1, x2 = x
    return (1.5 - x1 + x1 * x2) ** 2 + (2.25 - x1 + x1 * x2 ** 2) ** 2 + (2.625 - x1 + x1 * x2 ** 3) ** 2


def booth(x):
    x1, x2 = x
    return (x1 + 2 * x2 - 7) ** 2 + (2 * x1 + x2 - 5) ** 2


def dixon_price(x):
    x = np.asarray(x, dtype=float)
    i = np.arange(2, len(x) + 1)
    return float((x[0] - 1) ** 2 + np.sum(i * (2 * x[1:] ** 2 - x[:-1]) ** 2))


def zakharov(x):
    x = np.asarray(x, dtype=float)
    s = np.sum(0.5 * np.arange(1, len(x) + 1) * x)
    return float(np.sum(x ** 2) + s ** 2 + s ** 4)


def griewank(x):
    x = np.asarray(x, dtype=float)
    return float(np.sum(x ** 2) / 4000 - np.prod(np.cos(x / np.sqrt(np.arange(1, len(x) + 1)))) + 1)


def eggholder(x):
    x1, x2 = x
    return -(x2 + 47) * math.sin(math.sqrt(abs(x2 + x1 / 2 + 47))) - x1 * math.sin(math.sqrt(abs(x1 - (x2 + 47))))


def holder_table(x):
    x1, x2 = x
    return -abs(math.sin(x1) * math.cos(x2) * math.exp(abs(1 - math.sqrt(x1 ** 2 + x2 ** 2) / math.pi)))


def _box(lo, hi, d):
    return [(lo, hi)] * d


def get(name, dim=None):
    """(dim, domain, optimum, f) of the named function (dim for the scalable ones, default 2)."""
    d = dim or 2
    table = {
        "branin": (2, [(-5, 10), (0, 15)], 5 / (4 * math.pi), branin),
        "hartmann3": (3, _box(0, 1, 3), -3.86278214782076, hartmann3),
        "hartmann6": (6, _box(0, 1, 6), -3.32236801141551, hartmann6),
        "rosenbrock": (d, _box(-5, 10, d), 0.0, rosenbrock),
        "ackley": (d, _box(-32.768, 32.768, d), 0.0, ackley),
        "levy": (d, _box(-10, 10, d), 0.0, levy),
        "goldstein-price": (2, _box(-2, 2, 2), 3.0, goldstein_price),
        "six-hump-camel": (2, [(-3, 3), (-2, 2)], -1.0316284534898774, six_hump_camel),
        "sphere": (d, _box(-5.12, 5.12, d), 0.0, sphere),
        "styblinski-tang": (d, _box(-5, 5, d), -39.16616570377142 * d, styblinski_tang),
        "rastrigin": (d, _box(-5.12, 5.12, d), 0.0, rastrigin),
        "michalewicz": (d, _box(0, math.pi, d), {2: -1.8013034100985537, 5: -4.687658179, 10: -9.66015}.get(d), michalewicz),
        "beale": (2, _box(-4.5, 4.5, 2), 0.0, beale),
        "booth": (2, _box(-10, 10, 2), 0.0, booth),
        "dixon-price": (d, _box(-10, 10, d), 0.0, dixon_price),
        "zakharov": (d, _box(-5, 10, d), 0.0, zakharov),
        "griewank": (d, _box(-600, 600, d), 0.0, griewank),
        "eggholder": (2, _box(-512, 512, 2), -959.6406627208506, eggholder),
        "holder-table": (2, _box(-10, 10, 2), -19.208502567886743, holder_table),
    }
    return table[name]


NAMES = ["branin", "hartmann3", "hartmann6", "rosenbrock", "ackley", "levy", "goldstein-price", "six-hump-camel", "sphere",
         "styblinski-tang", "rastrigin", "michalewicz", "beale", "booth", "dixon-price", "zakharov", "griewank", "eggholder",
         "holder-table"]
