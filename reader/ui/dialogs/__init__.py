"""Dialogs over a screen: bookmarks, contents and go to, the status picker."""
