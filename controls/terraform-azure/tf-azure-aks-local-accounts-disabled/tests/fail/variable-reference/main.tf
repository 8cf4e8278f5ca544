variable "disable_local" {
  type = bool
}

resource "azurerm_kubernetes_cluster" "apps" {
  name                   = "aks-apps"
  location               = azurerm_resource_group.main.location
  resource_group_name    = azurerm_resource_group.main.name
  dns_prefix             = "aks-apps"
  local_account_disabled = var.disable_local

  default_node_pool {
    name       = "system"
    node_count = 2
    vm_size    = "Standard_D4s_v5"
  }

  identity {
    type = "SystemAssigned"
  }
}
