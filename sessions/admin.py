from sessions import pack_admin  # noqa: F401  (session pack content, downloads and batches)
