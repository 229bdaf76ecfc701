#!/opt/venv/bin/python
"""The polynomial coefficients of nabla's float32 exp, log and tanh (kernel/Transcendentals.java).

Run from the repository root with /opt/venv/bin/python (NumPy, mpmath):

    /opt/venv/bin/python scripts/transcendental_coefficients.py

prints, for each function, the coefficients (lowest degree first) of the polynomial that
minimizes the largest relative error of the whole approximation over the reduced range, each as
a float32 hex literal ready to paste into Transcendentals.java:

    exp:  e^r       = 1 + r + r^2 Q(r),        |r| <= ln2/2
    log:  log(1+f)  = f - f^2/2 + f^3 P(f),   sqrt(1/2) - 1 <= f <= sqrt(2) - 1
    tanh: tanh(x)   = x + x^3 T(x^2),          |x| <= TANH_POLY_MAX
    tanh table:     = T0 + D(|x| - c),       |x| in one of 8 intervals from 0.75 to TANH_TABLE_MAX

The fit is Lawson's algorithm (iteratively reweighted least squares, which converges to the
minimax polynomial) on 4000 Chebyshev-distributed points, with the function values computed in
50-digit arithmetic (mpmath); the float32 rounding of the coefficients, not the fit, then
dominates the polynomial's error. The final accuracy is measured over every float32 input by
TranscendentalsExhaustive (see its Javadoc), not here.
"""
import struct

import mpmath
import numpy as np

mpmath.mp.dps = 50
TANH_POLY_MAX = 0.9  # also Transcendentals.TANH_POLY_MAX
TANH_TABLE_MIN = 0.75  # also Transcendentals.TANH_TABLE_MIN_BITS: |x| is clamped to [MIN, MAX]
TANH_TABLE_MAX = 9.5  # also Transcendentals.TANH_TABLE_MAX_BITS: tanh rounds to 1 in float32 from 9.02 on
TANH_INDEX_SHIFT = 22  # an interval per exponent and top mantissa bit of |x|: [0.75, 1), [1, 1.5), ..., [8, 12)
TANH_TABLE_DEGREE = 7


def lawson(t, g, w, degree, iterations=400):
    """Coefficients c minimizing max |w (sum c_k t^k - g)| over the points t."""
    a = np.vander(t, degree + 1, increasing=True) * w[:, None]
    b = g * w
    weights = np.full(len(t), 1.0 / len(t))
    for _ in range(iterations):
        s = np.sqrt(weights)
        c = np.linalg.lstsq(a * s[:, None], b * s, rcond=None)[0]
        err = np.abs(a @ c - b)
        weights = weights * err
        weights /= weights.sum()
    return c, np.max(np.abs(a @ c - b))


def points(lo, hi, n=4000):
    k = np.arange(n)
    return (lo + hi) / 2 + (hi - lo) / 2 * np.cos(np.pi * (k + 0.5) / n)


def fit(name, lo, hi, degree, reduced, target, weight, arg=lambda x: x):
    """Fits target(x) ~ P(arg(x)) with relative weight weight(x); prints float32 hex coefficients."""
    x = points(lo, hi)
    x = x[np.abs(x) > 1e-6]  # the quotients below are removable singularities at 0
    g = np.array([float(target(mpmath.mpf(v))) for v in x])
    w = np.array([float(weight(mpmath.mpf(v))) for v in x])
    c, err = lawson(arg(x), g, w, degree)
    print(f"{name}: {reduced}, degree {degree}, relative error of the fit {err:.3g}"
          f" ({err / 2.0 ** -24:.3f} units of 2^-24)")
    print("    " + ", ".join(hex32(v) for v in c))


def hex32(v):
    """v rounded to float32, as a Java hex literal."""
    return float(np.float32(v)).hex().replace("0000000p", "p") + "f"


def f32(v):
    return struct.unpack("f", struct.pack("f", v))[0]


def float_bits(v):
    return struct.unpack("I", struct.pack("f", v))[0]


def bits_float(b):
    return struct.unpack("f", struct.pack("I", b))[0]


def tanh_table():
    """Per interval of |x| (its float bits >> TANH_INDEX_SHIFT, from TANH_TABLE_MIN's): tanh at the
    interval's midpoint c (its bits with the next mantissa bit set) rounded to float32, T0, and
    D(t) ~ tanh(c + t) - T0, minimax in absolute error over the interval (up to TANH_TABLE_MAX),
    so that T0 + D(t) rounds once; prints the Java rows T0, D0..D7 (lowest degree first)."""
    rows = [[] for _ in range(TANH_TABLE_DEGREE + 2)]
    worst = 0
    first = float_bits(TANH_TABLE_MIN) >> TANH_INDEX_SHIFT
    for i in range(8):
        lo = bits_float((first + i) << TANH_INDEX_SHIFT)
        hi = min(bits_float((first + i + 1) << TANH_INDEX_SHIFT), TANH_TABLE_MAX)
        c = bits_float(((first + i) << TANH_INDEX_SHIFT) | (1 << (TANH_INDEX_SHIFT - 1)))
        t0 = f32(float(mpmath.tanh(c)))
        t = points(lo - c, hi - c)
        g = np.array([float(mpmath.tanh(mpmath.mpf(c) + mpmath.mpf(v)) - t0) for v in t])
        coef, _ = lawson(t, g, np.ones_like(t), TANH_TABLE_DEGREE, iterations=300)
        coef = [f32(v) for v in coef]
        # the error of D with its float32 coefficients, in units of 2^-24 (an ulp of the results)
        tt = np.linspace(lo - c, hi - c, 2001)
        p = np.zeros_like(tt)
        for k in reversed(coef):
            p = p * tt + k
        truth = np.array([float(mpmath.tanh(mpmath.mpf(c) + mpmath.mpf(v)) - t0) for v in tt])
        worst = max(worst, np.max(np.abs(p - truth)) / 2.0 ** -24)
        for row, v in zip(rows, [t0] + coef):
            row.append(v)
    print(f"tanh table: T0 + D(t), degree {TANH_TABLE_DEGREE}, largest error of D {worst:.3f} units of 2^-24")
    for name, row in zip(["T0"] + [f"D{k}" for k in range(TANH_TABLE_DEGREE + 1)], rows):
        print(f"    {{{', '.join(hex32(v) for v in row)}}}, // {name}")


def main():
    ln2 = float(mpmath.log(2))
    fit("exp", -ln2 / 2, ln2 / 2, 4, "e^r = 1 + r + r^2 Q(r)",
        lambda r: (mpmath.exp(r) - 1 - r) / r ** 2, lambda r: r ** 2 / mpmath.exp(r))
    fit("log", float(mpmath.sqrt(0.5)) - 1, float(mpmath.sqrt(2)) - 1, 8, "log(1+f) = f - f^2/2 + f^3 P(f)",
        lambda f: (mpmath.log1p(f) - f + f ** 2 / 2) / f ** 3, lambda f: abs(f ** 3 / mpmath.log1p(f)))
    fit("tanh", -TANH_POLY_MAX, TANH_POLY_MAX, 6, "tanh(x) = x + x^3 T(x^2)",
        lambda x: (mpmath.tanh(x) - x) / x ** 3, lambda x: abs(x ** 3 / mpmath.tanh(x)), arg=lambda x: x * x)
    tanh_table()


if __name__ == "__main__":
    main()
