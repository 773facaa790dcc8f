"""Documents (lists of blocks), printer profiles, templates, and renderers to ESC/POS
(python-escpos) and PNG previews (QtGui, no widgets)."""
