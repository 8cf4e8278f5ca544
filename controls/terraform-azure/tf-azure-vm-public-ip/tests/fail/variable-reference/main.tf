variable "node_public_ip" {
  type = bool
}

resource "azurerm_kubernetes_cluster_node_pool" "batch" {
  name                   = "batch"
  kubernetes_cluster_id  = azurerm_kubernetes_cluster.main.id
  vm_size                = "Standard_D8s_v5"
  node_public_ip_enabled = var.node_public_ip
}
