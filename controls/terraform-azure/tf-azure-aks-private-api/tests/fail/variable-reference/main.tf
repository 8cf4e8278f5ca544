variable "private_aks" {
  type = bool
}

variable "api_ranges" {
  type = list(string)
}

resource "azurerm_kubernetes_cluster" "apps" {
  name                    = "aks-apps"
  location                = azurerm_resource_group.main.location
  resource_group_name     = azurerm_resource_group.main.name
  dns_prefix              = "aks-apps"
  private_cluster_enabled = var.private_aks

  default_node_pool {
    name       = "system"
    node_count = 2
    vm_size    = "Standard_D4s_v5"
  }

  identity {
    type = "SystemAssigned"
  }
}

resource "azurerm_kubernetes_cluster" "data" {
  name                = "aks-data"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  dns_prefix          = "aks-data"

  api_server_access_profile {
    authorized_ip_ranges = var.api_ranges
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
