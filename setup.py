"""The hot path in C: Cython compiles these plain Python modules, typed by the .pxd files beside them."""

import os
import sys
import tempfile

import numpy
from Cython.Build import cythonize
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

COMPILED = ["actors/routes", "actors/dendrites", "actors/receivers", "actors/delivery", "actors/runtime", "actors/neuron", "actors/signals", "actors/activations", "actors/feeder"]
# No fused multiply-add: the compiled arithmetic must round exactly as Python's floats do. Loops unrolled:
# a run's error folds (a weight reached through each receiver's own pointer) take 14 instructions a
# message rolled, about 11 unrolled; unrolling reorders no arithmetic, so the bits are the same.
EXACT = [] if sys.platform == "win32" else ["-ffp-contract=off", "-funroll-loops"]
# The building machine's own vector instructions (AVX2 where it has them: a batch's loops take four
# doubles at a time instead of SSE2's two; each is the same rounded operation, so the bits are the
# same). EXMACHINA_PORTABLE=1 leaves them out, for a build meant for other machines.
NATIVE = "-march=native"


class BuildExt(build_ext):
    """Adds `NATIVE` to every module when the compiler accepts it (gcc and clang do; MSVC does not)."""

    def build_extensions(self):
        if os.environ.get("EXMACHINA_PORTABLE", "") in ("", "0") and self._accepts(NATIVE):
            for extension in self.extensions:
                extension.extra_compile_args = [*extension.extra_compile_args, NATIVE]
        super().build_extensions()

    def _accepts(self, flag):
        with tempfile.TemporaryDirectory() as folder:
            source = os.path.join(folder, "probe.c")
            with open(source, "w") as probe:
                probe.write("int main(void) { return 0; }\n")
            try:
                self.compiler.compile([source], output_dir=folder, extra_postargs=[flag])
            except Exception:  # any failure to compile: build without it
                return False
        return True


setup(
    cmdclass={"build_ext": BuildExt},
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
    ),
)
