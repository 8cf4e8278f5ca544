resource "azurerm_storage_account" "shared" {
  name                            = "sharedfiles"
  resource_group_name             = azurerm_resource_group.main.name
  location                        = azurerm_resource_group.main.location
  account_tier                    = "Standard"
  account_replication_type        = "LRS"
  allow_nested_items_to_be_public = false
}

resource "azurerm_storage_container" "downloads" {
  name                  = "downloads"
  storage_account_name  = azurerm_storage_account.shared.name
  container_access_type = "container"
}

resource "azurerm_storage_container" "images" {
  name                  = "images"
  storage_account_id    = azurerm_storage_account.shared.id
  container_access_type = "blob"
}

resource "azurerm_storage_container" "invoices" {
  name                  = "invoices"
  storage_account_id    = azurerm_storage_account.shared.id
  container_access_type = "private"
}
