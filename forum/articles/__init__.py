"""Staff publishing: articles (topics of kind article), series, tag archives and pings."""
