"""Plain data models (no Qt): chart series, diagnostics, the log book."""
