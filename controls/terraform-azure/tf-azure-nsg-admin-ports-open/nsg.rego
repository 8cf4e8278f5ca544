# Inbound allow rules of Azure network security groups that open SSH (22) or RDP (3389) to the
# internet. The input is one resource in the Terraform JSON shape: an
# azurerm_network_security_group (rules in its security_rule blocks) or an
# azurerm_network_security_rule (the rule itself).
package assay.tf_azure_nsg_admin_ports_open

admin_ports := {22: "SSH (22)", 3389: "RDP (3389)"}

as_list(x) := x if is_array(x)

as_list(x) := [x] if not is_array(x)

# The rules of the resource: inline blocks, or the resource itself when it is a rule.
rules contains rule if {
	some rule in as_list(object.get(input, "security_rule", []))
	is_object(rule)
}

rules contains input if input.direction

text(x) := lower(trim_space(sprintf("%v", [x])))

# A source that stands for every address: `*`, `Internet`, `Any` or any `/0` prefix.
internet(prefix) if text(prefix) in {"*", "internet", "any", "0.0.0.0"}

internet(prefix) if endswith(text(prefix), "/0")

sources(rule) := array.concat(
	[p | p := rule.source_address_prefix],
	[p | some p in as_list(object.get(rule, "source_address_prefixes", []))],
)

port_ranges(rule) := array.concat(
	[r | r := rule.destination_port_range],
	[r | some r in as_list(object.get(rule, "destination_port_ranges", []))],
)

# Whether a port range (`*`, `22`, `1000-4000`) covers `port`.
covers(range, _) if text(range) == "*"

covers(range, port) if {
	regex.match(`^[0-9]+$`, text(range))
	to_number(text(range)) == port
}

covers(range, port) if {
	bounds := regex.find_all_string_submatch_n(`^([0-9]+)\s*-\s*([0-9]+)$`, text(range), 1)
	count(bounds) == 1
	to_number(bounds[0][1]) <= port
	port <= to_number(bounds[0][2])
}

deny contains msg if {
	some rule in rules
	text(object.get(rule, "access", "")) == "allow"
	text(object.get(rule, "direction", "")) == "inbound"
	text(object.get(rule, "protocol", "")) in {"tcp", "*"}
	open := {admin_ports[port] | some port, _ in admin_ports; some range in port_ranges(rule); covers(range, port)}
	count(open) > 0
	from := {sprintf("%v", [p]) | some p in sources(rule); internet(p)}
	count(from) > 0
	msg := sprintf("security rule `%v` allows inbound traffic from `%s` to %s", [
		object.get(rule, "name", "(unnamed)"),
		concat("`, `", sort(from)),
		concat(" and ", sort(open)),
	])
}
