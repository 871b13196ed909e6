"""Indexing: files -> text with exact offsets -> documents cleaned of site furniture -> sentences
and who says what -> token-sized chunks -> written to the index, incrementally.

discover (which files), reading (bytes -> text, encodings), html and uploads (what the web UI
receives), documents and boilerplate (title, byline, date, furniture), sentences, quotes (the
speaker index), chunking, run (ingest and remove), bootstrap (the sample articles on first run).
"""
