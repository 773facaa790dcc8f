"""The reference central tax service: what kiosks talk to in demos, tests and pilots.

- `app.create_app` / `server.CentralServer`: the HTTP API (OpenAPI at /openapi.json),
  one router per area in `routes/` (health, verify, enrolment, sync, kiosks,
  reference, imports); `state` (what routes get as a dependency), `auth` (admin token,
  client certificate, signed requests), `errors` (ErrorResponse, the error handlers),
  `middleware` (body limit), `schemas` (request and response models).
- `verification.verify_invoice`: the platform's rules (fields by invoice type, 5 checks
  per invoice per day, issued today or more than 5 years ago is out of period).
- `ingest.ingest_batch`: the outbox sync protocol. Every record that takes a
  (kiosk_id, seq) slot is stored, accepted or rejected, before the answer; a resend
  gets the first answer again ("duplicate" for accepted records, the same rejection
  for rejected ones), so at-least-once sending gives exactly-once processing. What a
  record's payload must be and what result it gets is its kind's handler
  (`record_kinds`, handlers in `kinds/`).
- `invoice_import.import_invoices_csv`: the registry's public CSV import format.
- `demo_data`: a registry covering every outcome, dated relative to "today".

Imports nothing from kiosk/ or ui/: only the wire and payload models and record crypto
of offline_queue, which both sides share.
"""
