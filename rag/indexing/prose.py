"""Texts that cannot be an article, told by what any written text has: words, and not saying the
same thing over and over. A long text that is mostly one run of characters without spaces
(encoded data, a blob), or that repeats itself (one word or one line a hundred thousand times)
would cost minutes of embedding and answer nothing; it is skipped with the reason.

Only long texts are judged (under MIN_CHARS a text costs little whatever it is). The bounds were
set from the RealTime QA corpus (945 news documents), not fitted: of its documents over 20,000
characters the most repetitive compresses 2.5:1 with zlib level 1 (ordinary English 2.0-2.5:1),
and the one with fewest words still has 99.6% of its letters in words of at most 40 characters.
"""

from __future__ import annotations

import re
import zlib

MIN_CHARS = 20_000
MAX_COMPRESSION = 4.0  # zlib level 1; news documents: at most 2.5
MIN_WORDY = 0.5  # share of non-space characters inside words of at most MAX_WORD characters
MAX_WORD = 40
_RUN = re.compile(r"\S{%d,}" % (MAX_WORD + 1))


def not_prose(text: str) -> str | None:
    """Why `text` is no article (the reason a user is shown), or None."""
    if len(text) < MIN_CHARS:
        return None
    letters = len(text) - text.count(" ") - text.count("\n") - text.count("\t")
    found = _RUN.findall(text)
    runs = sum(map(len, found))
    if letters and 1 - runs / letters < MIN_WORDY:
        longest = max(map(len, found))
        return (f"not prose: {runs / letters:.0%} of it is runs of characters without a space "
                f"(the longest {longest:,} characters; encoded data?)")
    raw = text.encode("utf-8", "surrogatepass")
    ratio = len(raw) / max(1, len(zlib.compress(raw, 1)))
    if ratio > MAX_COMPRESSION:
        return (f"not prose: the text repeats itself (it compresses {ratio:,.1f}:1; "
                f"articles compress about 2:1)")
    return None
