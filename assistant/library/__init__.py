"""The library and its indexes: the Chroma store, embeddings, keyword tokens and hybrid retrieval."""
