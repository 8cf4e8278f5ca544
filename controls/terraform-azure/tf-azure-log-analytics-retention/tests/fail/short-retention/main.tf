resource "azurerm_log_analytics_workspace" "security" {
  name                = "law-security"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  sku                 = "PerGB2018"
  retention_in_days   = 90
}

# Default retention: 30 days.
resource "azurerm_log_analytics_workspace" "apps" {
  name                = "law-apps"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  sku                 = "PerGB2018"
}

variable "log_days" {
  type = number
}

resource "azurerm_log_analytics_workspace" "platform" {
  name                = "law-platform"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  sku                 = "PerGB2018"
  retention_in_days   = var.log_days
}
