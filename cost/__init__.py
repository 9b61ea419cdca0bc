"""Monthly cost estimates for a queuekit spec, priced from a catalog with a source for every price."""
