resource "azurerm_mssql_database" "reporting" {
  name                                = "reporting"
  server_id                           = azurerm_mssql_server.main.id
  sku_name                            = "S1"
  transparent_data_encryption_enabled = false
}
