"""Grounding must not certify false claims: a sentence a model wrote is cited only when the
sentence it cites holds its specific content. Each case is a claim as a model might write it,
citing [n] the real passage (from the seed index) whose sentence it is closest to. The false
ones are the kinds seen from small models: swapped names, changed figures, negated verbs,
claims stitched from two sources, a sentence about another event that shares most words, a
two-part claim supported for one part, a copied fragment whose "this" refers to nothing, an
opinion stated as fact with its speaker dropped. The faithful ones are paraphrases that must
still be cited."""

from __future__ import annotations

import pytest

from rag.answering.citations import UNSUPPORTED, ground
from rag.index.embeddings import embed_cached
from rag.answering.evidence import passage_sentences
from rag.index.lexical import LexicalIndex
from rag.answering.retrieve import search

# (claim, words of the sentence it should cite (to find its passage), why it is false)
FALSE = [
    ("Blinken said it is more of a marriage of convenience than devotion.",
     "marriage of convenience than devotion", "swapped speaker"),
    ("John Kirby said Xi should persuade Putin to withdraw Chinese forces from Ukraine.",
     "persuade Putin to withdraw Russian forces", "swapped name (Russian -> Chinese)"),
    ("Putin said trade between the two countries rose from $87 billion to $195 billion.",
     "rising from $87 billion to $185 billion", "changed figure"),
    ("China published a 14-point document in late February.",
     "China published a 12-point document", "changed figure"),
    ("Xi's state visit was the first visit to Russia since 2017.",
     "the first visit to Russia since 2019", "changed year"),
    ("Kyiv did not welcome Beijing's peace initiative when it was announced.",
     "cautiously welcomed Beijing's peace initiative", "negated verb"),
    ("Moscow admits illegally expelling children from Ukraine.",
     "Moscow denies illegally expelling children", "negation dropped"),
    ("Xi arrived in Moscow on March 20 at Putin's invitation, and the two leaders signed a gas pipeline deal.",
     "Xi arrived in Moscow on March 20 at Putin's invitation", "two-part claim, one part supported"),
    ("The joint statement denounced bloc confrontation, and Beijing's plan calls for protecting civilians and prisoners of war.",
     "the joint statement denounced “bloc confrontation.”", "stitched from two sources"),
    ("Beijing is aware of this risk.",
     "who believes Beijing is aware of this risk", "copied fragment, 'this risk' refers to nothing"),
    ("He has requested that Xi talks with him.",
     "He has requested that Xi talks with him.", "opens with a pronoun nothing before it names"),
    ("Russia and China do not have the same network of friends and partners as the United States.",
     "do not have the same network of friends and partners", "opinion stated as fact, speaker dropped"),
    ("China does not feel obligated to hold the Kremlin accountable for the atrocities committed in Ukraine.",
     "China does not feel obligated to hold the Kremlin accountable", "opinion stated as fact, speaker dropped"),
    ("Russian President Vladimir Putin said.",
     "Russian President Vladimir Putin said", "a fragment that says nothing but who spoke"),
    ("China is not responsible for calling the Kremlin for the atrocities in Ukraine; instead of condemning them, it "
     "wants to give diplomatic protection to Russia.",
     "China is not responsible for calling the Kremlin for the atrocities", "a quotation stated as fact (its speaker is "
     "described, not named: 'said the head of Washington diplomacy')"),
    ("Xi's trip days after the ICC issued an arrest warrant for President Putin suggests that China feels no "
     "responsibility to hold the Kremlin accountable for the atrocities committed in Ukraine.",
     "arrest warrant for President Putin suggests that China feels no responsibility",
     "opinion stated as fact, a name before 'suggests' taken for its speaker"),
    ("Putin welcomed Zelensky as a dear friend at the Kremlin on Monday.",
     "Putin and Xi welcomed one other as \"dear friends\"", "swapped name"),
    ("The Walmart budget was canceled by Kirby.",
     "Kirby told reporters", "unrelated claim that shares a name"),
]

TRUE = [
    ("John Kirby is a spokesperson for the White House.",  # who the speaker is: the frame, not what he said
     "John Kirby, a spokesperson for the White House, stated that Xi should use his influence"),
    ("Kirby told reporters the relationship is more a marriage of convenience than devotion.",
     "marriage of convenience than devotion"),
    ("Putin said the trade turnover of the two countries more than doubled over 10 years, from $87 billion to $185 billion.",
     "rising from $87 billion to $185 billion"),
    ("China published a 12-point document in late February.",
     "China published a 12-point document"),
    ("On Tuesday, Xi also met Russian Prime Minister Mikhail Mishustin and Foreign Minister Sergey Lavrov.",
     "Xi also met with Russian Prime Minister Mikhail Mishustin"),
    ("The joint statement did not call for Russian withdrawal.",
     "lacked a call for Russian withdrawal"),
    ("According to Kirby, Russia and China do not have the same network of friends and partners as the United States.",
     "do not have the same network of friends and partners"),
    ("Blinken said China would rather provide diplomatic cover for Russia to continue committing war crimes.",
     "would rather “provide diplomatic cover”"),
    ("Zelensky believes China arming Russia could lead to World War III.",
     "China arming Russia might lead to World War III"),
    ("Kyiv cautiously welcomed Beijing's peace initiative last month.",
     "cautiously welcomed Beijing's peace initiative"),
    ("Xi was visiting Moscow for three days, beginning Monday.",
     "Xi is visiting Moscow for three days, beginning Monday."),
]


def _grounded(seed_index, claim: str, evidence_words: str):
    passages = search(evidence_words, 5, settings=seed_index)
    n = next(i for i, p in enumerate(passages, 1) if _squash(evidence_words) in _squash(p.text))
    sentences, _ = passage_sentences(passages)
    return ground(f"{claim} [{n}]", passages, sentences, embed=embed_cached,
                  idf=LexicalIndex(seed_index.lexical_dir).idf())


def _squash(text: str) -> str:
    return " ".join(text.replace("’", "'").replace("“", '"').replace("”", '"').split())


@pytest.mark.parametrize("claim, evidence, kind", FALSE, ids=[f"{k}: {c[:40]}" for c, _, k in FALSE])
def test_false_claims_are_not_certified(seed_index, claim, evidence, kind):
    g = _grounded(seed_index, claim, evidence)
    assert g.supported == 0 and not g.citations, (kind, g.text)
    assert UNSUPPORTED in g.text and g.reasons


@pytest.mark.parametrize("claim, evidence", TRUE, ids=[c[:50] for c, _ in TRUE])
def test_faithful_claims_are_cited(seed_index, claim, evidence):
    g = _grounded(seed_index, claim, evidence)
    assert g.supported == 1 and g.citations, g.reasons
    assert _squash(evidence).split()[0] in _squash(" ".join(c.quote for c in g.citations))


def test_a_claim_citing_a_sentence_about_another_event_is_not_certified_by_it(seed_index):
    """Seen from a 1.5B model: the Mariupol trip cited to Xi's first state visit, a sentence that
    shares most of its stems. That sentence must not be cited for it; the one that says it may."""
    g = _grounded(seed_index, "Putin's trip to Mariupol was his first to a captured territory.",
                  "for his first state visit to Russia since the beginning")
    assert all("Mariupol" in c.quote for c in g.citations), [c.quote for c in g.citations]
    xi_only = _grounded(seed_index, "Xi's trip to Mariupol was his first visit to a captured territory.",
                        "for his first state visit to Russia since the beginning")
    assert xi_only.supported == 0, xi_only.text  # no sentence says that


def test_a_name_the_question_holds_may_frame_a_claim_and_no_other(seed_index):
    """Seen from a 1.5B model: "The joint statement by Xi and Putin said ..." for the question "What
    did the joint statement by Xi and Putin say?", citing a sentence that names neither."""
    passages = search("all sides should respect reasonable security concerns bloc confrontation", 5, settings=seed_index)
    sentences, _ = passage_sentences(passages)
    source = next(s for s in sentences if "bloc confrontation" in s.text and "Xi" not in s.text and "Putin" not in s.text)
    claim = f"The joint statement by Xi and Putin said that {source.text[0].lower()}{source.text[1:]} [{source.passage}]"
    idf = LexicalIndex(seed_index.lexical_dir).idf()
    asked = ground(claim, passages, sentences, embed=embed_cached, idf=idf,
                   question="What did the joint statement by Xi and Putin say?")
    assert asked.supported == 1, asked.reasons
    unasked = ground(claim, passages, sentences, embed=embed_cached, idf=idf, question="What did the joint statement say?")
    assert unasked.supported == 0 and "is not in the cited sentence" in unasked.reasons[0]
