"""The core of the Liang Wenfeng FAQ bot: content, normalisation, matching, answering.

Pure Python: nothing here imports a chat platform library or does network I/O.
"""

from __future__ import annotations

__version__ = "0.1.0"
