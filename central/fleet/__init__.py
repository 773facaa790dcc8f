"""The fleet page of the central service (issue #14 §4): every terminal on one
server-rendered page, its heartbeat history and charts, alerts (listed on the page and
POSTed to a webhook) and the operators' sign-in.

- `models`: the tables (migration 0010): heartbeat history, devices in error, alert
  occurrences, sign-in sessions.
- `history`: what a heartbeat leaves behind (called by the heartbeat route).
- `status`: the terminals as the page shows them, and which alerts hold now.
- `alerts`: alert occurrences, once each, and the webhook (`FleetMonitor`).
- `session`: sign-in with the admin token, the session cookie, CSRF tokens.
- `pages`: the HTML (string templates, inline SVG charts; no build step).

Other areas add a section to the overview with `pages.add_section` (remote
assistance lists its open requests there).
"""
