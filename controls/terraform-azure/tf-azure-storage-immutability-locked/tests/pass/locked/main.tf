resource "azurerm_storage_container_immutability_policy" "ledger" {
  storage_container_resource_manager_id = azurerm_storage_container.ledger.resource_manager_id
  immutability_period_in_days           = 4015
  locked                                = true
}

resource "azurerm_storage_account" "archive" {
  name                     = "acmearchive"
  resource_group_name      = "finance"
  location                 = "westeurope"
  account_tier             = "Standard"
  account_replication_type = "GRS"
  immutability_policy {
    allow_protected_append_writes = false
    state                         = "Locked"
    period_since_creation_in_days = 3650
  }
}

# No immutability policy: not judged.
resource "azurerm_storage_account" "web" {
  name                     = "acmeweb"
  resource_group_name      = "web"
  location                 = "westeurope"
  account_tier             = "Standard"
  account_replication_type = "LRS"
}
