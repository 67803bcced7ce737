"""Runtime hook: a placeholder for ``PySide6.QtOpenGL``, which the bundle leaves out (8.5 MB).

pyqtgraph's ``PColorMeshItem`` imports ``QtOpenGL`` by name when pyqtgraph is imported, but only
uses it to draw colour meshes with OpenGL, which KCP Desk never does. The placeholder lets the
import succeed; touching any of its names raises ImportError with the reason.
"""

import sys
import types


def _install() -> None:
    name = "PySide6.QtOpenGL"
    if name in sys.modules:
        return
    module = types.ModuleType(name, "left out of the KCP Desk bundle (packaging/kcpdesk.spec)")

    def missing(attr: str) -> object:
        if attr.startswith("__"):
            raise AttributeError(attr)
        raise ImportError(f"{name}.{attr}: QtOpenGL is not part of the KCP Desk bundle")

    module.__getattr__ = missing  # type: ignore[method-assign]
    sys.modules[name] = module


_install()
