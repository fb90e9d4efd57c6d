"""The MAX channel (the national messenger's Bot API): see README.md.

Kept empty of imports: the registry imports bots.max.plugin to read settings, and the channel's
modules load only when it is built or mounted.
"""
