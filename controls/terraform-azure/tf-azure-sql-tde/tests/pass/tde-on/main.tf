resource "azurerm_mssql_database" "customers" {
  name                                = "customers"
  server_id                           = azurerm_mssql_server.main.id
  sku_name                            = "GP_S_Gen5_2"
  transparent_data_encryption_enabled = true
}

# On by default.
resource "azurerm_mssql_database" "catalog" {
  name      = "catalog"
  server_id = azurerm_mssql_server.main.id
  sku_name  = "S0"
}
