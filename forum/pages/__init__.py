"""Site pages (About, Privacy policy, Contact, Related sites), written by admins."""
