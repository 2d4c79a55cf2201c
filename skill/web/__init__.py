"""The Alexa web front-end: `spasm-guide serve`, from the socket to the conversation engine.

    server.py        gunicorn's master from Python: checks the bind address and settings first
    worker.py        each worker's event loop: reads whole requests in time, then hands them on
    app.py           the Flask app: POST /alexa, GET /healthz, the listening page, error answers
    verification.py  is this request really from Alexa, fresh, for this skill (signature, time)
    certificates.py  Amazon's signing certificate chain: its URL, download, cache and trust

A request goes server -> worker -> app -> verification (-> certificates) -> skill.engine.
"""
