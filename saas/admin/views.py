from saas.platform.web import tenant_blueprint

bp = tenant_blueprint("admin", __name__, "/admin")
