resource "azurerm_key_vault_key" "storage" {
  name         = "storage-cmk"
  key_vault_id = azurerm_key_vault.main.id
  key_type     = "RSA"
  key_size     = 3072
  key_opts     = ["decrypt", "encrypt", "unwrapKey", "wrapKey"]
}

resource "azurerm_key_vault_key" "sql" {
  name         = "sql-tde"
  key_vault_id = azurerm_key_vault.main.id
  key_type     = "RSA"
  key_size     = 3072
  key_opts     = ["decrypt", "encrypt", "unwrapKey", "wrapKey"]

  rotation_policy {
    expire_after = "P3Y"

    automatic {
      time_after_create = "P2Y"
    }
  }
}

variable "rotate_after" {
  type = string
}

resource "azurerm_key_vault_key" "backup" {
  name         = "backup-cmk"
  key_vault_id = azurerm_key_vault.main.id
  key_type     = "RSA"
  key_size     = 3072
  key_opts     = ["decrypt", "encrypt", "unwrapKey", "wrapKey"]

  rotation_policy {
    automatic {
      time_after_create = var.rotate_after
    }
  }
}

# Rotates 30 days before an expiry that is never set.
resource "azurerm_key_vault_key" "disk" {
  name         = "disk-cmk"
  key_vault_id = azurerm_key_vault.main.id
  key_type     = "RSA"
  key_size     = 3072
  key_opts     = ["decrypt", "encrypt", "unwrapKey", "wrapKey"]

  rotation_policy {
    automatic {
      time_before_expiry = "P30D"
    }
  }
}
