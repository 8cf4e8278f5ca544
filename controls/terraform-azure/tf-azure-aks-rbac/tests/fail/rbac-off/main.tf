resource "azurerm_kubernetes_cluster" "legacy_rbac_off" {
  name                = "aks-legacy-rbac-off"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  dns_prefix          = "aks-legacy-rbac-off"

  role_based_access_control {
    enabled = false
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

resource "azurerm_kubernetes_cluster" "no_rbac" {
  name                              = "aks-no-rbac"
  location                          = azurerm_resource_group.main.location
  resource_group_name               = azurerm_resource_group.main.name
  dns_prefix                        = "aks-no-rbac"
  role_based_access_control_enabled = false

  default_node_pool {
    name       = "system"
    node_count = 2
    vm_size    = "Standard_D4s_v5"
  }

  identity {
    type = "SystemAssigned"
  }
}
