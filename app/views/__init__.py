"""Widgets: composition and presentation only; state lives in ``app.controllers``."""
