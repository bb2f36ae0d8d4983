"""The hot path in C: Cython compiles these plain Python modules, typed by the .pxd files beside them."""

import sys

import numpy
from Cython.Build import cythonize
from setuptools import Extension, setup

COMPILED = ["actors/routes", "actors/dendrites", "actors/delivery", "actors/runtime", "actors/neuron", "actors/signals", "actors/activations", "actors/feeder"]
# No fused multiply-add: the compiled arithmetic must round exactly as Python's floats do.
EXACT = [] if sys.platform == "win32" else ["-ffp-contract=off"]

setup(
    ext_modules=cythonize(
        [
            Extension(f"exmachina.{m.replace('/', '.')}", [f"src/exmachina/{m}.py"], include_dirs=[numpy.get_include()],
                      define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")], extra_compile_args=EXACT)
            for m in COMPILED
        ],
        # the .pxd files give the types, and ** and None behave as in Python, except where a module's
        # first line says otherwise: the runtime's modules and the signals index without bounds checks, and
        # they and the neuron make no None checks (each checks what it is given where it comes in)
        compiler_directives={"language_level": 3, "annotation_typing": False, "cpow": True, "nonecheck": True},
    )
)
