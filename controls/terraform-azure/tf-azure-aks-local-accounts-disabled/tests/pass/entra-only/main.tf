resource "azurerm_kubernetes_cluster" "prod" {
  name                   = "aks-prod"
  location               = azurerm_resource_group.main.location
  resource_group_name    = azurerm_resource_group.main.name
  dns_prefix             = "aks-prod"
  local_account_disabled = true

  azure_active_directory_role_based_access_control {
    azure_rbac_enabled     = true
    admin_group_object_ids = [azuread_group.aks_admins.object_id]
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
