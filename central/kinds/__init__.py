"""The record kinds the central service handles, one module each; importing this
package registers them (central.record_kinds). A new kind: a module here that calls
`record_kinds.register(...)`, and one import line below."""
from central.kinds import invoice_verify, void

__all__ = ["invoice_verify", "void"]
