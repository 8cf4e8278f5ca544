# GKE clusters with public nodes or a control plane open to any address. The input is one
# google_container_cluster in the Terraform JSON shape; expressions are "${...}" strings.
package assay.tf_gcp_gke_private_cluster

blocks(name) := b if {
	b := input[name]
	is_array(b)
} else := []

literal(value) if value in {true, false, "true", "false"}

enabled(value) if value in {true, "true"}

# Each [name, path, value] of a private_cluster_config flag.
flags contains [name, ["private_cluster_config", i, name], value] if {
	some i, config in blocks("private_cluster_config")
	some name in ["enable_private_nodes", "enable_private_endpoint"]
	value := config[name]
}

private_nodes if {
	some ["enable_private_nodes", _, value] in flags
	enabled(value)
}

private_endpoint if {
	some ["enable_private_endpoint", _, value] in flags
	enabled(value)
}

# The flags that are expressions: the cluster cannot be judged.
unknown contains [path, value] if {
	some [_, path, value] in flags
	not literal(value)
}

cidrs contains [["master_authorized_networks_config", i, "cidr_blocks", j, "cidr_block"], block.cidr_block] if {
	some i, config in blocks("master_authorized_networks_config")
	is_array(config.cidr_blocks)
	some j, block in config.cidr_blocks
}

deny contains {"msg": msg, "path": path} if {
	some [path, value] in unknown
	msg := sprintf("%v is `%v`, which cannot be judged before apply", [path[2], value])
}

deny contains msg if {
	count(unknown) == 0
	not private_nodes
	msg := "the nodes get public IP addresses: no private_cluster_config sets enable_private_nodes = true"
}

deny contains msg if {
	count(unknown) == 0
	not private_endpoint
	count(blocks("master_authorized_networks_config")) == 0
	msg := "the control plane's public endpoint accepts connections from any address: neither enable_private_endpoint = true nor master_authorized_networks_config"
}

deny contains {"msg": msg, "path": path} if {
	count(unknown) == 0
	not private_endpoint
	some [path, cidr] in cidrs
	cidr in {"0.0.0.0/0", "::/0"}
	msg := sprintf("the control plane's public endpoint is open to anyone: its authorized networks include `%v`", [cidr])
}

deny contains {"msg": msg, "path": path} if {
	count(unknown) == 0
	not private_endpoint
	some [path, cidr] in cidrs
	is_string(cidr)
	startswith(cidr, "${")
	msg := sprintf("the control plane's authorized network `%v` cannot be judged before apply", [cidr])
}
