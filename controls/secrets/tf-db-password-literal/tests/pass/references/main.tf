resource "random_password" "orders" {
  length  = 32
  special = true
}

data "aws_secretsmanager_secret_version" "ledger" {
  secret_id = "ledger/db"
}

variable "crm_admin_password" {
  type      = string
  sensitive = true
}

resource "aws_db_instance" "orders" {
  identifier        = "orders"
  engine            = "postgres"
  instance_class    = "db.t3.medium"
  allocated_storage = 20
  username          = "orders"
  password          = random_password.orders.result
}

resource "aws_rds_cluster" "reporting" {
  cluster_identifier          = "reporting"
  engine                      = "aurora-postgresql"
  master_username             = "reporting"
  manage_master_user_password = true
}

resource "aws_db_instance" "ledger" {
  identifier     = "ledger"
  engine         = "mysql"
  instance_class = "db.t3.small"
  username       = "ledger"
  password       = jsondecode(data.aws_secretsmanager_secret_version.ledger.secret_string)["password"]
}

resource "azurerm_mssql_server" "crm" {
  name                         = "crm-sql"
  resource_group_name          = "crm"
  location                     = "westeurope"
  version                      = "12.0"
  administrator_login          = "crmadmin"
  administrator_login_password = var.crm_admin_password
  minimum_tls_version          = "1.2"
}

resource "google_sql_user" "iam" {
  name     = "reporting@example.iam.gserviceaccount.com"
  instance = "main"
  type     = "CLOUD_IAM_SERVICE_ACCOUNT"
}

resource "google_sql_user" "legacy" {
  name     = "legacy"
  instance = "main"
  password = "${var.legacy_password}"
}

# Not a database resource: its password is not judged here.
resource "aws_iam_user_login_profile" "ops" {
  user = "ops"
}
