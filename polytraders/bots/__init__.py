"""Decision modules ("bots"): one module per bot at ``polytraders/bots/<class>/<name>.py``.

Every bot module exposes ``SLUG``, ``VERSION``, a frozen ``Config`` (a :class:`BotConfig`) and
one pure entry point. Bots import only ``contracts`` and ``adapters``; no I/O, no clock, no
randomness, no logging: what they decide is returned, and the runtime wraps it in envelopes.
"""
