resource "azurerm_key_vault_key" "storage" {
  name         = "storage-cmk"
  key_vault_id = azurerm_key_vault.main.id
  key_type     = "RSA"
  key_size     = 3072
  key_opts     = ["decrypt", "encrypt", "unwrapKey", "wrapKey"]

  rotation_policy {
    expire_after         = "P1Y"
    notify_before_expiry = "P30D"

    automatic {
      time_after_create = "P90D"
    }
  }
}

# Rotated 30 days before it expires, 6 months after creation.
resource "azurerm_key_vault_key" "sql" {
  name         = "sql-tde"
  key_vault_id = azurerm_key_vault.main.id
  key_type     = "RSA"
  key_size     = 3072
  key_opts     = ["decrypt", "encrypt", "unwrapKey", "wrapKey"]

  rotation_policy {
    expire_after = "P6M"

    automatic {
      time_before_expiry = "P30D"
    }
  }
}
