from flask_smorest import Blueprint

blp = Blueprint("tenancy_api", __name__, url_prefix="/api/v1")
