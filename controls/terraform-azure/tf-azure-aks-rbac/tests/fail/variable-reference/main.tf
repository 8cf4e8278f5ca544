variable "rbac" {
  type = bool
}

resource "azurerm_kubernetes_cluster" "apps" {
  name                              = "aks-apps"
  location                          = azurerm_resource_group.main.location
  resource_group_name               = azurerm_resource_group.main.name
  dns_prefix                        = "aks-apps"
  role_based_access_control_enabled = var.rbac

  default_node_pool {
    name       = "system"
    node_count = 2
    vm_size    = "Standard_D4s_v5"
  }

  identity {
    type = "SystemAssigned"
  }
}
