#!/opt/venv/bin/python
"""NumPy files for nabla-io's NpyTest, and the check that NumPy reads what nabla writes.

Run from the repository root with /opt/venv/bin/python (NumPy):

    /opt/venv/bin/python scripts/numpy_fixtures.py write
        writes nabla-io/src/test/resources/numpy/*.npy and *.npz (committed): every dtype nabla
        maps, C and Fortran order, both byte orders, 0-d and empty arrays, and types nabla must
        refuse. The values follow RECIPE, which NpyTest rebuilds in Java.

    ./run-tests -pl nabla-io -am -Dtest=NpyTest -Dsurefire.failIfNoSpecifiedTests=false
    /opt/venv/bin/python scripts/numpy_fixtures.py check [FOLDER]
        np.load's every file NpyTest wrote into FOLDER (nabla-io/target/numpy-written/) and compares
        it, element for element and dtype for dtype, with RECIPE. NpyTest runs this itself with the
        Python run-tests gives it (NABLA_TEST_PYTHON); exit code 77 (a skip) when it has no NumPy.
"""
import os
import sys

try:
    import numpy as np
except ImportError:  # exit code 77: NpyTest skips the check and says why
    print("numpy_fixtures: this Python has no numpy; pip install numpy")
    sys.exit(77)

FIXTURES = "nabla-io/src/test/resources/numpy"
WRITTEN = "nabla-io/target/numpy-written"


def recipe(shape):
    """arange(n) * 0.5 - 3 in the given shape: exact in every float type."""
    n = int(np.prod(shape))
    return (np.arange(n) * 0.5 - 3).reshape(shape)


def write():
    os.makedirs(FIXTURES, exist_ok=True)
    a = recipe((2, 3, 4))
    ints = np.arange(24).reshape(2, 3, 4) - 5
    files = {
        "f4.npy": a.astype("<f4"),
        "f8.npy": a.astype("<f8"),
        "f8_big_endian.npy": a.astype(">f8"),
        "f2.npy": a.astype("<f2"),
        "f4_fortran.npy": np.asfortranarray(a.astype("<f4")),
        "i8_fortran.npy": np.asfortranarray(ints.astype("<i8")),
        "i8.npy": ints.astype("<i8"),
        "i4.npy": ints.astype("<i4"),
        "i2.npy": ints.astype("<i2"),
        "i1.npy": ints.astype("i1"),
        "u1.npy": (ints + 5).astype("u1"),
        "u2.npy": (ints + 5).astype("<u2"),
        "u4_big_endian.npy": (ints + 5).astype(">u4"),
        "u8.npy": (ints + 5).astype("<u8"),
        "u8_too_large.npy": np.array([1, 2**63], dtype="<u8"),
        "bool.npy": (ints % 3 == 0),
        "scalar_f8.npy": np.float64(2.5),
        "empty_f4.npy": np.zeros((0, 3), dtype="<f4"),
        "c8.npy": np.array([1 + 2j], dtype="<c8"),
        "str.npy": np.array(["a", "bc"]),
    }
    for name, arr in files.items():
        np.save(os.path.join(FIXTURES, name), arr)
    np.savez(os.path.join(FIXTURES, "stored.npz"), x=a.astype("<f4"), labels=ints.astype("<i8"))
    np.savez_compressed(os.path.join(FIXTURES, "compressed.npz"), x=a.astype("<f8"), mask=(ints % 2 == 0))
    print("wrote", len(files) + 2, "files to", FIXTURES)


def check(folder=WRITTEN):
    expected = {
        "f4.npy": recipe((2, 3, 4)).astype("float32"),
        "f8.npy": recipe((2, 3, 4)),
        "i8.npy": np.arange(24).reshape(2, 3, 4) - 5,
        "scalar.npy": np.float64(2.5),
        "empty.npy": np.zeros((0, 3), dtype="float32"),
        "big.npy": recipe((70000,)).astype("float32"),
    }
    for name, want in expected.items():
        got = np.load(os.path.join(folder, name))
        assert got.dtype == np.asarray(want).dtype, (name, got.dtype, np.asarray(want).dtype)
        assert got.shape == np.shape(want), (name, got.shape, np.shape(want))
        assert np.array_equal(got, want), name
    z = np.load(os.path.join(folder, "arrays.npz"))
    assert sorted(z.files) == ["labels", "x"], z.files
    assert np.array_equal(z["x"], recipe((2, 3, 4)).astype("float32")) and z["x"].dtype == np.float32
    assert np.array_equal(z["labels"], np.arange(24).reshape(2, 3, 4) - 5) and z["labels"].dtype == np.int64
    print("NumPy read all", len(expected) + 1, "files nabla wrote: dtypes, shapes and values match")


if __name__ == "__main__":
    {"write": write, "check": check}[sys.argv[1]](*sys.argv[2:])
