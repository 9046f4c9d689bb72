"""申报自查: criteria read from the library's documents at ingest, and a check of one's own figures
against them. numbers → terms (criteria.toml) → extract → store; facts → check."""
