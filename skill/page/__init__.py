"""The listening page: each section's recording with its transcript, and /audio/ files.

    views.py    the Flask blueprint the web service mounts at /
    templates/  the page, accessible without JavaScript
    static/     its stylesheet and the optional playback-speed buttons
"""
