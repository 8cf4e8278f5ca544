resource "azurerm_storage_account" "data" {
  name                            = "appdata"
  resource_group_name             = azurerm_resource_group.main.name
  location                        = azurerm_resource_group.main.location
  account_tier                    = "Standard"
  account_replication_type        = "GRS"
  min_tls_version                 = "TLS1_2"
  allow_nested_items_to_be_public = false
}

# azurerm 2.x: public blob access is off unless allowed.
resource "azurerm_storage_account" "legacy" {
  name                     = "legacydata"
  resource_group_name      = azurerm_resource_group.main.name
  location                 = azurerm_resource_group.main.location
  account_tier             = "Standard"
  account_replication_type = "LRS"
  allow_blob_public_access = false
}

# Private is the default access level.
resource "azurerm_storage_container" "uploads" {
  name                 = "uploads"
  storage_account_name = azurerm_storage_account.data.name
}

resource "azurerm_storage_container" "reports" {
  name                  = "reports"
  storage_account_id    = azurerm_storage_account.data.id
  container_access_type = "private"
}
