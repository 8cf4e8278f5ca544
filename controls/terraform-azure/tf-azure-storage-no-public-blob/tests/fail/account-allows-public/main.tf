resource "azurerm_storage_account" "website" {
  name                            = "marketingsite"
  resource_group_name             = azurerm_resource_group.main.name
  location                        = azurerm_resource_group.main.location
  account_tier                    = "Standard"
  account_replication_type        = "LRS"
  min_tls_version                 = "TLS1_2"
  allow_nested_items_to_be_public = true
}

# azurerm 2.x spelling.
resource "azurerm_storage_account" "old_assets" {
  name                     = "oldassets"
  resource_group_name      = azurerm_resource_group.main.name
  location                 = azurerm_resource_group.main.location
  account_tier             = "Standard"
  account_replication_type = "LRS"
  allow_blob_public_access = true
}

# Neither attribute: azurerm 3.0 and later default to allowing public containers.
resource "azurerm_storage_account" "exports" {
  name                     = "nightlyexports"
  resource_group_name      = azurerm_resource_group.main.name
  location                 = azurerm_resource_group.main.location
  account_tier             = "Standard"
  account_replication_type = "GRS"
  min_tls_version          = "TLS1_2"
}
