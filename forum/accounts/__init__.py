"""Member accounts: register, log in and out, profiles, settings, roles."""
