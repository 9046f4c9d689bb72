"""From a question to a cited answer: parsing, follow-ups, the chain, evidence and the two answerers."""
