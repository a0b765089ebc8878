"""Attachments: files and pictures added to posts, safe by construction (type decided by
content, pictures re-encoded, nothing served inline but re-encoded pictures), kept behind
one storage interface (local files or the database, chosen by UPLOAD_STORAGE)."""
