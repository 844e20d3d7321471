"""Markup (HTML and XHTML) to story blocks, shared by the HTML and EPUB readers.

* :mod:`.charset` — a page's bytes to text (byte-order marks, UTF-8, a declared charset);
* :mod:`.tree` — a small, forgiving tokenizer into a light element tree;
* :mod:`.flow` — elements to paragraphs with italic and bold spans;
* :mod:`.blocks` — those paragraphs to :class:`~reader.model.Block` lists;
* :mod:`.ao3` and :mod:`.fanficfare` — the metadata fan-fiction downloads carry in their markup.
"""
