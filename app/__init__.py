"""KCP Desk, the desktop app: profiles, in-process tunnels on the Qt loop, charts and a demo.

Qt-free parts (``app.models``, ``app.demo.relay``, ``app.demo.traffic``) import no Qt, so they
are unit-tested without a ``QApplication``; everything else needs PySide6 (``kcpdesk[gui]``).
"""
