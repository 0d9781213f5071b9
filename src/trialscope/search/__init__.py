"""Search backends for the study search task (PubMed E-utilities, local BM25)."""
