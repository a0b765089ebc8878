"""The link library: curated outside links, each a staff topic of kind link."""
