resource "azurerm_storage_account" "reports" {
  name                     = "reportsarchive"
  resource_group_name      = azurerm_resource_group.main.name
  location                 = azurerm_resource_group.main.location
  account_tier             = "Standard"
  account_replication_type = "LRS"
  min_tls_version          = "TLS1_0"
}

# No min_tls_version: the minimum depends on the provider version.
resource "azurerm_storage_account" "uploads" {
  name                     = "useruploads"
  resource_group_name      = azurerm_resource_group.main.name
  location                 = azurerm_resource_group.main.location
  account_tier             = "Standard"
  account_replication_type = "ZRS"
}
