"""The operators' web console at /console: queue, conversations, visits, flagged readings,
supervisors' pages. Server-rendered jinja2 pages (autoescape on), vanilla JS for live updates
(Server-Sent Events) and replies. See console/README.md for routes and stable selectors.

It reaches the database only through core.ports (no SQLAlchemy here) and the customers only
through the outbox.
"""
