resource "azurerm_kubernetes_cluster" "staging" {
  name                = "aks-staging"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  dns_prefix          = "aks-staging"

  default_node_pool {
    name       = "system"
    node_count = 2
    vm_size    = "Standard_D4s_v5"
  }

  identity {
    type = "SystemAssigned"
  }
}

resource "azurerm_kubernetes_cluster" "prod" {
  name                   = "aks-prod"
  location               = azurerm_resource_group.main.location
  resource_group_name    = azurerm_resource_group.main.name
  dns_prefix             = "aks-prod"
  local_account_disabled = false

  default_node_pool {
    name       = "system"
    node_count = 2
    vm_size    = "Standard_D4s_v5"
  }

  identity {
    type = "SystemAssigned"
  }
}
