"""Gateway transport compression, as asked by the `compress` query parameter.

- zlib-stream: one zlib stream per connection; each message ends with a Z_SYNC_FLUSH (00 00 ff ff),
  which is how discord.py knows a message is complete.
- zstd-stream: one zstd stream per connection, each message flushed as a block (only when the
  `zstandard` module is importable; discord.py asks for it when it can decode it).
- none: plain text frames.
"""

from __future__ import annotations

import zlib
from typing import Protocol

try:
    import zstandard
except ImportError:  # discord.py then asks for zlib-stream
    zstandard = None


class Compressor(Protocol):
    def compress(self, text: str) -> bytes: ...


class ZlibStream:
    def __init__(self) -> None:
        self._stream = zlib.compressobj()

    def compress(self, text: str) -> bytes:
        return self._stream.compress(text.encode()) + self._stream.flush(zlib.Z_SYNC_FLUSH)


class ZstdStream:
    def __init__(self) -> None:
        assert zstandard is not None
        self._stream = zstandard.ZstdCompressor().compressobj()
        self._flush_block = zstandard.COMPRESSOBJ_FLUSH_BLOCK

    def compress(self, text: str) -> bytes:
        return self._stream.compress(text.encode()) + self._stream.flush(self._flush_block)


def supported() -> set[str]:
    kinds = {"zlib-stream"}
    if zstandard is not None:
        kinds.add("zstd-stream")
    return kinds


def compressor_for(kind: str | None) -> Compressor | None:
    """None means plain text frames; raises ValueError for a kind Discord does not offer."""
    if not kind:
        return None
    if kind == "zlib-stream":
        return ZlibStream()
    if kind == "zstd-stream" and zstandard is not None:
        return ZstdStream()
    raise ValueError(f"unsupported compression {kind!r}")
