resource "azurerm_mssql_server" "orders" {
  name                         = "orders-sql"
  resource_group_name          = azurerm_resource_group.main.name
  location                     = azurerm_resource_group.main.location
  version                      = "12.0"
  administrator_login          = "sqladmin"
  administrator_login_password = var.sql_password
  minimum_tls_version          = "1.2"

  azuread_administrator {
    login_username = "dba-group"
    object_id      = var.dba_group_id
  }
}

resource "azurerm_mssql_database" "orders" {
  name      = "orders"
  server_id = azurerm_mssql_server.orders.id
  sku_name  = "S1"
}
