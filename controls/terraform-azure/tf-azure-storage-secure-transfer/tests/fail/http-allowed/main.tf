# azurerm 3.x spelling
resource "azurerm_storage_account" "legacy_exports" {
  name                      = "legacyexports"
  resource_group_name       = azurerm_resource_group.main.name
  location                  = azurerm_resource_group.main.location
  account_tier              = "Standard"
  account_replication_type  = "LRS"
  enable_https_traffic_only = false
  min_tls_version           = "TLS1_2"
}

# azurerm 4.x spelling
resource "azurerm_storage_account" "media" {
  name                       = "mediacdnorigin"
  resource_group_name        = azurerm_resource_group.main.name
  location                   = azurerm_resource_group.main.location
  account_tier               = "Standard"
  account_replication_type   = "GRS"
  https_traffic_only_enabled = false
  min_tls_version            = "TLS1_2"
}
