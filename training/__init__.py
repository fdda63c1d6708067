"""The Voila notebooks (thin: each calls one page builder from ``widgets``) and
``voila.json``, the production settings. A package only so that the wheel
carries the folder; ``samsyn serve`` finds it with ``importlib.resources``
(``samsyn.config.training_dir``). Nothing here is served but the notebooks.
"""
