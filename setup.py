"""The hot path in C: Cython compiles these plain Python modules, typed by the .pxd files beside them."""

from Cython.Build import cythonize
from setuptools import setup

COMPILED = ["runtime", "neuron", "signals", "activations"]

setup(
    ext_modules=cythonize(
        [f"src/exmachina/{module}.py" for module in COMPILED],
        compiler_directives={"language_level": 3, "annotation_typing": False},
    )
)
