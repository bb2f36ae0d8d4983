"""The live view: watch a neuron society learn in a browser (`exmachina learn --watch`).

Only the command line imports it, and only for a watched run, so training without the view pays
nothing for it.

    watcher = serve(net, X, y, held_out=(X_test, y_test))   # prints the page's address
    net.fit(X, y, on_progress=watcher.on_progress)
    watcher.finish()
"""

from .pictures import Pictures
from .server import Watcher, serve
from .session import Session

__all__ = ["Pictures", "Session", "Watcher", "serve"]
