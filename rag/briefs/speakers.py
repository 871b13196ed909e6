"""Who said what: the speaker index's statements, grouped by person across articles.

Names are resolved across articles ("Kirby" and "John Kirby"; "Antony" and "Anthony Blinken")
and shown in their most common full form. People (named in full somewhere) come before bodies
and places that "say" things ("the Kremlin", "Beijing"). The same remark carried by several
outlets is one entry citing all of them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from .clusters import quoted_pairs
from ..indexing.quotes import same_person
from .story import Material, Sentence

SAME_REMARK = 0.8
MAX_REMARKS = 6
MAX_PEOPLE = 12
MAX_OTHERS = 4


@dataclass
class SpeakerGroup:
    name: str
    person: bool
    remarks: list[list[Sentence]]  # each: the sentence shown first, then the same remark elsewhere
    articles: list[int]


def group(material: Material) -> list[SpeakerGroup]:
    said = [s for s in material.sentences if s.speaker]
    people: list[list[Sentence]] = []
    for s in said:
        home = next((g for g in people if same_person(g[0].speaker, s.speaker)), None)
        if home is None:
            people.append([s])
        else:
            home.append(s)
    groups = [_build(material, sentences) for sentences in people]
    groups.sort(key=lambda g: (not g.person, -len(g.articles), -len(g.remarks), g.name))
    persons = [g for g in groups if g.person][:MAX_PEOPLE]
    others = [g for g in groups if not g.person][:MAX_OTHERS]
    return persons + others


def _build(material: Material, sentences: list[Sentence]) -> SpeakerGroup:
    forms = Counter(s.speaker for s in sentences)
    full = [f for f in forms if len(f.split()) >= 2]
    name = max(full or forms, key=lambda f: (forms[f], len(f.split()), f))
    ordered = sorted(sentences, key=lambda s: (not s.direct, s.article, s.position))
    remarks: list[list[Sentence]] = []
    for s in ordered:
        twin = next((r for r in remarks if _same_remark(material, r[0], s)), None)
        if twin is None:
            remarks.append([s])
        elif all(t.article != s.article for t in twin):
            twin.append(s)
    articles = list(dict.fromkeys(s.article for s in sorted(sentences, key=lambda s: s.article)))
    return SpeakerGroup(name, bool(full), remarks[:MAX_REMARKS], articles)


def _same_remark(material: Material, a: Sentence, b: Sentence) -> bool:
    if a.article == b.article:
        return False
    close = float(np.dot(material.vectors[a.index], material.vectors[b.index]))
    return close >= SAME_REMARK or (close >= 0.5 and bool(quoted_pairs(a.text) & quoted_pairs(b.text)))
