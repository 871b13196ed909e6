"""The index: Chroma (chunks, vectors, metadata), the BM25 index beside it, the embedding model,
the chunk-metadata schema, the writers' lock, and `Index`, the opened handle passed down.

store, lexical, embeddings, schema, writelock, opened (Index), library (what is ingested).
"""
