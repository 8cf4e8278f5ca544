variable "sql_public" {
  type = bool
}

resource "azurerm_mssql_server" "main" {
  name                          = "sql-main"
  resource_group_name           = azurerm_resource_group.main.name
  location                      = azurerm_resource_group.main.location
  version                       = "12.0"
  minimum_tls_version           = "1.2"
  public_network_access_enabled = var.sql_public
}
