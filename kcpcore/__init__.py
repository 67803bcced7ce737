"""kcpcore: a kcptun-compatible tunnel engine (KCP + FEC + packet crypt + smux), sans-I/O first.

Importing this package never imports Qt; the desktop app lives in ``app``.
"""

__version__ = "0.1.0"
