resource "azurerm_storage_container_immutability_policy" "ledger" {
  storage_container_resource_manager_id = azurerm_storage_container.ledger.resource_manager_id
  immutability_period_in_days           = 3650
  locked                                = false
}

resource "azurerm_storage_account" "archive" {
  name                     = "acmearchive"
  resource_group_name      = "finance"
  location                 = "westeurope"
  account_tier             = "Standard"
  account_replication_type = "GRS"
  immutability_policy {
    allow_protected_append_writes = false
    state                         = "Unlocked"
    period_since_creation_in_days = 3650
  }
}
