"""Reading files into documents and chunks: loaders, cleaning, government-document structure, quality, staging."""
