variable "network_policy" {
  type = string
}

resource "azurerm_kubernetes_cluster" "apps" {
  name                = "aks-apps"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  dns_prefix          = "aks-apps"

  network_profile {
    network_plugin = "azure"
    network_policy = var.network_policy
  }

  default_node_pool {
    name       = "system"
    node_count = 2
    vm_size    = "Standard_D4s_v5"
  }

  identity {
    type = "SystemAssigned"
  }
}
