"""The reader's screens: library, reading, search, statistics, help."""
