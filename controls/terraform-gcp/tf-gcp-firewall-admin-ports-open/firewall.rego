# Ingress firewall rules of a Google VPC that admit the internet to SSH (22) or RDP (3389). The
# input is one google_compute_firewall in the Terraform JSON shape.
package assay.tf_gcp_firewall_admin_ports_open

admin_ports := {22: "SSH (22)", 3389: "RDP (3389)"}

as_list(x) := x if is_array(x)

as_list(x) := [x] if not is_array(x)

text(x) := lower(trim_space(sprintf("%v", [x])))

ingress if upper(object.get(input, "direction", "INGRESS")) == "INGRESS"

disabled if object.get(input, "disabled", false) in {true, "true"}

source_ranges := [sprintf("%v", [r]) | some r in as_list(object.get(input, "source_ranges", []))]

# Where the internet comes in: a /0 range, or no source at all (GCP then applies 0.0.0.0/0).
internet_sources contains r if {
	some r in source_ranges
	endswith(trim_space(r), "/0")
}

internet_sources contains "0.0.0.0/0 (no source given)" if {
	count(source_ranges) == 0
	count(as_list(object.get(input, "source_tags", []))) == 0
	count(as_list(object.get(input, "source_service_accounts", []))) == 0
}

# Whether a port entry (`22`, `1000-4000`) covers `port`.
covers(entry, port) if {
	regex.match(`^[0-9]+$`, text(entry))
	to_number(text(entry)) == port
}

covers(entry, port) if {
	bounds := regex.find_all_string_submatch_n(`^([0-9]+)\s*-\s*([0-9]+)$`, text(entry), 1)
	count(bounds) == 1
	to_number(bounds[0][1]) <= port
	port <= to_number(bounds[0][2])
}

# An allow block over TCP (or every protocol) without ports opens every port.
opens(allow, _) if {
	text(object.get(allow, "protocol", "")) in {"tcp", "all", "6"}
	count(as_list(object.get(allow, "ports", []))) == 0
}

opens(allow, port) if {
	text(object.get(allow, "protocol", "")) in {"tcp", "all", "6"}
	some entry in as_list(allow.ports)
	covers(entry, port)
}

deny contains msg if {
	ingress
	not disabled
	count(internet_sources) > 0
	open := {admin_ports[port] |
		some port, _ in admin_ports
		some allow in as_list(object.get(input, "allow", []))
		is_object(allow)
		opens(allow, port)
	}
	count(open) > 0
	msg := sprintf("firewall `%v` allows ingress from `%s` to %s", [
		object.get(input, "name", "(unnamed)"),
		concat("`, `", sort(internet_sources)),
		concat(" and ", sort(open)),
	])
}
