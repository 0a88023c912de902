-- Run once by the database container: the table owner and the non-owner application role.
-- Change the passwords (they must match APP_DB_PASSWORD and OWNER_DB_PASSWORD of the compose .env).
CREATE ROLE quorum_owner LOGIN PASSWORD 'change-me-owner';
CREATE ROLE quorum_app LOGIN PASSWORD 'change-me-app' NOSUPERUSER NOBYPASSRLS;
CREATE DATABASE quorum OWNER quorum_owner;
