from saas.platform.web import tenant_blueprint

bp = tenant_blueprint("tenancy", __name__)
