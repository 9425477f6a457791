"""Survey instruments as data, form building, invitations and the public survey pages."""
