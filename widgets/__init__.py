"""Widgets: the ipywidgets components the Voila pages in ``training/`` are
assembled from. Pages are built by plain functions that return a widget, so
they can be unit-tested without a browser; the notebooks only call them.

Rule for every component: user text is escaped (``widgets.common.esc``)
before it goes into an ``HTML`` widget, which sets innerHTML.
"""
