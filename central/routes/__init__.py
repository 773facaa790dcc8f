"""The central service's HTTP API, one module per area, each exposing `router`
(an `APIRouter`); `central.app.create_app` includes them. A new area is a new module
here plus one `include_router` line there (docs/design.md, "central")."""
