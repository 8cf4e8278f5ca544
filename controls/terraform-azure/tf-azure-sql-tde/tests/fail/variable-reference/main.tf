variable "tde" {
  type = bool
}

resource "azurerm_mssql_database" "orders" {
  name                                = "orders"
  server_id                           = azurerm_mssql_server.main.id
  sku_name                            = "S2"
  transparent_data_encryption_enabled = var.tde
}
