"""The SOAP note editor of a visit: drafting, billing, signing and addenda."""
