"""Answering: a question -> hybrid retrieval -> the sentences of the passages -> a backend's
answer (generate/) -> citations verified against the files -> an Answer, or an abstention.

followup (conversation), retrieve, evidence, injection (article text is data), mentions,
support (does a sentence support a claim), citations, pipeline (answer()), evaluation (rag eval).
"""
