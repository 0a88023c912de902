# gunicorn -c deploy/gunicorn.conf.py "saas:create_app()"
bind = "127.0.0.1:8000"
workers = 4
threads = 4
worker_class = "gthread"
timeout = 120  # uploads of 150 MB dossiers
forwarded_allow_ips = "127.0.0.1"
accesslog = "-"
