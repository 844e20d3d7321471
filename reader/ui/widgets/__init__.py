"""Widgets the screens are made of: the page, the story table and its rows, the find bar, the text box."""
