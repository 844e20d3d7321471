"""The library: the story files (listing), reading them through the metadata cache (scanning,
cache), and sorting and filtering them (shelf)."""
