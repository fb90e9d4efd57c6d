"""The company's domain in plain Python: no I/O, no frameworks.

Storage and dialogs depend on this package; it depends on none of them.
"""
