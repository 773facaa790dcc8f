"""The record kinds the central service handles, one module each; importing this
package registers them (central.record_kinds). A new kind: a module here that calls
`record_kinds.register(...)`, and one import line below."""
from central.kinds import invoice_verify, void
from central.kinds import consult_callback, suggestion
from central.kinds import credit_consent, residence
from central.kinds import tax_payment
from central.kinds import invoice_issue
from central.kinds import iit_return

__all__ = ["consult_callback", "suggestion", "invoice_verify", "void",
           "credit_consent", "residence", "tax_payment", "invoice_issue", "iit_return"]
