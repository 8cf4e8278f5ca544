variable "defender_tier" {
  type = string
}

resource "azurerm_security_center_subscription_pricing" "sql" {
  tier          = var.defender_tier
  resource_type = "SqlServers"
}
