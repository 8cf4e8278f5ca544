resource "azurerm_mssql_server_extended_auditing_policy" "main" {
  server_id              = azurerm_mssql_server.main.id
  storage_endpoint       = azurerm_storage_account.audit.primary_blob_endpoint
  retention_in_days      = 365
  log_monitoring_enabled = true
}

# retention_in_days defaults to 0: records are kept forever.
resource "azurerm_mssql_database_extended_auditing_policy" "orders" {
  database_id            = azurerm_mssql_database.orders.id
  log_monitoring_enabled = true
}
