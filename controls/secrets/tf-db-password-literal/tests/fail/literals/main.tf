resource "aws_db_instance" "orders" {
  identifier        = "orders"
  engine            = "postgres"
  instance_class    = "db.t3.medium"
  allocated_storage = 20
  username          = "orders"
  password          = "Orders-Pr0d-2024"
}

resource "aws_rds_cluster" "reporting" {
  cluster_identifier = "reporting"
  engine             = "aurora-postgresql"
  master_username    = "reporting"
  master_password    = 12345678
}

resource "azurerm_mssql_server" "crm" {
  name                         = "crm-sql"
  resource_group_name          = "crm"
  location                     = "westeurope"
  version                      = "12.0"
  administrator_login          = "crmadmin"
  administrator_login_password = <<-EOT
    Crm-Admin-Passw0rd
  EOT
  minimum_tls_version          = "1.2"
}

resource "azurerm_postgresql_flexible_server" "ledger" {
  name                         = "ledger-pg"
  resource_group_name          = "ledger"
  location                     = "westeurope"
  version                      = "16"
  administrator_login          = "ledger"
  administrator_login_password = "L3dger!"
  sku_name                     = "GP_Standard_D2s_v3"
}

resource "aws_db_instance" "replica" {
  identifier          = "orders-replica"
  replicate_source_db = aws_db_instance.orders.identifier
  instance_class      = "db.t3.medium"
}
