"""The operators' web console (queue, conversation view, visits, flagged readings).

Not built yet: escalations already queue in the database (see dialogs/flows/operator.py).
"""
