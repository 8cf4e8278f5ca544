# AKS clusters whose API server is public and open to any address. The input is one
# azurerm_kubernetes_cluster in the Terraform JSON shape; expressions are "${...}" strings.
package assay.tf_azure_aks_private_api

literal_flags := {true, false, "true", "false"}

private if input.private_cluster_enabled in {true, "true"}

# Whether the private flag is a literal or absent (false).
flag_known if not "private_cluster_enabled" in object.keys(input)

flag_known if input.private_cluster_enabled in literal_flags

# The api_server_access_profile blocks (none when absent or not a list of blocks).
profiles := p if {
	p := input.api_server_access_profile
	is_array(p)
} else := []

# Each authorized range with its location: [path, value]. A list given as an expression is
# one value, the expression.
ranges contains [["api_server_access_profile", i, "authorized_ip_ranges", j], r] if {
	some i, profile in profiles
	is_array(profile.authorized_ip_ranges)
	some j, r in profile.authorized_ip_ranges
}

ranges contains [["api_server_access_profile", i, "authorized_ip_ranges"], list] if {
	some i, profile in profiles
	list := profile.authorized_ip_ranges
	is_string(list)
}

ranges contains [["api_server_authorized_ip_ranges", j], r] if {
	is_array(input.api_server_authorized_ip_ranges)
	some j, r in input.api_server_authorized_ip_ranges
}

ranges contains [["api_server_authorized_ip_ranges"], list] if {
	list := input.api_server_authorized_ip_ranges
	is_string(list)
}

expression(value) if startswith(value, "${")

deny contains {"msg": msg, "path": ["private_cluster_enabled"]} if {
	not flag_known
	msg := sprintf("private_cluster_enabled is `%v`, which cannot be judged before apply", [input.private_cluster_enabled])
}

deny contains msg if {
	flag_known
	not private
	count(ranges) == 0
	msg := "the API server is public and accepts connections from any address: the cluster is not private and sets no authorized_ip_ranges"
}

deny contains {"msg": msg, "path": path} if {
	flag_known
	not private
	some [path, r] in ranges
	r in {"0.0.0.0/0", "*"}
	msg := sprintf("the API server is public and its authorized_ip_ranges include `%v`", [r])
}

deny contains {"msg": msg, "path": path} if {
	flag_known
	not private
	some [path, r] in ranges
	is_string(r)
	expression(r)
	msg := sprintf("the API server is public and takes authorized_ip_ranges from `%v`, which cannot be judged before apply", [r])
}
