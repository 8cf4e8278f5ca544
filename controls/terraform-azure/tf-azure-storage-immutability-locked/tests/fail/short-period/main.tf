resource "azurerm_storage_container_immutability_policy" "ledger" {
  storage_container_resource_manager_id = azurerm_storage_container.ledger.resource_manager_id
  immutability_period_in_days           = 2190
  locked                                = true
}
