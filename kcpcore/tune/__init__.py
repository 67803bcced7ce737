"""Tune a link: measured figures in, recommendations with reasons out (``kcpdesk tune``)."""

from .advice import Advice, Recommendation, apply
from .figures import DirectionFigures, LinkFigures
from .parity import FecChoice, cheapest, unrecoverable
from .rules import recommend

__all__ = [
    "Advice", "DirectionFigures", "FecChoice", "LinkFigures", "Recommendation", "apply",
    "cheapest", "recommend", "unrecoverable",
]  # fmt: skip
