resource "azurerm_mssql_server_extended_auditing_policy" "main" {
  server_id              = azurerm_mssql_server.main.id
  storage_endpoint       = azurerm_storage_account.audit.primary_blob_endpoint
  retention_in_days      = 30
  log_monitoring_enabled = true
}

resource "azurerm_mssql_database_extended_auditing_policy" "reporting" {
  database_id = azurerm_mssql_database.reporting.id
  enabled     = false
}
