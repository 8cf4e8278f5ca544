resource "azurerm_mssql_server" "main" {
  name                          = "sql-main"
  resource_group_name           = azurerm_resource_group.main.name
  location                      = azurerm_resource_group.main.location
  version                       = "12.0"
  minimum_tls_version           = "1.2"
  public_network_access_enabled = false

  azuread_administrator {
    login_username              = "sql-admins"
    object_id                   = azuread_group.sql_admins.object_id
    azuread_authentication_only = true
  }
}
