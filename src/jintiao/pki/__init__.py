"""Digital signatures on the documents the platform issues (issue 17 §3).

Every PDF the platform issues is signed (PAdES, :mod:`jintiao.pki.signing`) by the
organisation that issues it, with its seal as the visible appearance
(:mod:`jintiao.pki.seal`). A deployment has its own certificate authority; each
organisation gets a key and a certificate from it, or imports one from a licensed CA
(:mod:`jintiao.pki.store`). Keys are files under ``settings.PKI_DIR`` (0600, in a 0700
folder), never rows in the database, so a database dump or a backup of it carries no key.
Anyone can check a signature: :mod:`jintiao.pki.verify`, ``pdfsig`` or Adobe Reader.
"""
