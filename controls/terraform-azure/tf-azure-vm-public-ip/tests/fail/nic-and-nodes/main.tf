resource "azurerm_network_interface" "jump" {
  name                = "nic-jump"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name

  ip_configuration {
    name                          = "internal"
    subnet_id                     = azurerm_subnet.dmz.id
    private_ip_address_allocation = "Dynamic"
    public_ip_address_id          = azurerm_public_ip.jump.id
  }
}

resource "azurerm_linux_virtual_machine_scale_set" "workers" {
  name                = "vmss-workers"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  sku                 = "Standard_D2s_v5"
  instances           = 3
  admin_username      = "azureuser"

  network_interface {
    name    = "nic"
    primary = true

    ip_configuration {
      name      = "internal"
      primary   = true
      subnet_id = azurerm_subnet.workers.id

      public_ip_address {
        name = "pip"
      }
    }
  }
}

resource "azurerm_kubernetes_cluster" "edge" {
  name                = "aks-edge"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  dns_prefix          = "aks-edge"

  default_node_pool {
    name                   = "system"
    node_count             = 2
    vm_size                = "Standard_D4s_v5"
    node_public_ip_enabled = true
  }

  identity {
    type = "SystemAssigned"
  }
}

resource "azurerm_kubernetes_cluster_node_pool" "gaming" {
  name                  = "gaming"
  kubernetes_cluster_id = azurerm_kubernetes_cluster.edge.id
  vm_size               = "Standard_D8s_v5"
  enable_node_public_ip = true
}
