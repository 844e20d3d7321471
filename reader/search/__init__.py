"""Search: the library-wide index (index, query) and matches inside one story (in_story)."""
